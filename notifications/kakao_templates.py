"""The KakaoTalk 알림톡 templates: each kind's template code and Korean text, in this one place.

An 알림톡 is a template Kakao approved beforehand, sent with its variables filled in. Every template here has
the same frame, a title line of its own and three variables::

    [동남전시장] 예약 승인 안내

    #{이름}님,
    #{내용}

    자세히 보기: #{링크}

``#{내용}`` is what the kind's message says (its lines, built in Korean by the app that registered the kind),
``#{링크}`` where it leads. When KakaoTalk cannot deliver it, the same filled-in text goes by SMS or LMS
(``render``), so both say the same.

``code`` is the template's id at the provider: SOLAPI gives it when Kakao approves the template, and it is
written here when the template is registered. A kind without a template (an invitation goes to an e-mail
address) has no KakaoTalk/SMS channel.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from notifications import registry
from notifications.messages import absolute_url, build_message, link_of
from notifications.models import Notification

SITE_TAG = "[동남전시장]"
# 알림톡 holds 1,000 characters; the frame and the other variables take about 100 of them.
CONTENT_MAX_CHARS = 850


@dataclass(frozen=True)
class KakaoTemplate:
    code: str
    title: str

    @property
    def text(self) -> str:
        """The template as registered with Kakao, variables unfilled."""
        return f"{SITE_TAG} {self.title}\n\n#{{이름}}님,\n#{{내용}}\n\n자세히 보기: #{{링크}}"

    def render(self, variables: dict[str, str]) -> str:
        """The text the person reads: the template with its variables filled in (also the SMS/LMS fallback)."""
        text = self.text
        for name, value in variables.items():
            text = text.replace(name, value)
        return text


TEMPLATES: dict[str, KakaoTemplate] = {
    # Bookings
    "booking_approved": KakaoTemplate("DN_BOOKING_APPROVED", "예약 승인 안내"),
    "booking_rejected": KakaoTemplate("DN_BOOKING_REJECTED", "예약 불승인 안내"),
    "booking_cancelled": KakaoTemplate("DN_BOOKING_CANCELLED", "예약 취소 안내"),
    "closure_cancelled": KakaoTemplate("DN_CLOSURE_CANCELLED", "휴관에 따른 예약 취소 안내"),
    "booking_reminder": KakaoTemplate("DN_BOOKING_REMINDER", "예약 시작 알림"),
    "payment_due_soon": KakaoTemplate("DN_PAYMENT_DUE_SOON", "결제 기한 임박 안내"),
    "payment_overdue": KakaoTemplate("DN_PAYMENT_OVERDUE", "미납 예약 취소 안내"),
    "waitlist_offer": KakaoTemplate("DN_WAITLIST_OFFER", "대기하신 시간 안내"),
    "no_show": KakaoTemplate("DN_NO_SHOW", "노쇼 기록 안내"),
    "reduction_approved": KakaoTemplate("DN_REDUCTION_APPROVED", "감면 승인 안내"),
    "reduction_refused": KakaoTemplate("DN_REDUCTION_REFUSED", "감면 불승인 안내"),
    "manager_digest": KakaoTemplate("DN_MANAGER_DIGEST", "오늘의 처리 대기 안내"),
    # Leases
    "lease_expiry": KakaoTemplate("DN_LEASE_EXPIRY", "임대 만료 예정 안내"),
    "renewal_submitted": KakaoTemplate("DN_RENEWAL_SUBMITTED", "임대 갱신 신청 접수 안내"),
    "renewal_approved": KakaoTemplate("DN_RENEWAL_APPROVED", "임대 갱신 승인 안내"),
    "renewal_rejected": KakaoTemplate("DN_RENEWAL_REJECTED", "임대 갱신 거절 안내"),
    "renewal_changes": KakaoTemplate("DN_RENEWAL_CHANGES", "임대 갱신 수정 요청 안내"),
    "renewal_accepted": KakaoTemplate("DN_RENEWAL_ACCEPTED", "임대 갱신 조건 수락 안내"),
    "contract_expired": KakaoTemplate("DN_CONTRACT_EXPIRED", "임대 계약 만료 안내"),
    "outcome_report_due": KakaoTemplate("DN_OUTCOME_REPORT_DUE", "성과 보고 요청 안내"),
}


def template_for(kind: str) -> KakaoTemplate | None:
    return TEMPLATES.get(kind)


def variables_for(notification: Notification) -> dict[str, str]:
    """The template's variables for one notification, in Korean: the language the templates are approved in."""
    with translation.override("ko"):
        message = build_message(notification)
        link = message.link or (absolute_url(link_of(notification)) if link_of(notification) else "")
    user = notification.recipient
    name = user.get_short_name() if user is not None else ""
    content = "\n".join([*message.lines, *message.items]).strip()
    if len(content) > CONTENT_MAX_CHARS:
        content = content[: CONTENT_MAX_CHARS - 1].rstrip() + "…"
    return {"#{이름}": name, "#{내용}": content, "#{링크}": link or settings.SITE_URL}


def kinds_with_templates() -> list[registry.NotificationKind]:
    return [kind for kind in registry.kinds() if kind.value in TEMPLATES]
