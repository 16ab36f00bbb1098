"""Monthly hours per organization and facility, shared by all its members and counted by the month of the
start in Asia/Seoul; a manager may override it."""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.db import connection

from audit.models import AuditEntry
from bookings import admission, services
from bookings.models import Booking
from tests.factories import MembershipFactory, SpaceFactory, UserFactory, seoul
from tests.rental.factories import MONDAY_10, PaidSpaceFactory, book, member_of, org_of, organization_member
from tests.tenants.factories import LeaseContractFactory

TUESDAY_10 = MONDAY_10 + timedelta(days=1)


@pytest.fixture
def quota(town):
    """Four hours a month per organization at the Innovation Town."""
    town.monthly_quota_hours = 4
    town.save()
    return town


def refused(user, space, start, **extra) -> services.BookingError:
    with pytest.raises(services.BookingError) as error:
        book(user, space, start, **extra)
    return error.value


def test_members_of_one_organization_share_its_monthly_hours(quota, room, member, colleague):
    book(member, room, MONDAY_10, hours=3)

    error = refused(colleague, room, TUESDAY_10, hours=2)

    assert error.code == "quota_exceeded"
    assert error.status == 400
    assert "4 hours" in error.message and "1 h left" in error.message
    assert list(Booking.objects.values_list("requested_by", flat=True)) == [member.pk]


def test_the_last_hour_of_the_quota_can_be_booked(quota, room, member, colleague):
    book(member, room, MONDAY_10, hours=3)

    booking = book(colleague, room, TUESDAY_10, hours=1)

    assert booking.status == Booking.Status.PENDING
    assert services.quota_left_minutes(org_of(member), quota, MONDAY_10, is_tenant=False) == 0


def test_another_organization_has_its_own_hours(quota, room, member, stranger):
    book(member, room, MONDAY_10, hours=3)

    booking = book(stranger, room, TUESDAY_10, hours=2)

    assert booking.organization == org_of(stranger)


def test_one_booking_longer_than_the_quota_is_refused(quota, room, member):
    assert refused(member, room, MONDAY_10, hours=4.5).code == "quota_exceeded"
    assert not Booking.objects.exists()


def test_without_a_quota_an_organization_books_as_much_as_it_likes(town, room, member):
    for day in range(4):
        book(member, room, MONDAY_10 + timedelta(days=day), hours=8)

    assert Booking.objects.count() == 4


def test_someone_booking_without_organization_has_no_quota(quota, room):
    loner = UserFactory()
    book(loner, room, MONDAY_10, hours=3)

    assert book(loner, room, TUESDAY_10, hours=3).organization is None


def test_the_quota_is_per_facility(quota, art_center, room, member):
    art_center.monthly_quota_hours = 4
    art_center.save()
    book(member, room, MONDAY_10, hours=4)

    booking = book(member, PaidSpaceFactory(facility=art_center), MONDAY_10, hours=3)

    assert booking.space.facility == art_center


def test_all_spaces_of_the_facility_count_together(quota, town, room, member, colleague):
    book(member, room, MONDAY_10, hours=3)

    error = refused(colleague, PaidSpaceFactory(facility=town), MONDAY_10, hours=2)

    assert error.code == "quota_exceeded"


# --- tenants ---------------------------------------------------------------------------------------


def test_a_tenant_has_the_tenant_quota(quota, room, member, colleague):
    quota.tenant_monthly_quota_hours = 10
    quota.save()
    LeaseContractFactory(organization=org_of(member))
    book(member, room, MONDAY_10, hours=3)

    book(colleague, room, TUESDAY_10, hours=7)

    assert refused(colleague, room, TUESDAY_10 + timedelta(days=1), hours=0.5).code == "quota_exceeded"


def test_a_non_tenant_keeps_the_ordinary_quota_when_tenants_get_more(quota, room, member, colleague):
    quota.tenant_monthly_quota_hours = 10
    quota.save()
    book(member, room, MONDAY_10, hours=3)

    assert refused(colleague, room, TUESDAY_10, hours=2).code == "quota_exceeded"


def test_a_tenant_without_a_tenant_quota_has_the_ordinary_one(quota, room, member):
    LeaseContractFactory(organization=org_of(member))
    book(member, room, MONDAY_10, hours=3)

    assert refused(member, room, TUESDAY_10, hours=2).code == "quota_exceeded"


# --- what counts -----------------------------------------------------------------------------------


def test_cancelled_bookings_give_their_hours_back(quota, room, member, colleague):
    first = book(member, room, MONDAY_10, hours=3)
    services.cancel_booking(booking=first, user=member)

    booking = book(colleague, room, TUESDAY_10, hours=4)

    assert booking.status == Booking.Status.PENDING


def test_rejected_bookings_give_their_hours_back(quota, room, member, colleague, manager):
    first = book(member, room, MONDAY_10, hours=3)
    services.reject_booking(booking=first, manager=manager, reason="Reserved for the hall's event")

    booking = book(colleague, room, TUESDAY_10, hours=4)

    assert booking.status == Booking.Status.PENDING


def test_approved_bookings_count_as_well_as_pending_ones(quota, room, member, colleague, manager):
    services.approve_booking(booking=book(member, room, MONDAY_10, hours=2), manager=manager)
    book(member, room, TUESDAY_10, hours=2)

    assert refused(colleague, room, TUESDAY_10 + timedelta(days=1), hours=0.5).code == "quota_exceeded"


def test_the_hours_of_another_month_do_not_count(quota, room, member, colleague):
    book(member, room, MONDAY_10, hours=4)

    booking = book(colleague, room, seoul(2027, 1, 4, 10), hours=4)

    assert booking.start.month == 1


@pytest.fixture
def night_room(town):
    """Open day and night, holidays included, so bookings can start just after midnight."""
    return PaidSpaceFactory(
        facility=town,
        open_on_holidays=True,
        opening_hours={day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )


def test_a_booking_starting_at_half_past_midnight_on_the_first_counts_for_that_month(
    quota, room, night_room, member, colleague
):
    book(member, room, MONDAY_10, hours=3)  # December: one hour left

    new_year = book(colleague, night_room, seoul(2027, 1, 1, 0, 30), hours=2)

    organization = org_of(member)
    assert services.quota_used_minutes(organization, quota, seoul(2026, 12, 15)) == 180
    assert services.quota_used_minutes(organization, quota, seoul(2027, 1, 15)) == 120
    assert new_year.status == Booking.Status.PENDING


def test_a_booking_ending_at_midnight_counts_for_the_month_it_starts_in(quota, night_room, member, colleague):
    book(member, night_room, seoul(2026, 12, 31, 21), hours=3)  # until 2027-01-01 00:00

    assert refused(colleague, night_room, seoul(2026, 12, 7, 10), hours=1.5).code == "quota_exceeded"
    assert book(colleague, night_room, seoul(2027, 1, 4, 10), hours=4).start.month == 1


# --- shown before booking --------------------------------------------------------------------------


def test_the_booking_form_shows_the_hours_left_this_month(quota, room, member, member_client):
    book(member, room, MONDAY_10, hours=2.5)

    body = member_client.get(f"/spaces/{room.slug}/", {"date": "2026-12-07"}).content.decode()

    assert "Changwon Robots has 1.5 hours left here this month." in body


def test_the_booking_form_shows_the_hours_left_in_the_month_of_the_day_shown(quota, room, member, member_client):
    book(member, room, MONDAY_10, hours=2.5)

    body = member_client.get(f"/spaces/{room.slug}/", {"date": "2027-01-04"}).content.decode()

    assert "Changwon Robots has 4 hours left here this month." in body


def test_the_booking_form_shows_a_tenant_its_tenant_hours(quota, room, member, member_client):
    quota.tenant_monthly_quota_hours = 12
    quota.save()
    LeaseContractFactory(organization=org_of(member))

    body = member_client.get(f"/spaces/{room.slug}/").content.decode()

    assert "Changwon Robots has 12 hours left here this month." in body


def test_the_booking_form_mentions_no_hours_without_a_quota(room, member_client):
    body = member_client.get(f"/spaces/{room.slug}/").content.decode()

    assert "hours left here this month" not in body


def test_the_booking_form_tells_why_a_booking_over_the_quota_is_refused(quota, room, member, member_client):
    book(member, room, MONDAY_10, hours=3)

    response = member_client.post(
        f"/spaces/{room.slug}/book/",
        {"title": "Long", "date": "2026-12-08", "start_time": "10:00", "end_time": "12:00", "attendees": "3"},
    )

    assert response.status_code == 400
    assert "This would pass your organization&#x27;s 4 hours this month here (1 h left)." in response.content.decode()
    assert Booking.objects.count() == 1


def test_the_api_refuses_a_booking_over_the_quota_with_its_code(quota, room, member, member_api):
    book(member, room, MONDAY_10, hours=3)

    response = member_api.post(
        "/api/v1/bookings/",
        {
            "space": room.slug,
            "title": "Long",
            "attendees": 3,
            "start": "2026-12-08T10:00:00+09:00",
            "end": "2026-12-08T12:00:00+09:00",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "quota_exceeded"


# --- manager override ------------------------------------------------------------------------------


def test_a_manager_can_book_past_the_quota_with_a_reason(quota, room, member, manager):
    book(member, room, MONDAY_10, hours=4)
    MembershipFactory(organization=org_of(member), user=manager)

    booking = book(manager, room, TUESDAY_10, hours=2, override_reason="Agreed with the city")

    assert booking.status == Booking.Status.APPROVED
    assert booking.organization == org_of(member)
    assert services.quota_used_minutes(org_of(member), quota, MONDAY_10) == 360


def test_the_reason_of_a_quota_override_is_kept_with_the_booking(quota, room, member, manager):
    book(member, room, MONDAY_10, hours=4)
    MembershipFactory(organization=org_of(member), user=manager)

    booking = book(manager, room, TUESDAY_10, hours=2, override_reason="Agreed with the city")

    assert booking.override_reason == "Agreed with the city"
    entry = AuditEntry.objects.get(action="booking.created", target_id=booking.pk)
    assert "quota_exceeded" in entry.reason and "Agreed with the city" in entry.reason


def test_an_override_reason_within_the_quota_is_not_kept(quota, room, member, manager):
    MembershipFactory(organization=org_of(member), user=manager)

    booking = book(manager, room, TUESDAY_10, hours=2, override_reason="Just in case")

    assert booking.override_reason == ""


def test_without_a_reason_the_manager_is_held_to_the_quota_too(quota, room, member, manager):
    book(member, room, MONDAY_10, hours=4)
    MembershipFactory(organization=org_of(member), user=manager)

    assert refused(manager, room, TUESDAY_10, hours=1).code == "quota_exceeded"


# --- at the same moment (PostgreSQL) ---------------------------------------------------------------

BARRIER_TIMEOUT = 15
# How long a booker who has counted the month's hours waits for the others to count theirs too.
COUNTED_TIMEOUT = 2
JOIN_TIMEOUT = 60


@pytest.fixture
def counted_together(monkeypatch):
    """Widen the race: each booker, having counted the organization's hours, waits until all have counted
    (or until COUNTED_TIMEOUT, when the organization's lock keeps the others from counting)."""
    counted = {}
    real = admission.quota_used_minutes

    def quota_used_minutes(*args, **kwargs):
        minutes = real(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            counted["barrier"].wait(timeout=COUNTED_TIMEOUT)
        return minutes

    monkeypatch.setattr(admission, "quota_used_minutes", quota_used_minutes)
    return lambda parties: counted.update(barrier=threading.Barrier(parties))


def race(attempts):
    """Run every (user, space, start, hours) attempt in its own thread and connection, all at once."""
    barrier = threading.Barrier(len(attempts))
    outcomes = [("not run", None)] * len(attempts)

    def attempt(index):
        user, space, start, hours = attempts[index]
        try:
            barrier.wait(timeout=BARRIER_TIMEOUT)
            booking = book(user, space, start, hours=hours, title=f"Race {index}")
            outcomes[index] = ("booked", booking.pk)
        except services.BookingError as error:
            outcomes[index] = ("refused", error.code)
        except BaseException as error:
            outcomes[index] = ("crashed", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(index,), daemon=True) for index in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a booking thread hung"
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_members_booking_different_rooms_at_once_cannot_pass_the_quota_together(town, counted_together):
    town.monthly_quota_hours = 4
    town.save()
    first = organization_member()
    second = member_of(org_of(first))
    rooms = [PaidSpaceFactory(facility=town), PaidSpaceFactory(facility=town)]
    counted_together(2)

    outcomes = race([(first, rooms[0], MONDAY_10, 3), (second, rooms[1], TUESDAY_10, 3)])

    assert sorted(kind for kind, _ in outcomes) == ["booked", "refused"], outcomes
    assert [code for kind, code in outcomes if kind == "refused"] == ["quota_exceeded"]
    assert Booking.objects.filter(organization=org_of(first)).count() == 1
    assert services.quota_used_minutes(org_of(first), town, MONDAY_10) == 180


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_members_booking_an_hour_each_at_once_get_exactly_the_quota(town, counted_together):
    town.monthly_quota_hours = 4
    town.save()
    first = organization_member()
    members = [first] + [member_of(org_of(first)) for _ in range(7)]
    rooms = [SpaceFactory(facility=town, fee=0) for _ in members]
    counted_together(len(members))

    outcomes = race([(user, room, MONDAY_10, 1) for user, room in zip(members, rooms, strict=True)])

    assert sorted(kind for kind, _ in outcomes) == ["booked"] * 4 + ["refused"] * 4, outcomes
    assert {code for kind, code in outcomes if kind == "refused"} == {"quota_exceeded"}
    assert Booking.objects.filter(organization=org_of(first)).count() == 4
