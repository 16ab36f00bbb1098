"""KakaoTalk 알림톡 with SMS fallback: written as its own outbox row per recipient, sent exactly once by the
e-mail's claim, retries and backoff, against a stand-in of SOLAPI's API on loopback (tests.solapi_standin).

The faults are the e-mail's: the provider answering 5xx, a timeout, a worker killed in the middle of a batch,
two sweeps at once; and the channel's own: KakaoTalk refused (the same text goes by SMS/LMS), quiet hours,
the choices on the account page, no keys at all.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from bookings import services as bookings
from bookings.models import Booking
from bookings.notifications import create_payment_reminders
from common import solapi as solapi_client
from notifications import kakao_templates, preferences, quiet_hours, services
from notifications.models import Notification
from tests.factories import UserFactory
from tests.notifications.conftest import NOW
from tests.notifications.factories import BookingFactory, NotificationFactory, mailed_ids, seoul
from tests.solapi_standin import SolapiStandIn

pytestmark = pytest.mark.django_db

KAKAO = Notification.Channel.KAKAO
NUMBER = "01012345678"


@pytest.fixture
def solapi(settings):
    standin = SolapiStandIn().start()
    standin.configure(settings)
    yield standin
    standin.stop()


@pytest.fixture
def phone_booker(booker):
    """The booker (reading English), with a verified mobile number."""
    booker.phone = NUMBER
    booker.phone_verified_at = NOW - timedelta(days=30)
    booker.save(update_fields=["phone", "phone_verified_at"])
    return booker


@pytest.fixture
def approved_booking(pending):
    pending.status = Booking.Status.APPROVED
    pending.decided_at = NOW - timedelta(days=1)
    pending.save(update_fields=["status", "decided_at"])
    return pending


def kakao_row(booking, user, **fields) -> Notification:
    """The KakaoTalk message about the approval, written but not sent (its task was lost)."""
    return NotificationFactory(
        recipient=user,
        subject=booking,
        channel=KAKAO,
        dedupe_key=f"booking:{booking.pk}:approved:u{user.pk}:kakao",
        **fields,
    )


@pytest.fixture
def approval_text(approved_booking, phone_booker, solapi, clock):
    return kakao_row(approved_booking, phone_booker)


def status_of(notification) -> tuple:
    notification.refresh_from_db()
    return notification.status, notification.attempts


def channels_of(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("channel", flat=True))


# --- One row per channel, as chosen ------------------------------------------------------------------


def test_an_approval_writes_one_row_per_channel_and_each_is_sent_once(
    pending, phone_booker, manager, solapi, mailoutbox, run_on_commit, clock
):
    with run_on_commit():
        bookings.approve_booking(booking=pending, manager=manager)

    rows = {row.channel: row for row in Notification.objects.filter(recipient=phone_booker)}
    assert sorted(rows) == ["email", "in_app", "kakao"]
    assert len({row.dedupe_key for row in rows.values()}) == 3
    assert rows["kakao"].dedupe_key == f"booking:{pending.pk}:approved:u{phone_booker.pk}:kakao"
    assert {row.status for row in rows.values()} == {Notification.Status.SENT}
    # The 알림톡: the booking approval's template, its variables in Korean, to the verified number.
    (message,) = solapi.accepted
    assert (message["type"], message["to"]) == ("ATA", NUMBER)
    assert message["kakaoOptions"]["templateId"] == "DN_BOOKING_APPROVED"
    assert message["kakaoOptions"]["pfId"] == "KA01PF-LOOPBACK"
    assert message["kakaoOptions"]["disableSms"] is False
    variables = message["kakaoOptions"]["variables"]
    assert variables["#{내용}"].startswith("예약이 승인되었습니다.")
    assert "Robot demo" in variables["#{내용}"]
    assert variables["#{링크}"].endswith(f"/bookings/{pending.pk}/")
    assert message["customFields"] == {"reference": f"notification:{rows['kakao'].pk}"}
    kakao = rows["kakao"]
    assert (kakao.sent_as, kakao.provider_message_id, kakao.attempts) == ("ATA", "M4VLOOPBACK00000001", 1)
    # The e-mail is still in the booker's language.
    assert mailed_ids(mailoutbox) == [rows["email"].pk]
    assert mailoutbox[0].subject == "[Dongnam] Your booking is approved"

    # The same event again writes nothing, and a second delivery of any row sends nothing.
    assert (
        services.notify(
            kind="booking_approved", recipients=[phone_booker], subject=pending, key=f"booking:{pending.pk}:approved"
        )
        == 0
    )
    for row in rows.values():
        assert services.deliver(row.pk) == "not_claimed"
    assert len(solapi.accepted) == 1


def test_without_a_verified_number_there_is_no_kakaotalk_row(pending, booker, manager, solapi, run_on_commit):
    booker.phone = NUMBER  # entered, never verified
    booker.save(update_fields=["phone"])

    with run_on_commit():
        bookings.approve_booking(booking=pending, manager=manager)

    assert channels_of(booker) == ["email", "in_app"]
    assert solapi.requests == 0


def test_without_keys_the_channel_is_off_and_e_mail_and_the_bell_still_work(
    pending, phone_booker, manager, settings, mailoutbox, run_on_commit
):
    settings.MESSAGING_PROVIDER = ""

    with run_on_commit():
        bookings.approve_booking(booking=pending, manager=manager)

    assert channels_of(phone_booker) == ["email", "in_app"]
    assert len(mailoutbox) == 1
    assert services.unread_count(phone_booker) == 1


def test_a_kind_without_a_template_goes_by_e_mail_and_the_bell_only(phone_booker, solapi, clock):
    assert kakao_templates.template_for("invitation") is None

    services.notify(kind="invitation", recipients=[phone_booker], subject=None, key="invitation:test")

    assert channels_of(phone_booker) == ["email", "in_app"]


def test_the_choices_of_the_account_page_are_honoured(phone_booker, approved_booking, solapi, clock):
    preferences.save(user=phone_booker, email={"booking_reminder"}, kakao={"booking_approved"})
    phone_booker.refresh_from_db()

    services.notify(kind="booking_approved", recipients=[phone_booker], subject=approved_booking, key="a")
    services.notify(kind="booking_reminder", recipients=[phone_booker], subject=approved_booking, key="b")

    by_kind = {}
    for kind, channel in Notification.objects.values_list("kind", "channel"):
        by_kind.setdefault(kind, []).append(channel)
    # E-mail only for reminders, KakaoTalk only for approvals; the bell gets both whatever the choices.
    assert sorted(by_kind["booking_approved"]) == ["in_app", "kakao"]
    assert sorted(by_kind["booking_reminder"]) == ["email", "in_app"]


def test_reminders_turned_off_on_the_account_are_not_written_on_any_channel(
    phone_booker, approved_booking, solapi, clock
):
    phone_booker.reminders_enabled = False
    phone_booker.save(update_fields=["reminders_enabled"])

    assert services.notify(kind="booking_reminder", recipients=[phone_booker], subject=approved_booking, key="r") == 0


def test_choosing_channels_costs_no_query(phone_booker, approved_booking, solapi, clock, django_assert_num_queries):
    services.notify(kind="booking_approved", recipients=[phone_booker], subject=approved_booking, key="warm")

    # The existing keys, the insert: as before the channel existed.
    with django_assert_num_queries(2):
        created = services.notify(
            kind="booking_approved", recipients=[phone_booker], subject=approved_booking, key="counted"
        )
    assert created == 3


# --- KakaoTalk refused: the same text by SMS/LMS -------------------------------------------------------


def test_when_kakaotalk_refuses_the_same_text_goes_by_lms_once(approval_text, solapi):
    solapi.refuse_kakao = "3104"

    assert services.deliver(approval_text.pk) == Notification.Status.SENT

    # The 알림톡 was asked for and refused; the one message taken is the LMS with the template's text.
    assert solapi.requests == 2
    (message,) = solapi.accepted
    assert (message["type"], message["to"]) == ("LMS", NUMBER)
    template = kakao_templates.template_for("booking_approved")
    variables = kakao_templates.variables_for(approval_text)
    # The same text, in the characters a text message carries (the en dash of "10:00 – 12:00" as "-").
    assert message["text"] == solapi_client.sms_safe(template.render(variables))
    assert "일시: 2026-12-04 (금) 10:00 - 12:00" in message["text"]
    assert message["text"].startswith("[동남전시장] 예약 승인 안내\n\n")
    assert "예약이 승인되었습니다." in message["text"]
    approval_text.refresh_from_db()
    assert (approval_text.status, approval_text.sent_as, approval_text.attempts) == ("sent", "LMS", 1)
    assert "KakaoTalk refused" in approval_text.last_error and "3104" in approval_text.last_error
    assert services.deliver(approval_text.pk) == "not_claimed"
    assert len(solapi.accepted) == 1


def test_a_short_text_goes_as_an_sms_and_a_long_one_as_an_lms():
    assert solapi_client.text_type("가" * 45) == "SMS"
    assert solapi_client.text_type("가" * 46) == "LMS"
    assert solapi_client.text_type("a" * 90) == "SMS"
    assert solapi_client.text_type("a" * 91) == "LMS"
    assert solapi_client.byte_length("예약 10:00–12:00") == 17  # the en dash is not in EUC-KR: counted as two
    assert solapi_client.sms_safe("10:00–12:00 “준비” 😀") == '10:00-12:00 "준비" ?'


def test_without_a_kakaotalk_sender_profile_messages_go_by_text_message(approval_text, solapi, settings):
    settings.KAKAO_PF_ID = ""

    assert services.deliver(approval_text.pk) == Notification.Status.SENT

    assert [message["type"] for message in solapi.accepted] == ["LMS"]
    assert solapi.requests == 1


def test_an_sms_refused_too_is_failed_at_once_and_the_admin_shows_why(approval_text, solapi, client, admin_user):
    solapi.refuse_kakao = "3104"
    solapi.fail_next("", "400")  # the 알림톡 is refused (above), then the LMS is refused

    assert services.deliver(approval_text.pk) == Notification.Status.FAILED

    approval_text.refresh_from_db()
    assert (approval_text.status, approval_text.attempts) == (Notification.Status.FAILED, 1)
    assert approval_text.last_error.startswith("Rejected: SOLAPI refused the request (400)")
    assert solapi.accepted == []
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    listed = client.get(reverse("admin:notifications_notification_changelist"), {"status__exact": "failed"})
    assert listed.status_code == 200
    body = listed.content.decode()
    assert reverse("admin:notifications_notification_change", args=[approval_text.pk]) in body
    assert "Rejected: SOLAPI refused the request (400)" in body


# --- The provider in trouble: retried with the e-mail's backoff --------------------------------------------


def test_a_provider_answering_5xx_delays_the_message_and_it_is_sent_once_on_the_third_try(approval_text, solapi, clock):
    solapi.fail_next("500", "503")

    with pytest.raises(services.TransientError):
        services.deliver(approval_text.pk)
    approval_text.refresh_from_db()
    assert (approval_text.status, approval_text.attempts) == (Notification.Status.PENDING, 1)
    assert approval_text.due_at == NOW + timedelta(minutes=1)
    assert approval_text.last_error == "Unavailable: SOLAPI answered 500: InternalError Temporary failure"
    assert services.deliver(approval_text.pk) == "not_claimed"  # not due yet

    clock.shift(timedelta(minutes=1))
    with pytest.raises(services.TransientError):
        services.deliver(approval_text.pk)
    approval_text.refresh_from_db()
    assert (approval_text.status, approval_text.attempts) == (Notification.Status.PENDING, 2)
    assert approval_text.due_at == timezone.now() + timedelta(minutes=2)

    clock.shift(timedelta(minutes=2))
    assert services.deliver(approval_text.pk) == Notification.Status.SENT

    approval_text.refresh_from_db()
    assert (approval_text.status, approval_text.attempts, approval_text.last_error) == ("sent", 3, "")
    assert solapi.requests == 3
    assert solapi.references() == [f"notification:{approval_text.pk}"]


def test_a_provider_that_does_not_answer_in_time_is_retried_and_the_message_sent_once(approval_text, solapi, clock):
    solapi.fail_next("timeout")

    with pytest.raises(services.TransientError):
        services.deliver(approval_text.pk)

    approval_text.refresh_from_db()
    assert (approval_text.status, approval_text.attempts) == (Notification.Status.PENDING, 1)
    assert approval_text.last_error == "Unavailable: SOLAPI did not answer within 1 s"
    assert solapi.accepted == []

    clock.shift(timedelta(minutes=1))
    assert services.sweep(send_inline=True)["sent"] == 1
    assert solapi.references() == [f"notification:{approval_text.pk}"]
    assert status_of(approval_text) == (Notification.Status.SENT, 2)


def test_a_provider_down_for_good_leaves_the_message_failed_after_the_last_attempt(approval_text, solapi, clock):
    solapi.fail_next(*["503"] * (services.MAX_ATTEMPTS + 2))

    for _attempt in range(services.MAX_ATTEMPTS + 2):
        services.sweep(send_inline=True)
        clock.shift(timedelta(hours=1))

    assert status_of(approval_text) == (Notification.Status.FAILED, services.MAX_ATTEMPTS)
    assert solapi.requests == services.MAX_ATTEMPTS
    assert solapi.accepted == []


def test_a_kakaotalk_refusal_then_an_sms_5xx_retries_the_whole_message_and_sends_one(approval_text, solapi, clock):
    solapi.refuse_kakao = "3104"
    solapi.fail_next("", "500")

    with pytest.raises(services.TransientError):
        services.deliver(approval_text.pk)
    clock.shift(timedelta(minutes=1))
    assert services.deliver(approval_text.pk) == Notification.Status.SENT

    assert [message["type"] for message in solapi.accepted] == ["LMS"]


def test_a_message_whose_number_was_removed_before_sending_is_skipped(approval_text, phone_booker, solapi):
    phone_booker.phone, phone_booker.phone_verified_at = "", None
    phone_booker.save(update_fields=["phone", "phone_verified_at"])

    assert services.deliver(approval_text.pk) == Notification.Status.SKIPPED

    approval_text.refresh_from_db()
    assert approval_text.last_error == "the recipient has no verified mobile number"
    assert solapi.requests == 0


def test_a_message_written_before_the_keys_were_removed_is_skipped(approval_text, solapi, settings):
    settings.SOLAPI_API_KEY = ""

    assert services.deliver(approval_text.pk) == Notification.Status.SKIPPED
    assert solapi.requests == 0


# --- Exactly once: sweeps ----------------------------------------------------------------------------------


def lost_texts(count, moment, user):
    """``count`` approvals whose KakaoTalk message was written but never enqueued."""
    rows = []
    for number in range(count):
        booking = BookingFactory(
            requested_by=user,
            start=moment + timedelta(days=2, hours=number),
            status=Booking.Status.APPROVED,
            decided_at=moment,
        )
        rows.append(kakao_row(booking, user, due_at=moment - timedelta(minutes=number)))
    return rows


def test_the_sweep_run_twice_in_a_row_sends_each_text_once(phone_booker, solapi, clock):
    rows = lost_texts(5, NOW, phone_booker)

    first = services.sweep(send_inline=True)
    second = services.sweep(send_inline=True)

    assert (first["due"], first["sent"]) == (5, 5)
    assert (second["due"], second["sent"]) == (0, 0)
    assert sorted(solapi.references()) == sorted(f"notification:{row.pk}" for row in rows)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_time_send_every_text_exactly_once(solapi):
    user = UserFactory(email="racer@example.com", phone=NUMBER, phone_verified_at=timezone.now())
    rows = lost_texts(20, timezone.now(), user)
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def sweep(index):
        try:
            barrier.wait(timeout=15)
            outcomes[index] = services.sweep(send_inline=True)
        except BaseException as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep, args=(index,), daemon=True) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads), "a sweep hung"
    assert all(isinstance(outcome, dict) for outcome in outcomes), outcomes
    assert sum(outcome["sent"] for outcome in outcomes) == 20
    assert sorted(solapi.references()) == sorted(f"notification:{row.pk}" for row in rows)
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}


# --- Quiet hours -------------------------------------------------------------------------------------------


def test_a_text_written_in_the_quiet_hours_waits_until_they_end_and_e_mail_does_not(
    approved_booking, phone_booker, solapi, mailoutbox, clock, run_on_commit
):
    clock.move_to(seoul(2026, 12, 1, 22, 30))

    with run_on_commit():
        services.notify(kind="booking_approved", recipients=[phone_booker], subject=approved_booking, key="late")

    rows = {row.channel: row for row in Notification.objects.all()}
    assert rows["kakao"].due_at == seoul(2026, 12, 2, 8)
    assert rows["email"].due_at == rows["in_app"].due_at == seoul(2026, 12, 1, 22, 30)
    assert rows["email"].status == rows["in_app"].status == Notification.Status.SENT
    assert status_of(rows["kakao"]) == (Notification.Status.PENDING, 0)

    clock.move_to(seoul(2026, 12, 2, 7, 59))
    assert services.sweep(send_inline=True)["sent"] == 0
    clock.move_to(seoul(2026, 12, 2, 8))
    assert services.sweep(send_inline=True)["sent"] == 1
    assert [message["type"] for message in solapi.accepted] == ["ATA"]


@pytest.mark.parametrize(
    ("setting", "moment", "due"),
    [
        ("21:00-08:00", seoul(2026, 12, 1, 20, 59), seoul(2026, 12, 1, 20, 59)),
        ("21:00-08:00", seoul(2026, 12, 1, 21), seoul(2026, 12, 2, 8)),
        ("21:00-08:00", seoul(2026, 12, 2, 3, 15), seoul(2026, 12, 2, 8)),
        ("21:00-08:00", seoul(2026, 12, 2, 8), seoul(2026, 12, 2, 8)),
        ("22:00-07:00", seoul(2026, 12, 1, 21, 30), seoul(2026, 12, 1, 21, 30)),
        ("22:00-07:00", seoul(2026, 12, 1, 23), seoul(2026, 12, 2, 7)),
        ("12:00-13:00", seoul(2026, 12, 1, 12, 30), seoul(2026, 12, 1, 13)),
        ("", seoul(2026, 12, 1, 23), seoul(2026, 12, 1, 23)),
    ],
)
def test_the_quiet_hours_are_configurable(settings, setting, moment, due):
    settings.QUIET_HOURS = setting

    assert quiet_hours.defer(moment, kind="booking_approved") == due
    assert quiet_hours.defer(moment, kind="payment_due_soon") == moment


def test_a_reminder_due_in_the_quiet_hours_is_sent_by_text_when_they_end(
    approved_booking, phone_booker, solapi, clock, settings
):
    approved_booking.start = seoul(2026, 12, 2, 8, 30)
    approved_booking.end = seoul(2026, 12, 2, 10)
    approved_booking.save(update_fields=["start", "end"])

    settings.BOOKING_REMINDER_HOURS = [1]

    clock.move_to(seoul(2026, 12, 2, 7, 30))
    services.sweep(send_inline=True)
    rows = {row.channel: row for row in Notification.objects.filter(kind="booking_reminder")}
    assert rows["email"].status == Notification.Status.SENT  # due 07:30, one hour before
    assert rows["kakao"].due_at == seoul(2026, 12, 2, 8)
    assert solapi.accepted == []

    clock.move_to(seoul(2026, 12, 2, 8))
    services.sweep(send_inline=True)
    assert [message["kakaoOptions"]["templateId"] for message in solapi.accepted] == ["DN_BOOKING_REMINDER"]


# --- The urgent payment reminder ---------------------------------------------------------------------------


@pytest.fixture
def unpaid(phone_booker, space, clock):
    """An approved booking of Friday 10:00, unpaid; the fee is due Tuesday 22:30 (approved Monday)."""
    return BookingFactory(
        requested_by=phone_booker,
        space=space,
        start=seoul(2026, 12, 4, 10),
        end=seoul(2026, 12, 4, 12),
        title="Robot demo",
        status=Booking.Status.APPROVED,
        decided_at=seoul(2026, 11, 30, 10),
        amount_due=50000,
        payment_status=Booking.PaymentStatus.UNPAID,
        payment_deadline=seoul(2026, 12, 1, 22, 30),
    )


def test_an_hour_before_an_unpaid_booking_is_cancelled_the_booker_is_warned_at_once_even_at_night(
    unpaid, phone_booker, solapi, mailoutbox, clock
):
    clock.move_to(seoul(2026, 12, 1, 21, 29))
    assert create_payment_reminders(now=timezone.now()) == 0

    clock.move_to(seoul(2026, 12, 1, 21, 30))
    services.sweep(send_inline=True)

    rows = {row.channel: row for row in Notification.objects.filter(kind="payment_due_soon")}
    assert sorted(rows) == ["email", "in_app", "kakao"]
    # Urgent: the text is not held until 08:00 although it is 21:30.
    assert rows["kakao"].due_at == seoul(2026, 12, 1, 21, 30)
    assert {row.status for row in rows.values()} == {Notification.Status.SENT}
    (message,) = solapi.accepted
    assert message["kakaoOptions"]["templateId"] == "DN_PAYMENT_DUE_SOON"
    assert "2026-12-01 (화) 22:30" in message["kakaoOptions"]["variables"]["#{내용}"]
    assert mailoutbox[0].subject == "[Dongnam] Pay by 2026-12-01 (Tue) 22:30 or your booking is cancelled"

    # Later sweeps write it again for nobody; the cancellation follows the deadline.
    clock.move_to(seoul(2026, 12, 1, 21, 45))
    services.sweep(send_inline=True)
    assert Notification.objects.filter(kind="payment_due_soon").count() == 3
    clock.move_to(seoul(2026, 12, 1, 22, 31))
    assert bookings.cancel_unpaid_bookings() == 1


def test_no_warning_is_sent_once_the_booking_is_paid(unpaid, solapi, clock):
    clock.move_to(seoul(2026, 12, 1, 21, 30))
    assert create_payment_reminders(now=timezone.now()) == 3
    Booking.objects.filter(pk=unpaid.pk).update(payment_status=Booking.PaymentStatus.PAID)

    services.sweep(send_inline=True)

    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SKIPPED}
    assert solapi.requests == 0


@pytest.mark.parametrize(
    "change",
    [
        # Due by the start (approved late): never cancelled automatically.
        {"start": seoul(2026, 12, 1, 22, 30), "end": seoul(2026, 12, 1, 23, 30)},
        {"decided_at": seoul(2026, 12, 1, 21, 45)},  # approved inside the last hour: the approval said it
        {"payment_status": Booking.PaymentStatus.PAID},
    ],
)
def test_no_warning_for_a_booking_that_will_not_be_cancelled_or_was_just_told(unpaid, clock, change):
    Booking.objects.filter(pk=unpaid.pk).update(**change)
    clock.move_to(seoul(2026, 12, 1, 21, 50))

    assert create_payment_reminders(now=timezone.now()) == 0


# --- The account page --------------------------------------------------------------------------------------


def test_the_account_page_offers_kakaotalk_per_kind_and_saves_the_choices(client, phone_booker, solapi):
    phone_booker.language = "ko"
    phone_booker.save(update_fields=["language"])
    client.force_login(phone_booker)

    page = client.get("/accounts/profile/").content.decode()

    assert "010-1234-5678" in page
    assert 'name="kakao-booking_approved" aria-label="예약 승인 카카오톡/문자로" checked' in page
    assert 'name="email-payment_due_soon"' in page and "긴급" in page
    response = client.post(reverse("notifications:preferences"), {"email-booking_approved": "on"})
    assert response.status_code == 302
    assert response.url == "/accounts/profile/#notifications-heading"
    phone_booker.refresh_from_db()
    offered = {choice.kind for choice in preferences.choices(phone_booker)}
    assert set(phone_booker.notification_opt_outs["email"]) == offered - {"booking_approved"}
    assert set(phone_booker.notification_opt_outs["kakao"]) == offered
    page = client.get("/accounts/profile/").content.decode()
    assert 'name="kakao-booking_approved" aria-label="예약 승인 카카오톡/문자로">' in page


def test_without_keys_the_account_page_says_kakaotalk_and_sms_are_off(client, phone_booker, settings):
    settings.MESSAGING_PROVIDER = ""
    phone_booker.language = "ko"
    phone_booker.notification_opt_outs = {"kakao": ["no_show"]}
    phone_booker.save(update_fields=["language", "notification_opt_outs"])
    client.force_login(phone_booker)

    page = client.get("/accounts/profile/").content.decode()

    assert "카카오톡과 문자 알림은 지금 꺼져 있어 이 번호로 보내지 않습니다." in page
    assert 'name="kakao-' not in page
    # Saving the e-mail choices meanwhile keeps the KakaoTalk ones.
    client.post(reverse("notifications:preferences"), {"email-booking_approved": "on"})
    phone_booker.refresh_from_db()
    assert phone_booker.notification_opt_outs["kakao"] == ["no_show"]


# --- A worker killed in the middle of a batch -----------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("through_the_broker")
def test_a_worker_killed_in_the_middle_of_a_batch_of_texts_loses_and_duplicates_nothing(settings, tmp_path):
    from tests.notifications.test_worker_integration import DELIVERY_TIMEOUT, Worker, running, wait_until

    standin = SolapiStandIn().start()
    try:
        standin.configure(settings)
        user = UserFactory(email="batch@example.com", phone=NUMBER, phone_verified_at=timezone.now())
        ids = [row.pk for row in lost_texts(50, timezone.now(), user)]
        standin.stall_at = 20

        def statuses():
            counts = {}
            for status in Notification.objects.values_list("status", flat=True):
                counts[status] = counts.get(status, 0) + 1
            return counts

        def worker(number):
            return Worker(
                broker_url=settings.CELERY_BROKER_URL,
                mail_dir=tmp_path,
                log=tmp_path / f"worker-{number}.log",
                env=standin.env(timeout=60),
            )

        first = worker(1)
        with running(first):
            services.enqueue(ids)
            wait_until(standin.stalled.is_set, timeout=DELIVERY_TIMEOUT, what="the 20th text", log=first.log)
            first.kill()

        assert len(standin.accepted) == 19
        assert statuses() == {"sent": 19, "sending": 1, "pending": 30}

        second = worker(2)
        with running(second):
            wait_until(lambda: statuses().get("sent") == 49, timeout=DELIVERY_TIMEOUT, what="the rest", log=second.log)
            # The claimed text waits for its claim to time out; age it instead of waiting ten minutes.
            Notification.objects.filter(status="sending").update(
                claimed_at=F("claimed_at") - services.CLAIM_TIMEOUT - timedelta(seconds=1)
            )
            result = services.sweep()
            assert (result["released"], result["due"]) == (1, 1)
            wait_until(lambda: statuses() == {"sent": 50}, timeout=DELIVERY_TIMEOUT, what="the released text")

        assert sorted(standin.references()) == sorted(f"notification:{pk}" for pk in ids)
        assert len(standin.accepted) == 50
    finally:
        standin.stop()
