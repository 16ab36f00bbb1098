"""Sending a KakaoTalk/SMS notification: 알림톡 first, the same text by SMS or LMS when KakaoTalk fails.

Called by ``notifications.services.deliver`` for a claimed ``kakao`` row, so the claim, the retries and their
backoff are the e-mail's. Two ways KakaoTalk fails:

- SOLAPI refuses the 알림톡 when it is asked (a template that does not match, a sender profile that is not
  set up, a number without KakaoTalk): the text is sent by SMS/LMS right away, in the same delivery.
- KakaoTalk fails after SOLAPI took the 알림톡: SOLAPI sends the filled-in template by SMS/LMS itself
  (``disableSms`` is off), the same text.

Either way one row sends one message. SOLAPI being unavailable (5xx, a timeout) is retried as a whole later:
nothing was sent, so the next attempt starts again with the 알림톡.
"""

import logging
from dataclasses import dataclass

from common import solapi
from notifications import kakao_templates
from notifications.models import Notification

logger = logging.getLogger(__name__)


class NotSendable(Exception):
    """The message cannot go by KakaoTalk/SMS any more (no number, the channel turned off): skipped, not failed."""


@dataclass(frozen=True)
class Delivery:
    sent_as: str
    message_id: str
    # Why it did not go by KakaoTalk, kept on the row for the admin.
    note: str = ""


def send(notification: Notification) -> Delivery:
    if not solapi.is_configured():
        raise NotSendable("KakaoTalk/SMS is not set up (MESSAGING_PROVIDER and the SOLAPI keys)")
    user = notification.recipient
    if user is None or not user.phone or not user.phone_verified_at:
        raise NotSendable("the recipient has no verified mobile number")
    template = kakao_templates.template_for(notification.kind)
    if template is None:
        raise NotSendable(f"no 알림톡 template for {notification.kind}")
    variables = kakao_templates.variables_for(notification)
    reference = f"notification:{notification.pk}"
    note = ""
    if solapi.kakao_enabled():
        try:
            sent = solapi.send_alimtalk(
                to=user.phone, template_id=template.code, variables=variables, reference=reference
            )
            return Delivery(sent_as="ATA", message_id=sent.message_id)
        except solapi.Rejected as refusal:
            note = f"KakaoTalk refused ({refusal}); sent by text message instead"
            logger.info("Notification %s: %s", notification.pk, note)
    sent = solapi.send_text(
        to=user.phone, text=template.render(variables), subject=f"동남전시장 {template.title}", reference=reference
    )
    return Delivery(sent_as=sent.type[:3], message_id=sent.message_id, note=note)
