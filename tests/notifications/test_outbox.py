"""Who hears about what: each decision reaches the right people once, in their language, by e-mail and in the app."""

from datetime import timedelta

import pytest
from django.utils import translation

from bookings import services as bookings
from bookings.models import Booking
from notifications import services
from notifications.models import Notification
from tenants import services as tenancy
from tenants.models import RenewalRequest
from tests.notifications.factories import BookingFactory, NotificationFactory, RenewalRequestFactory, seoul

pytestmark = pytest.mark.usefixtures("clock")

SITE = "http://127.0.0.1:8000"


def approve(booking, manager, run_on_commit, note=""):
    with run_on_commit():
        return bookings.approve_booking(booking=booking, manager=manager, note=note)


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


# --- Bookings ---------------------------------------------------------------------------------------


def test_approving_a_booking_mails_the_booker_once_and_puts_one_message_in_their_inbox(
    pending, booker, manager, mailoutbox, run_on_commit
):
    approve(pending, manager, run_on_commit)

    rows = Notification.objects.filter(recipient=booker)
    assert sorted(rows.values_list("kind", "channel", "status")) == [
        ("booking_approved", "email", "sent"),
        ("booking_approved", "in_app", "sent"),
    ]
    assert Notification.objects.exclude(recipient=booker).count() == 0
    [message] = mailoutbox
    assert message.to == [booker.email]
    assert list(services.inbox(booker)) == [rows.get(channel="in_app")]
    assert services.unread_count(booker) == 1


@pytest.mark.parametrize(
    ("language", "subject", "lines"),
    [
        (
            "en",
            "[Dongnam] Your booking is approved",
            ["Your booking is approved.", "Title: Robot demo", "Open the booking:\n{url}\n"],
        ),
        (
            "ko",
            "[동남전시장] 예약이 승인되었습니다",
            ["예약이 승인되었습니다.", "제목: Robot demo", "예약 보기:\n{url}\n", "창원국가산업단지 동남전시장"],
        ),
    ],
)
def test_the_approval_mail_is_written_in_the_bookers_language(
    language, subject, lines, pending, booker, manager, mailoutbox, run_on_commit
):
    booker.language = language
    booker.save(update_fields=["language"])
    other_language = "ko" if language == "en" else "en"

    # The manager works in the other language; the booker still reads their own.
    with translation.override(other_language):
        approve(pending, manager, run_on_commit)

    [message] = mailoutbox
    assert message.subject == subject
    for line in lines:
        assert line.format(url=f"{SITE}/bookings/{pending.pk}/") in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert subject in html
    assert f'lang="{language}"' in html


def test_booking_mails_are_multipart_with_a_plain_text_and_an_html_part(pending, manager, mailoutbox, run_on_commit):
    approve(pending, manager, run_on_commit)

    [message] = mailoutbox
    mime = message.message()
    assert mime.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in mime.get_payload()]
    assert parts == ["text/plain", "text/html"]
    assert f'href="{SITE}/bookings/{pending.pk}/"' in message.alternatives[0][0]
    assert f"{SITE}/bookings/{pending.pk}/" in message.body


def test_approving_twice_cannot_send_twice(pending, booker, manager, mailoutbox, run_on_commit):
    approve(pending, manager, run_on_commit)

    with pytest.raises(bookings.BookingError) as refused:
        approve(pending, manager, run_on_commit)

    assert refused.value.code == "invalid_state"
    assert len(mailoutbox) == 1
    assert Notification.objects.count() == 2


def test_notify_twice_with_the_same_event_key_creates_nothing_new(pending, booker, manager, mailoutbox, run_on_commit):
    approve(pending, manager, run_on_commit)

    with run_on_commit():
        created = services.notify(
            kind=Notification.Kind.BOOKING_APPROVED,
            recipients=[booker],
            subject=pending,
            key=f"booking:{pending.pk}:approved",
        )

    assert created == 0
    assert Notification.objects.count() == 2
    assert len(mailoutbox) == 1


def test_notify_writes_its_rows_with_the_callers_transaction_and_sends_only_after_commit(
    pending, booker, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        bookings.approve_booking(booking=pending, manager=manager)

    assert Notification.objects.filter(recipient=booker, status="pending").count() == 2
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(recipient=booker, status="sent").count() == 2


def test_a_booking_confirmed_at_once_is_announced_as_approved(space, booker, mailoutbox, run_on_commit):
    space.requires_approval = False
    space.save(update_fields=["requires_approval"])

    with run_on_commit():
        booking = bookings.create_booking(
            requested_by=booker,
            space=space,
            start=seoul(2026, 12, 4, 14),
            end=seoul(2026, 12, 4, 15),
            title="Quick sync",
            attendees=3,
        )

    assert booking.status == Booking.Status.APPROVED
    [message] = mailoutbox
    assert message.to == [booker.email]
    assert message.subject == "[Dongnam] Your booking is approved"
    assert "Title: Quick sync" in message.body


def test_a_booking_waiting_for_approval_sends_nothing_yet(space, booker, mailoutbox, run_on_commit):
    with run_on_commit():
        booking = bookings.create_booking(
            requested_by=booker,
            space=space,
            start=seoul(2026, 12, 4, 14),
            end=seoul(2026, 12, 4, 15),
            title="Quick sync",
            attendees=3,
        )

    assert booking.status == Booking.Status.PENDING
    assert mailoutbox == []
    assert Notification.objects.count() == 0


def test_a_rejected_booking_mail_carries_the_reason(pending, booker, manager, mailoutbox, run_on_commit):
    with run_on_commit():
        bookings.reject_booking(booking=pending, manager=manager, reason="The room is being repainted that week.")

    [message] = mailoutbox
    assert message.to == [booker.email]
    assert message.subject == "[Dongnam] Your booking was not approved"
    assert "Your booking was not approved." in message.body
    assert "Reason: The room is being repainted that week." in message.body
    assert "Reason: The room is being repainted that week." in message.alternatives[0][0]
    assert Notification.objects.filter(recipient=booker, kind="booking_rejected").count() == 2


def test_a_manager_cancellation_reaches_the_booker_with_the_reason(pending, booker, manager, mailoutbox, run_on_commit):
    approve(pending, manager, run_on_commit)
    mailoutbox.clear()

    with run_on_commit():
        bookings.cancel_booking(booking=pending, user=manager, reason="A water leak in the room.")

    [message] = mailoutbox
    assert message.to == [booker.email]
    assert message.subject == "[Dongnam] Your booking was cancelled"
    assert "The facility cancelled your booking." in message.body
    assert "Reason: A water leak in the room." in message.body


def test_a_closure_cancellation_reaches_every_booker_hit_with_the_closure_reason(
    pending, booker, korean_booker, space, town, manager, mailoutbox, run_on_commit
):
    approve(pending, manager, run_on_commit)
    later = BookingFactory(
        requested_by=korean_booker, space=space, start=seoul(2026, 12, 4, 14), status=Booking.Status.APPROVED
    )
    mailoutbox.clear()

    with translation.override("en"), run_on_commit():
        closure = bookings.create_closure(
            manager=manager,
            facility=town,
            space=space,
            start=seoul(2026, 12, 4, 0),
            end=seoul(2026, 12, 5, 0),
            reason="Floor repair",
        )
        bookings.cancel_bookings_hit_by_closure(closure=closure, manager=manager)

    by_address = {message.to[0]: message for message in mailoutbox}
    assert sorted(by_address) == sorted([booker.email, korean_booker.email])
    english = by_address[booker.email]
    assert english.subject == "[Dongnam] Your booking was cancelled: the space is closed"
    assert "Reason: The space is closed: Floor repair" in english.body
    korean = by_address[korean_booker.email]
    assert korean.subject == "[동남전시장] 예약이 취소되었습니다: 공간 휴관"
    # The manager closed the space in English; the Korean booker reads the reason's frame in Korean.
    assert "사유: 공간 휴관: Floor repair" in korean.body
    assert "The space is closed" not in korean.body
    assert f"/bookings/{later.pk}/" in korean.body
    assert Notification.objects.filter(kind="closure_cancelled").count() == 4


def test_a_closure_reason_kept_as_the_manager_wrote_it_is_framed_in_the_bookers_language(
    pending, korean_booker, mailoutbox
):
    pending.requested_by = korean_booker
    pending.save(update_fields=["requested_by"])
    row = NotificationFactory(
        recipient=korean_booker, subject=pending, kind="closure_cancelled", context={"closure_reason": "Floor repair"}
    )

    assert services.deliver(row.pk) == Notification.Status.SENT

    [message] = mailoutbox
    assert "사유: 공간 휴관: Floor repair" in message.body


def test_a_bookers_own_cancellation_sends_nothing(pending, booker, manager, mailoutbox, run_on_commit):
    approve(pending, manager, run_on_commit)
    mailoutbox.clear()
    before = Notification.objects.count()

    with run_on_commit():
        bookings.cancel_booking(booking=pending, user=booker)

    assert mailoutbox == []
    assert Notification.objects.count() == before


def test_an_inactive_user_gets_nothing(pending, booker, manager, mailoutbox, run_on_commit):
    booker.is_active = False
    booker.save(update_fields=["is_active"])

    approve(pending, manager, run_on_commit)

    assert mailoutbox == []
    assert Notification.objects.count() == 0


# --- Renewals and invitations --------------------------------------------------------------------


@pytest.fixture
def submitted(contract, tenant, manager, other_manager, mailoutbox, run_on_commit):
    with run_on_commit():
        renewal = tenancy.request_renewal(
            contract=contract, user=tenant["owner"], term_months=12, note="We would like to stay."
        )
    return renewal


def test_a_submitted_renewal_reaches_the_facility_managers_only(submitted, manager, other_manager, mailoutbox):
    assert recipients(mailoutbox) == [manager.email]
    [message] = mailoutbox
    # The manager reads Korean (the default language).
    assert message.subject.startswith("[동남전시장] ")
    assert "마산협동조합" in message.body
    assert f"{SITE}/renewals/{submitted.pk}/" in message.body
    assert Notification.objects.filter(kind="renewal_submitted", recipient=manager).count() == 2


def test_an_approved_renewal_reaches_the_tenants_owners_and_admins_not_plain_members(
    submitted, tenant, manager, mailoutbox, run_on_commit
):
    mailoutbox.clear()

    with run_on_commit():
        tenancy.approve_renewal(renewal=submitted, manager=manager, monthly_rent=370_000, note="New rent from May.")

    assert recipients(mailoutbox) == sorted([tenant["owner"].email, tenant["admin"].email])
    for message in mailoutbox:
        assert message.subject == "[Dongnam] Your renewal is approved: Gyeongnam Social Economy Innovation Town 105"
        assert "Reason: New rent from May." in message.body
    assert not Notification.objects.filter(recipient=tenant["member"]).exists()


def test_a_refused_renewal_reaches_owners_and_admins_with_the_reason(
    submitted, tenant, manager, mailoutbox, run_on_commit
):
    mailoutbox.clear()

    with run_on_commit():
        tenancy.reject_renewal(renewal=submitted, manager=manager, reason="The unit will be rebuilt.")

    assert recipients(mailoutbox) == sorted([tenant["owner"].email, tenant["admin"].email])
    assert all("Reason: The unit will be rebuilt." in message.body for message in mailoutbox)
    assert all(message.subject.startswith("[Dongnam] Your renewal was refused") for message in mailoutbox)


def test_changes_asked_for_a_renewal_reach_owners_and_admins_with_the_note(
    submitted, tenant, manager, mailoutbox, run_on_commit
):
    mailoutbox.clear()

    with run_on_commit():
        tenancy.request_changes(renewal=submitted, manager=manager, note="Attach last year's report.")

    assert recipients(mailoutbox) == sorted([tenant["owner"].email, tenant["admin"].email])
    assert all("Reason: Attach last year's report." in message.body for message in mailoutbox)


def test_accepted_renewal_terms_reach_the_facility_managers(submitted, tenant, manager, mailoutbox, run_on_commit):
    with run_on_commit():
        tenancy.approve_renewal(renewal=submitted, manager=manager, monthly_rent=370_000)
    mailoutbox.clear()

    with run_on_commit():
        tenancy.accept_renewal(renewal=submitted, user=tenant["admin"], ip="127.0.0.1")

    assert recipients(mailoutbox) == [manager.email]
    assert Notification.objects.filter(kind="renewal_accepted").count() == 2
    submitted.refresh_from_db()
    assert submitted.status == RenewalRequest.Status.ACCEPTED


def test_a_resubmitted_renewal_reaches_the_managers_again(submitted, tenant, manager, mailoutbox, run_on_commit):
    with run_on_commit():
        tenancy.request_changes(renewal=submitted, manager=manager, note="Shorter term, please.")
    mailoutbox.clear()

    with run_on_commit():
        tenancy.resubmit_renewal(renewal=submitted, user=tenant["owner"], term_months=6)

    assert recipients(mailoutbox) == [manager.email]


def test_the_invitation_mail_goes_to_the_invited_address_with_the_accept_link(tenant, mailoutbox, run_on_commit):
    with run_on_commit():
        invitation = tenancy.invite_member(
            organization=tenant["organization"],
            inviter=tenant["owner"],
            email="New.Person@example.com",
            role="member",
            base_url="http://testserver",
        )

    [message] = mailoutbox
    assert message.to == ["New.Person@example.com"]
    token = tenancy.invitation_token(invitation)
    assert f"http://testserver/invitations/{token}/" in message.body
    assert tenancy.invitation_from_token(token) == invitation
    # Nobody has an inbox for this address yet: the e-mail is the only message.
    assert list(Notification.objects.values_list("channel", "to_email", "recipient")) == [
        ("email", "New.Person@example.com", None)
    ]


def test_inviting_the_same_address_again_sends_the_invitation_again(tenant, mailoutbox, run_on_commit, clock):
    for _attempt in range(2):
        with run_on_commit():
            tenancy.invite_member(
                organization=tenant["organization"],
                inviter=tenant["owner"],
                email="again@example.com",
                role="member",
                base_url="http://testserver",
            )
        clock.shift(timedelta(minutes=5))

    assert recipients(mailoutbox) == ["again@example.com", "again@example.com"]


def test_renewal_mails_skip_an_inactive_admin(contract, tenant, manager, mailoutbox, run_on_commit):
    tenant["admin"].is_active = False
    tenant["admin"].save(update_fields=["is_active"])
    renewal = RenewalRequestFactory(contract=contract, requested_by=tenant["owner"])

    with run_on_commit():
        tenancy.reject_renewal(renewal=renewal, manager=manager, reason="No.")

    assert recipients(mailoutbox) == [tenant["owner"].email]
