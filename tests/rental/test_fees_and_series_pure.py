"""Fee, refund and weekly-series arithmetic on objects built in memory: no database (`make test-fast`).

tests/rental/test_fees.py and test_series.py test the same through saved bookings and the pages.
"""

from datetime import date, timedelta

import pytest

from bookings import fees, series
from hall.models import Facility, Space
from tenants.models import Organization
from tests.factories import seoul

pytestmark = pytest.mark.fast


def room(**fields) -> Space:
    return Space(facility=Facility(slug="town"), slug="room", capacity=12, **fields)


# --- fees ----------------------------------------------------------------------------------


def test_an_hourly_fee_is_charged_pro_rata_by_the_minute():
    space = room(fee=10_000)

    assert fees.gross_fee(space, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 12)) == 20_000
    assert fees.gross_fee(space, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 11, 30)) == 15_000
    assert fees.gross_fee(room(fee=0), seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 12)) == 0


def test_a_daily_fee_is_charged_per_started_day():
    space = room(fee=200_000, booking_unit=Space.BookingUnit.DAY)

    assert fees.gross_fee(space, seoul(2026, 12, 7), seoul(2026, 12, 8)) == 200_000
    assert fees.gross_fee(space, seoul(2026, 12, 7), seoul(2026, 12, 10)) == 600_000


def test_the_largest_reduction_applies_and_is_rounded_in_the_applicants_favour():
    space = room(fee=10_001)
    cooperative = Organization(name="협동조합", kind=Organization.Kind.COOPERATIVE)
    public_body = Organization(name="창원시", kind=Organization.Kind.PUBLIC_BODY)
    start, end = seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 11)

    nobody = fees.price(space, start, end, None, is_tenant=False)
    social = fees.price(space, start, end, cooperative, is_tenant=False)
    public = fees.price(space, start, end, public_body, is_tenant=True)

    assert (nobody.reduction_percent, nobody.amount_due) == (0, 10_001)
    assert (social.reduction_percent, social.reduction_category, social.amount_due) == (30, "social_economy", 7000)
    assert (public.reduction_percent, public.reduction_category, public.amount_due) == (50, "public_body", 5000)


@pytest.mark.parametrize(
    ("start", "percent"),
    [
        (seoul(2026, 12, 8, 10), 100),  # 7 days before
        (seoul(2026, 12, 7, 10), 90),  # 6 days before
        (seoul(2026, 12, 4, 10), 90),  # 3 days before
        (seoul(2026, 12, 3, 10), 70),  # 2 days before
        (seoul(2026, 12, 2, 0, 30), 70),  # just after midnight in Seoul: the next local day
        (seoul(2026, 12, 1, 23), 0),  # the same day
    ],
)
def test_refund_tiers_count_whole_local_days_before_the_start(start, percent):
    now = seoul(2026, 12, 1, 23, 30)

    assert fees.refund_percent(Facility(slug="town"), start, now) == percent


def test_a_refund_is_rounded_down_to_the_won():
    assert fees.refund_amount(10_001, 70) == 7000
    assert fees.refund_amount(15_000, 100) == 15_000
    assert fees.refund_amount(15_000, 0) == 0


# --- weekly series -------------------------------------------------------------------------


def test_a_weekly_series_keeps_the_local_time_on_each_chosen_weekday():
    periods = series.plan(
        start=seoul(2026, 12, 7, 10),
        end=seoul(2026, 12, 7, 12),
        recurrence=series.Recurrence(weekdays=("MO", "WE"), count=4),
    )

    assert periods == [
        (seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 12)),
        (seoul(2026, 12, 9, 10), seoul(2026, 12, 9, 12)),
        (seoul(2026, 12, 14, 10), seoul(2026, 12, 14, 12)),
        (seoul(2026, 12, 16, 10), seoul(2026, 12, 16, 12)),
    ]


def test_every_other_week_until_an_end_date_includes_that_date():
    periods = series.plan(
        start=seoul(2026, 12, 7, 10),
        end=seoul(2026, 12, 7, 11),
        recurrence=series.Recurrence(weekdays=("MO",), interval=2, until=date(2027, 1, 4)),
    )

    assert [start.date() for start, _ in periods] == [date(2026, 12, 7), date(2026, 12, 21), date(2027, 1, 4)]


def test_an_end_date_giving_more_than_26_dates_is_refused():
    start = seoul(2026, 12, 7, 10)

    exactly = series.plan(
        start=start,
        end=start + timedelta(hours=1),
        recurrence=series.Recurrence(weekdays=("MO",), until=(start + timedelta(weeks=25)).date()),
    )
    assert len(exactly) == 26
    with pytest.raises(Exception) as refused:  # any domain error: its class is moving between modules
        series.plan(
            start=start,
            end=start + timedelta(hours=1),
            recurrence=series.Recurrence(weekdays=("MO",), until=(start + timedelta(weeks=26)).date()),
        )
    assert refused.value.code == "invalid_recurrence"


@pytest.mark.parametrize(
    "recurrence",
    [
        series.Recurrence(weekdays=(), count=3),
        series.Recurrence(weekdays=("XX",), count=3),
        series.Recurrence(weekdays=("MO",), interval=9, count=3),
        series.Recurrence(weekdays=("MO",)),  # neither an end date nor a count
        series.Recurrence(weekdays=("MO",), count=3, until=date(2027, 1, 4)),  # both
        series.Recurrence(weekdays=("MO",), count=27),
    ],
)
def test_a_malformed_recurrence_is_refused(recurrence):
    with pytest.raises(Exception) as refused:
        series.validate_recurrence(recurrence)

    assert refused.value.code == "invalid_recurrence"
