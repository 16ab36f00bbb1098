"""The demo's lively month: bookings around the day it is loaded, through the services, loaded once."""

from collections import Counter
from datetime import datetime, timedelta
from io import StringIO
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import rules
from bookings.models import Booking, BookingSeries, Closure, WaitlistEntry
from demo.layout import load_demo
from demo.month import DAYS_AFTER, DAYS_BEFORE
from notifications.models import Notification
from tenants.models import RenewalRequest

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
# A Tuesday morning, with a public holiday (1 March) in the fortnight before.
LOAD = datetime(2027, 3, 2, 10, 0, tzinfo=SEOUL)
FACILITIES = {"innovation-town", "art-center", "content-korea-lab", "webtoon-campus"}


def _seed():
    out = StringIO()
    call_command("seed_dongnam", "--demo", stdout=out)
    return out.getvalue()


def _at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def _active():
    return Booking.objects.filter(status__in=Booking.ACTIVE_STATUSES).select_related("space__facility")


def _every_facility_has_bookings_in_the_two_weeks_before_and_the_three_weeks_after():
    first, last = LOAD - timedelta(days=DAYS_BEFORE), LOAD + timedelta(days=DAYS_AFTER)
    past = Counter(b.space.facility.slug for b in _active().filter(start__lt=LOAD))
    coming = Counter(b.space.facility.slug for b in _active().filter(start__gte=LOAD))

    assert set(past) == set(coming) == FACILITIES
    assert min(past.values()) >= 5 and min(coming.values()) >= 8
    assert not Booking.objects.filter(start__lt=first.replace(hour=0)).exists()
    assert not Booking.objects.filter(start__gt=last.replace(hour=23)).exclude(series__isnull=False).exists()


def _every_booking_keeps_the_rooms_rules():
    bookings = list(Booking.objects.select_related("space__facility"))

    for booking in bookings:
        assert rules.hours_allow(booking.space, booking.start, booking.end), booking
        assert booking.attendees <= booking.space.capacity, booking
        assert rules.holiday_name(rules.local(booking.start).date()) is None, booking
    active = sorted((b.space_id, b.start, b.end) for b in bookings if b.is_active)
    for (space, _, end), (next_space, next_start, _) in pairwise(active):
        assert space != next_space or end <= next_start


def _the_titles_are_those_of_the_halls_users_in_korean_and_in_english():
    titles = set(Booking.objects.values_list("title", flat=True))

    assert {"로컬푸드 라이브커머스 방송", "웹툰 드로잉 기초반", "Product demo video shoot"} & titles
    assert any(title.isascii() for title in titles)
    assert sum(not title.isascii() for title in titles) > 20
    organizations = set(Booking.objects.values_list("organization__kind", flat=True))
    assert {"startup", "cooperative", "village_enterprise", "content_company", "public_body", "other"} <= organizations


def _past_bookings_were_approved_and_paid():
    past = Booking.objects.filter(start__lt=LOAD, status=Booking.Status.APPROVED)

    assert past.count() > 30
    assert not Booking.objects.filter(start__lt=LOAD, status=Booking.Status.PENDING).exists()
    assert not past.filter(payment_status=Booking.PaymentStatus.UNPAID).exists()
    assert past.filter(payment_status=Booking.PaymentStatus.PAID).count() > 10
    for booking in past.filter(payment_status=Booking.PaymentStatus.PAID):
        assert booking.created <= booking.decided_at < booking.paid_at < booking.start


def _coming_bookings_wait_for_approval_are_due_for_payment_or_are_paid():
    coming = Booking.objects.filter(start__gte=LOAD)

    pending = coming.filter(status=Booking.Status.PENDING)
    assert pending.count() >= 5
    assert len({b.space.facility_id for b in pending.select_related("space")}) >= 3
    due = coming.filter(status=Booking.Status.APPROVED, payment_status=Booking.PaymentStatus.UNPAID)
    assert due.count() >= 3
    for booking in due:
        assert LOAD < booking.payment_deadline <= booking.start
    assert coming.filter(status=Booking.Status.APPROVED, payment_status=Booking.PaymentStatus.PAID).count() >= 5
    # Nothing is left for the unpaid-bookings sweep to cancel the moment the demo starts.
    assert not coming.filter(payment_status=Booking.PaymentStatus.UNPAID, payment_deadline__lte=LOAD).exists()


def _the_startup_meets_every_thursday_in_a_paid_weekly_series():
    series = BookingSeries.objects.get(requested_by__email="startup@dongnam.example")
    dates = list(series.bookings.order_by("start"))

    assert series.weekdays == ["TH"]
    assert len(dates) >= 6
    assert {rules.local(b.start).strftime("%a %H:%M") for b in dates} == {"Thu 16:00"}
    assert {b.payment_status for b in dates} == {Booking.PaymentStatus.PAID}
    assert dates[0].start < LOAD < dates[-1].start


def _a_maintenance_closure_is_coming_and_the_bookings_it_hit_were_cancelled_and_refunded():
    closure = Closure.objects.get()

    assert closure.space.slug == "town-seminar"
    assert LOAD + timedelta(days=7) < closure.start < LOAD + timedelta(days=DAYS_AFTER + 1)
    hit = Booking.objects.filter(space=closure.space, start__lt=closure.end, end__gt=closure.start)
    assert hit.exists()
    for booking in hit:
        assert booking.status == Booking.Status.CANCELLED
        assert closure.reason in booking.cancel_reason
        assert booking.payment_status in (Booking.PaymentStatus.REFUND_DUE, Booking.PaymentStatus.NOT_REQUIRED)
        assert Notification.objects.filter(
            kind=Notification.Kind.CLOSURE_CANCELLED, recipient=booking.requested_by, subject_id=booking.pk
        ).exists()


def _a_cancelled_booking_was_offered_to_the_tenant_waiting_for_it():
    cancelled = Booking.objects.get(title="사회적경제 포럼 준비 회의")
    offer = WaitlistEntry.objects.get(requested_by__email="tenant@dongnam.example").offer

    assert cancelled.status == Booking.Status.CANCELLED
    assert cancelled.cancelled_by == cancelled.requested_by
    assert cancelled.payment_status == Booking.PaymentStatus.REFUND_DUE
    assert offer.status == Booking.Status.OFFERED
    assert (offer.space, offer.start, offer.end) == (cancelled.space, cancelled.start, cancelled.end)
    assert LOAD < offer.offer_expires_at <= LOAD + timedelta(days=1)
    assert Notification.objects.filter(
        kind=Notification.Kind.WAITLIST_OFFER, recipient=offer.requested_by, subject_id=offer.pk
    ).exists()


def _the_demo_users_have_the_messages_that_follow_from_their_month():
    def kinds(email):
        return set(
            Notification.objects.filter(recipient__email=email, channel=Notification.Channel.IN_APP).values_list(
                "kind", flat=True
            )
        )

    assert Notification.Kind.BOOKING_APPROVED in kinds("startup@dongnam.example")
    assert {Notification.Kind.BOOKING_APPROVED, Notification.Kind.WAITLIST_OFFER} <= kinds("tenant@dongnam.example")
    assert Notification.Kind.RENEWAL_SUBMITTED in kinds("manager.town@dongnam.example")
    assert RenewalRequest.objects.get().status == RenewalRequest.Status.SUBMITTED


def _the_managers_decided_although_they_have_not_set_up_two_factor_sign_in_yet(settings):
    assert settings.MANAGER_MFA_REQUIRED
    deciders = set(Booking.objects.exclude(decided_by__isnull=True).values_list("decided_by__email", flat=True))

    assert {
        "manager.town@dongnam.example",
        "manager.art@dongnam.example",
        "manager.ckl@dongnam.example",
        "manager.webtoon@dongnam.example",
    } <= deciders


def test_a_month_of_bookings_around_the_load_in_every_facility_by_the_rules():
    """One load, checked from several sides (a load takes seconds)."""
    with _at(LOAD):
        _seed()

    _every_facility_has_bookings_in_the_two_weeks_before_and_the_three_weeks_after()
    _every_booking_keeps_the_rooms_rules()
    _the_titles_are_those_of_the_halls_users_in_korean_and_in_english()
    _past_bookings_were_approved_and_paid()
    _coming_bookings_wait_for_approval_are_due_for_payment_or_are_paid()


def test_the_months_stories_series_closure_offer_renewal_and_their_messages(settings):
    with _at(LOAD):
        _seed()

    _the_startup_meets_every_thursday_in_a_paid_weekly_series()
    _a_maintenance_closure_is_coming_and_the_bookings_it_hit_were_cancelled_and_refunded()
    _a_cancelled_booking_was_offered_to_the_tenant_waiting_for_it()
    _the_demo_users_have_the_messages_that_follow_from_their_month()
    _the_managers_decided_although_they_have_not_set_up_two_factor_sign_in_yet(settings)


def _rows():
    return {
        model._meta.label: [repr(row) for row in model.objects.order_by("pk").values()]
        for model in apps.get_models(include_auto_created=True)
    }


def test_loading_again_the_same_day_writes_nothing():
    with _at(LOAD):
        _seed()
    before = _rows()

    with _at(LOAD + timedelta(hours=3)), CaptureQueriesContext(connection) as queries:
        output = _seed()

    assert "(0 new rows)" in output
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert _rows() == before


def test_a_week_later_the_coming_weeks_are_topped_up_without_duplicates():
    with _at(LOAD):
        _seed()
    later = LOAD + timedelta(days=7)
    end_of_first = LOAD + timedelta(days=DAYS_AFTER + 1)

    with _at(later):
        output = _seed()
        _seed()

    assert "(0 new rows)" not in output
    added = Counter(
        b.space.facility.slug
        for b in _active().filter(start__gte=end_of_first.replace(hour=0), start__lt=later + timedelta(days=22))
        if b.series_id is None
    )
    assert set(added) == FACILITIES
    keys = Counter(Booking.objects.values_list("space_id", "start", "title"))
    assert max(keys.values()) == 1
    assert Closure.objects.filter(end__gt=later).exists()
    assert RenewalRequest.objects.count() == 1


def test_the_browser_tests_load_the_layout_without_the_month(settings):
    load_demo(password=settings.DEMO_PASSWORD)

    assert not Booking.objects.exists()
    assert not Closure.objects.exists()
    assert not RenewalRequest.objects.exists()


def test_loading_sends_no_mail_itself_and_survives_a_mail_server_that_does_not_answer(
    settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1

    with _at(LOAD), django_capture_on_commit_callbacks(execute=True):
        output = _seed()

    assert "Demo data loaded" in output
    emails = Notification.objects.filter(channel=Notification.Channel.EMAIL)
    assert emails.exists()
    assert not emails.filter(status=Notification.Status.SENT).exists()
    assert mailoutbox == []
