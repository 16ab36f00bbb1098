"""Messages that time brings: booking reminders, the managers' morning digest, lease endings."""

from datetime import date, datetime, time, timedelta

import pytest
from celery.schedules import crontab
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from bookings import services as bookings
from bookings.models import Booking
from bookings.notifications import create_booking_reminders, send_manager_digests
from dongnam.celery import app as celery_app
from notifications.models import Notification
from notifications.tasks import sweep_notifications
from tenants import services as tenancy
from tenants.models import LeaseContract, RenewalRequest
from tenants.notifications import send_lease_expiry_reminders
from tests.factories import LeasableUnitFactory, SpaceFactory, UserFactory, enable_totp
from tests.notifications.conftest import NOW, pending_booking_for
from tests.notifications.factories import SEOUL, BookingFactory, LeaseContractFactory, RenewalRequestFactory, seoul

pytestmark = pytest.mark.django_db

REMINDER_24H = "[Dongnam] Reminder: your booking starts in 24 hours"
REMINDER_1H = "[Dongnam] Reminder: your booking starts in 1 hour"


def reminder_subjects(outbox) -> list[str]:
    return [message.subject for message in outbox if "Reminder" in message.subject]


@pytest.fixture
def sweep_at(clock, run_on_commit):
    """Travel to a moment and run the every-minute sweep there, as beat would."""

    def sweep(moment: datetime) -> dict:
        clock.move_to(moment)
        with run_on_commit():
            return sweep_notifications()

    return sweep


@pytest.fixture
def approve(manager, run_on_commit):
    def approve(booking):
        with run_on_commit():
            return bookings.approve_booking(booking=booking, manager=manager)

    return approve


def booking_reminders(booking):
    return Notification.objects.filter(kind=Notification.Kind.BOOKING_REMINDER, subject_id=booking.pk)


# --- Booking reminders --------------------------------------------------------------------------------


def test_the_sweep_runs_every_minute():
    entry = celery_app.conf.beat_schedule["sweep-notifications"]

    assert entry["task"] == "notifications.tasks.sweep_notifications"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == 60.0


def test_a_booking_approved_three_days_ahead_gets_a_reminder_24_hours_and_one_hour_before(
    pending, booker, approve, sweep_at, mailoutbox
):
    approve(pending)
    start = pending.start
    mailoutbox.clear()

    sweep_at(start - timedelta(hours=24, minutes=1))
    assert not booking_reminders(pending).exists()

    sweep_at(start - timedelta(hours=24))
    day_before = booking_reminders(pending)
    assert [(r.channel, r.due_at, r.status) for r in day_before.order_by("channel")] == [
        ("email", start - timedelta(hours=24), "sent"),
        ("in_app", start - timedelta(hours=24), "sent"),
    ]
    assert reminder_subjects(mailoutbox) == [REMINDER_24H]

    sweep_at(start - timedelta(hours=1, minutes=1))
    assert booking_reminders(pending).count() == 2

    sweep_at(start - timedelta(hours=1))
    hour_before = booking_reminders(pending).filter(context__hours=1)
    assert set(hour_before.values_list("due_at", "status")) == {(start - timedelta(hours=1), "sent")}
    assert reminder_subjects(mailoutbox) == [REMINDER_24H, REMINDER_1H]
    [message, _] = mailoutbox
    assert message.to == [booker.email]
    assert f"/bookings/{pending.pk}/" in message.body
    assert "Title: Robot demo" in message.body

    for minutes in range(1, 61, 10):
        sweep_at(start - timedelta(hours=1) + timedelta(minutes=minutes))
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    ("before_start", "sent"),
    [(timedelta(hours=24, minutes=1), []), (timedelta(hours=24), [REMINDER_24H])],
    ids=["24h-and-1-minute-before", "exactly-24h-before"],
)
def test_the_day_before_reminder_is_sent_exactly_24_hours_before_the_start(
    before_start, sent, pending, approve, sweep_at, mailoutbox
):
    approve(pending)
    mailoutbox.clear()

    sweep_at(pending.start - before_start)

    assert reminder_subjects(mailoutbox) == sent


def test_a_booking_approved_two_hours_before_the_start_gets_only_the_one_hour_reminder(
    booker, space, approve, sweep_at, mailoutbox, clock
):
    booking = pending_booking_for(booker, space, NOW + timedelta(hours=2))
    approve(booking)
    mailoutbox.clear()

    for minutes in range(0, 125, 5):
        sweep_at(NOW + timedelta(minutes=minutes))

    assert reminder_subjects(mailoutbox) == [REMINDER_1H]
    assert set(booking_reminders(booking).values_list("context__hours", "due_at")) == {
        (1, booking.start - timedelta(hours=1))
    }


def test_a_booking_approved_23_hours_ahead_gets_no_late_day_before_reminder(
    booker, space, approve, sweep_at, mailoutbox
):
    booking = pending_booking_for(booker, space, NOW + timedelta(hours=23))
    approve(booking)
    mailoutbox.clear()

    sweep_at(NOW + timedelta(minutes=1))
    sweep_at(booking.start - timedelta(hours=1))

    assert reminder_subjects(mailoutbox) == [REMINDER_1H]


def test_a_cancelled_booking_gets_no_reminders(pending, booker, approve, sweep_at, mailoutbox, run_on_commit):
    approve(pending)
    with run_on_commit():
        bookings.cancel_booking(booking=pending, user=booker)
    mailoutbox.clear()

    sweep_at(pending.start - timedelta(hours=24))
    sweep_at(pending.start - timedelta(hours=1))

    assert mailoutbox == []
    assert not booking_reminders(pending).exists()


def test_pending_and_rejected_bookings_get_no_reminders(booker, space, manager, sweep_at, mailoutbox, run_on_commit):
    waiting = pending_booking_for(booker, space, seoul(2026, 12, 2, 10))
    refused = pending_booking_for(booker, space, seoul(2026, 12, 2, 14))
    with run_on_commit():
        bookings.reject_booking(booking=refused, manager=manager, reason="Full that day.")
    mailoutbox.clear()

    for moment in (seoul(2026, 12, 1, 10), seoul(2026, 12, 1, 14), seoul(2026, 12, 2, 9), seoul(2026, 12, 2, 13)):
        sweep_at(moment)

    assert mailoutbox == []
    assert not Notification.objects.filter(kind="booking_reminder").exists()
    assert waiting.status == Booking.Status.PENDING


def test_someone_who_turned_reminders_off_on_the_account_page_gets_decisions_but_no_reminders(
    pending, booker, approve, sweep_at, mailoutbox, client
):
    client.force_login(booker)
    page = client.get(reverse("accounts:profile"))
    assert 'name="reminders_enabled"' in page.content.decode()
    response = client.post(reverse("accounts:profile"), {"name": booker.name, "language": "en"})
    assert response.status_code == 302
    booker.refresh_from_db()
    assert booker.reminders_enabled is False

    approve(pending)
    sweep_at(pending.start - timedelta(hours=24))
    sweep_at(pending.start - timedelta(hours=1))

    assert [message.subject for message in mailoutbox] == ["[Dongnam] Your booking is approved"]
    assert not booking_reminders(pending).exists()


def test_creating_the_reminders_again_and_again_sends_each_once(pending, approve, sweep_at, mailoutbox):
    approve(pending)
    mailoutbox.clear()

    for _again in range(3):
        sweep_at(pending.start - timedelta(hours=24))
        create_booking_reminders(now=timezone.now())

    assert reminder_subjects(mailoutbox) == [REMINDER_24H]
    assert booking_reminders(pending).count() == 2


# --- The managers' morning digest -----------------------------------------------------------------------


@pytest.fixture
def english_managers(manager, other_manager):
    for user in (manager, other_manager):
        user.language = "en"
        user.save(update_fields=["language"])
    return manager, other_manager


def test_the_digest_is_scheduled_for_nine_in_the_morning_in_seoul():
    entry = celery_app.conf.beat_schedule["manager-digests"]

    assert entry["task"] == "bookings.notifications.send_manager_digests"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == crontab(hour=9, minute=0)
    assert celery_app.conf.timezone == "Asia/Seoul"


def test_each_manager_gets_one_digest_of_their_own_facilities_pending_approvals(
    english_managers, hall, space, booker, mailoutbox, clock, run_on_commit
):
    manager, other_manager = english_managers
    lab_manager = UserFactory(email="lab.manager@example.com", language="en")
    enable_totp(lab_manager)  # a manager without the second factor manages nothing (hall.selectors)
    hall["content-korea-lab"].managers.add(lab_manager)
    lab_room = SpaceFactory(facility=hall["content-korea-lab"], name_en="Studio 2")
    pending_booking_for(booker, space, seoul(2026, 12, 3, 10), title="Board meeting")
    pending_booking_for(booker, space, seoul(2026, 12, 3, 14), title="Investor pitch")
    pending_booking_for(booker, lab_room, seoul(2026, 12, 3, 10), title="Podcast recording")
    pending_booking_for(booker, space, seoul(2026, 11, 30, 10), title="Already over")
    BookingFactory(space=space, start=seoul(2026, 12, 5, 10), status=Booking.Status.APPROVED, title="Decided")

    with run_on_commit():
        send_manager_digests()

    by_address = {message.to[0]: message for message in mailoutbox}
    assert sorted(by_address) == sorted([manager.email, lab_manager.email])
    town_digest = by_address[manager.email]
    assert town_digest.subject == "[Dongnam] Waiting for you today: 2 bookings, 0 renewals"
    assert "Board meeting" in town_digest.body
    assert "Investor pitch" in town_digest.body
    assert "Podcast recording" not in town_digest.body
    assert "Already over" not in town_digest.body
    assert "Decided" not in town_digest.body
    assert "http://127.0.0.1:8000/manage/approvals/" in town_digest.body
    lab_digest = by_address[lab_manager.email]
    assert lab_digest.subject == "[Dongnam] Waiting for you today: 1 bookings, 0 renewals"
    assert "Podcast recording" in lab_digest.body
    assert "Board meeting" not in lab_digest.body
    assert not Notification.objects.filter(recipient=other_manager).exists()
    assert Notification.objects.filter(recipient=manager, kind="manager_digest", channel="in_app").count() == 1


def test_the_digest_names_the_rooms_in_each_managers_language_whatever_the_job_runs_in(
    manager, hall, space, booker, mailoutbox, clock, run_on_commit
):
    english_manager = UserFactory(email="english.manager@example.com", language="en")
    enable_totp(english_manager)
    hall["innovation-town"].managers.add(english_manager)
    space.name, space.name_en = "혁신 회의실", "Innovation room"
    space.save(update_fields=["name", "name_en"])
    pending_booking_for(booker, space, seoul(2026, 12, 3, 10), title="Board meeting")

    with translation.override("ko"), run_on_commit():
        send_manager_digests()

    by_address = {message.to[0]: message for message in mailoutbox}
    english, korean = by_address[english_manager.email], by_address[manager.email]
    assert "12-03 10:00 Innovation room · Board meeting" in english.body
    assert "혁신 회의실" not in english.body
    assert "12-03 10:00 혁신 회의실 · Board meeting" in korean.body
    assert "Innovation room" not in korean.body


def test_running_the_digest_twice_the_same_day_sends_one_and_the_next_day_another(
    english_managers, space, booker, mailoutbox, clock, run_on_commit
):
    manager, _ = english_managers
    pending_booking_for(booker, space, seoul(2026, 12, 9, 10))

    for moment in (seoul(2026, 12, 1, 9), seoul(2026, 12, 1, 9, 30), seoul(2026, 12, 1, 23, 59)):
        clock.move_to(moment)
        with run_on_commit():
            send_manager_digests()
    assert [message.to for message in mailoutbox] == [[manager.email]]

    clock.move_to(seoul(2026, 12, 2, 9))
    with run_on_commit():
        send_manager_digests()
    assert [message.to for message in mailoutbox] == [[manager.email], [manager.email]]


def test_the_digest_counts_renewals_waiting_more_than_a_day(
    english_managers, tenant, unit, mailoutbox, clock, run_on_commit
):
    manager, _ = english_managers
    clock.move_to(NOW - timedelta(days=2))
    RenewalRequestFactory(contract=LeaseContractFactory(organization=tenant["organization"], unit=unit))
    clock.move_to(NOW - timedelta(hours=1))
    other_unit = LeasableUnitFactory(facility=unit.facility, code="106")
    RenewalRequestFactory(contract=LeaseContractFactory(organization=tenant["organization"], unit=other_unit))
    clock.move_to(NOW)

    with run_on_commit():
        send_manager_digests()

    [message] = mailoutbox
    assert message.to == [manager.email]
    assert message.subject == "[Dongnam] Waiting for you today: 0 bookings, 1 renewals"


# --- Lease endings -----------------------------------------------------------------------------------


def morning(day: date) -> datetime:
    return datetime.combine(day, time(8), tzinfo=SEOUL)


@pytest.fixture
def run_daily(clock, run_on_commit):
    """Run the 08:00 lease job (and send what it made) on each day from ``first`` to ``last``."""

    def run(first: date, last: date) -> None:
        day = first
        while day <= last:
            clock.move_to(morning(day))
            with run_on_commit():
                send_lease_expiry_reminders()
            day += timedelta(days=1)

    return run


def lease_subjects(outbox, address) -> list[str]:
    return [message.subject for message in outbox if message.to == [address]]


def test_the_lease_job_is_scheduled_every_morning():
    entry = celery_app.conf.beat_schedule["lease-expiry-reminders"]

    assert entry["task"] == "tenants.notifications.send_lease_expiry_reminders"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == crontab(hour=8, minute=0)


def test_owners_and_admins_are_reminded_90_60_30_and_7_days_before_the_lease_ends(
    tenant, unit, run_daily, mailoutbox, clock
):
    today = NOW.date()
    contract = LeaseContractFactory(
        organization=tenant["organization"], unit=unit, end_date=today + timedelta(days=100)
    )

    run_daily(today, contract.end_date)

    expected = [f"[Dongnam] Your lease ends in {days} days" for days in (90, 60, 30, 7)]
    assert lease_subjects(mailoutbox, tenant["owner"].email) == expected
    assert lease_subjects(mailoutbox, tenant["admin"].email) == expected
    assert lease_subjects(mailoutbox, tenant["member"].email) == []
    assert len(mailoutbox) == 8
    first = next(message for message in mailoutbox if message.to == [tenant["owner"].email])
    assert f"http://127.0.0.1:8000/contracts/{contract.pk}/" in first.body
    assert contract.end_date.isoformat() in first.body
    sent_days = sorted(
        {
            timezone.localdate(row.sent_at)
            for row in Notification.objects.filter(kind="lease_expiry", recipient=tenant["owner"], channel="email")
        }
    )
    assert sent_days == [contract.end_date - timedelta(days=days) for days in (90, 60, 30, 7)]


def test_no_lease_reminders_once_a_renewal_is_approved(tenant, contract, manager, run_daily, mailoutbox, clock):
    renewal = RenewalRequestFactory(contract=contract, requested_by=tenant["owner"])
    tenancy.approve_renewal(renewal=renewal, manager=manager, monthly_rent=contract.monthly_rent)
    mailoutbox.clear()

    run_daily(NOW.date(), contract.end_date)

    assert [message.subject for message in mailoutbox if "lease" in message.subject] == []
    assert not Notification.objects.filter(kind="lease_expiry").exists()


def test_no_lease_reminders_once_notice_was_given(tenant, contract, run_daily, mailoutbox, run_on_commit):
    with run_on_commit():
        tenancy.give_notice(contract=contract, user=tenant["owner"], note="Moving out.")

    run_daily(NOW.date(), contract.end_date)

    assert mailoutbox == []


def test_a_renewal_still_under_review_does_not_stop_the_reminders(tenant, contract, run_daily, mailoutbox):
    RenewalRequestFactory(contract=contract, requested_by=tenant["owner"], status=RenewalRequest.Status.SUBMITTED)

    run_daily(NOW.date(), contract.end_date)

    assert lease_subjects(mailoutbox, tenant["owner"].email) == [
        "[Dongnam] Your lease ends in 45 days",
        "[Dongnam] Your lease ends in 30 days",
        "[Dongnam] Your lease ends in 7 days",
    ]


def test_a_contract_entering_the_window_late_gets_only_the_nearest_reminder(tenant, contract, run_daily, mailoutbox):
    # The contract ends 45 days from now: the 90- and 60-day reminders were never sent.
    run_daily(NOW.date(), NOW.date() + timedelta(days=14))

    assert lease_subjects(mailoutbox, tenant["owner"].email) == ["[Dongnam] Your lease ends in 45 days"]

    run_daily(NOW.date() + timedelta(days=15), contract.end_date)

    assert lease_subjects(mailoutbox, tenant["owner"].email) == [
        "[Dongnam] Your lease ends in 45 days",
        "[Dongnam] Your lease ends in 30 days",
        "[Dongnam] Your lease ends in 7 days",
    ]


def test_running_the_lease_job_twice_a_day_reminds_once(tenant, contract, clock, mailoutbox, run_on_commit):
    for hour in (8, 8, 20):
        clock.move_to(seoul(2026, 12, 16, hour))  # 30 days before the end
        with run_on_commit():
            send_lease_expiry_reminders()

    assert lease_subjects(mailoutbox, tenant["owner"].email) == ["[Dongnam] Your lease ends in 30 days"]


def test_an_expired_contract_is_announced_once_to_owners_and_admins(tenant, unit, clock, mailoutbox, run_on_commit):
    ended = LeaseContractFactory(
        organization=tenant["organization"], unit=unit, end_date=NOW.date() - timedelta(days=1)
    )

    for _night in range(2):
        with run_on_commit():
            tenancy.update_contract_statuses()
        clock.shift(timedelta(days=1))

    ended.refresh_from_db()
    assert ended.status == LeaseContract.Status.EXPIRED
    assert sorted(message.to[0] for message in mailoutbox) == sorted([tenant["owner"].email, tenant["admin"].email])
    assert all(message.subject == "[Dongnam] Your lease has ended" for message in mailoutbox)
    assert Notification.objects.filter(kind="contract_expired").count() == 4


def test_a_renewed_contract_ending_is_not_announced_as_expired(tenant, unit, clock, mailoutbox, run_on_commit):
    old = LeaseContractFactory(organization=tenant["organization"], unit=unit, end_date=NOW.date() - timedelta(days=1))
    LeaseContractFactory(
        organization=tenant["organization"],
        unit=unit,
        start_date=NOW.date(),
        end_date=NOW.date() + timedelta(days=364),
        renews=old,
    )

    with run_on_commit():
        counts = tenancy.update_contract_statuses()

    assert counts == {"renewed": 1, "expired": 0}
    assert mailoutbox == []


def sweep_queries(moment) -> int:
    with CaptureQueriesContext(connection) as captured:
        create_booking_reminders(now=moment)
    return len(captured)


def test_the_sweep_does_not_make_a_query_per_booking_of_the_next_day(booker, space, clock):
    def book_tomorrow(count, first_hour):
        for number in range(count):
            BookingFactory(
                requested_by=booker,
                space=space,
                start=NOW + timedelta(hours=first_hour + number),
                status=Booking.Status.APPROVED,
                decided_at=NOW - timedelta(days=7),
            )

    book_tomorrow(3, first_hour=2)
    create_booking_reminders(now=NOW)
    few = sweep_queries(NOW + timedelta(minutes=1))

    book_tomorrow(20, first_hour=5)
    assert create_booking_reminders(now=NOW + timedelta(minutes=2)) == 40
    many = sweep_queries(NOW + timedelta(minutes=3))

    assert few == many
    assert Notification.objects.filter(kind="booking_reminder").count() == 46
