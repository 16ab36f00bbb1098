"""Which channels a person wants, per kind of message, as chosen on the account page.

The bell (in-app) always gets every message. E-mail and KakaoTalk/SMS can be turned off kind by kind; what is
kept is the list of kinds turned off per channel (``User.notification_opt_outs``), so a kind added later
arrives until someone turns it off. KakaoTalk/SMS also needs the provider set up, a verified mobile number and
an 알림톡 template for the kind. The kinds offered are those with a template: the messages people with an account
receive (an invitation goes to an e-mail address, whoever owns it).
"""

from dataclasses import dataclass

from common import solapi
from notifications import kakao_templates
from notifications.models import Notification

Channel = Notification.Channel
CHOOSABLE = (Channel.EMAIL, Channel.KAKAO)


def can_reach_by_kakao(user) -> bool:
    return solapi.is_configured() and bool(user.phone and user.phone_verified_at)


def _opted_out(user, channel: str) -> set[str]:
    opt_outs = user.notification_opt_outs if isinstance(user.notification_opt_outs, dict) else {}
    return set(opt_outs.get(channel) or ())


def wants(user, *, kind: str, channel: str) -> bool:
    """Whether ``user`` gets messages of ``kind`` on ``channel``; reads only the user's row."""
    if channel == Channel.IN_APP:
        return True
    if kind in _opted_out(user, channel):
        return False
    if channel == Channel.KAKAO:
        return kakao_templates.template_for(kind) is not None and can_reach_by_kakao(user)
    return True


@dataclass(frozen=True)
class Choice:
    kind: str
    label: str
    urgent: bool
    email: bool
    kakao: bool


def choices(user) -> list[Choice]:
    """The rows of the account page's table, in the order the apps registered the kinds."""
    email_off, kakao_off = _opted_out(user, Channel.EMAIL), _opted_out(user, Channel.KAKAO)
    return [
        Choice(kind.value, str(kind.label), kind.urgent, kind.value not in email_off, kind.value not in kakao_off)
        for kind in kakao_templates.kinds_with_templates()
    ]


def save(*, user, email: set[str], kakao: set[str] | None) -> None:
    """Keep the kinds ticked for each channel; ``kakao`` None leaves that channel's choices as they were (the
    page shows no KakaoTalk column while the person cannot get KakaoTalk messages)."""
    offered = [kind.value for kind in kakao_templates.kinds_with_templates()]
    opt_outs = dict(user.notification_opt_outs) if isinstance(user.notification_opt_outs, dict) else {}
    opt_outs[Channel.EMAIL.value] = [kind for kind in offered if kind not in email]
    if kakao is not None:
        opt_outs[Channel.KAKAO.value] = [kind for kind in offered if kind not in kakao]
    user.notification_opt_outs = {channel: kinds for channel, kinds in opt_outs.items() if kinds}
    user.save(update_fields=["notification_opt_outs"])
