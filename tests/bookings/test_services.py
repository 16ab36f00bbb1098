"""Booking services: creating, deciding, cancelling and closing, each with its audit entry."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEntry
from bookings import selectors, services
from bookings.models import Booking
from bookings.services import BookingError
from tenants.models import Membership
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    MembershipFactory,
    OrganizationFactory,
    SpaceFactory,
    UserFactory,
    seoul,
)

pytestmark = pytest.mark.usefixtures("frozen_now")

MONDAY_10 = seoul(2026, 12, 7, 10)


def book(user, space, start=MONDAY_10, end=None, **extra):
    extra.setdefault("title", "Team meeting")
    extra.setdefault("attendees", 4)
    return services.create_booking(
        requested_by=user, space=space, start=start, end=end or start + timedelta(hours=2), **extra
    )


def audit_of(target):
    return list(AuditEntry.objects.filter(target_id=target.pk, action__startswith=target._meta.model_name))


def _org_of(user):
    return Membership.objects.get(user=user).organization


# --- create_booking ------------------------------------------------------------------------


def test_a_booking_of_a_space_that_needs_approval_is_pending(space, startup_member):
    booking = book(startup_member, space)

    assert booking.status == Booking.Status.PENDING
    assert booking.decided_by is None
    assert Booking.objects.get().status == Booking.Status.PENDING


def test_a_booking_of_a_space_without_approval_is_approved_at_once(town, startup_member):
    room = SpaceFactory(facility=town, requires_approval=False)

    booking = book(startup_member, room)

    assert booking.status == Booking.Status.APPROVED
    assert booking.decided_by == startup_member
    assert booking.decided_at is not None


def test_a_booking_is_made_for_the_users_only_organization(space, startup_member):
    booking = book(startup_member, space)

    assert booking.organization == _org_of(startup_member)
    assert booking.requested_by == startup_member


def test_a_user_without_organization_books_for_themselves(space):
    loner = UserFactory()

    booking = book(loner, space)

    assert booking.organization is None
    assert booking.requested_by == loner


def test_a_member_of_several_organizations_must_choose_one(space, startup_member):
    MembershipFactory(user=startup_member)

    with pytest.raises(BookingError) as error:
        book(startup_member, space)

    assert error.value.code == "choose_organization"
    assert error.value.status == 400
    assert not Booking.objects.exists()


def test_a_member_of_several_organizations_books_for_the_one_chosen(space, startup_member):
    second = MembershipFactory(user=startup_member).organization

    booking = book(startup_member, space, organization=second)

    assert booking.organization == second


def test_booking_for_an_organization_one_does_not_belong_to_is_forbidden(space, startup_member):
    stranger_org = OrganizationFactory()

    with pytest.raises(BookingError) as error:
        book(startup_member, space, organization=stranger_org)

    assert error.value.code == "not_member"
    assert error.value.status == 403
    assert not Booking.objects.exists()


def test_touching_bookings_are_both_allowed(space, startup_member, other_org_member):
    first = book(startup_member, space, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 12))
    second = book(other_org_member, space, seoul(2026, 12, 7, 12), seoul(2026, 12, 7, 14))

    assert first.is_active and second.is_active
    assert Booking.objects.count() == 2


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (seoul(2026, 12, 7, 11), seoul(2026, 12, 7, 13)),  # overlaps the end
        (seoul(2026, 12, 7, 9), seoul(2026, 12, 7, 10, 30)),  # overlaps the start
        (seoul(2026, 12, 7, 10, 30), seoul(2026, 12, 7, 11)),  # inside
        (seoul(2026, 12, 7, 9), seoul(2026, 12, 7, 13)),  # around
        (seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 12)),  # the same
    ],
)
def test_an_overlapping_booking_is_slot_taken_and_nothing_is_saved(space, startup_member, other_org_member, start, end):
    book(startup_member, space, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 12))
    entries = AuditEntry.objects.count()

    with pytest.raises(BookingError) as error:
        book(other_org_member, space, start, end)

    assert error.value.code == "slot_taken"
    assert error.value.status == 409
    assert Booking.objects.count() == 1
    assert AuditEntry.objects.count() == entries


def test_the_same_time_in_another_space_is_free(space, town, startup_member, other_org_member):
    book(startup_member, space)

    other = book(other_org_member, SpaceFactory(facility=town))

    assert other.is_active


@pytest.mark.parametrize("status", [Booking.Status.REJECTED, Booking.Status.CANCELLED])
def test_a_rejected_or_cancelled_booking_frees_its_slot(space, startup_member, other_org_member, status):
    BookingFactory(space=space, start=MONDAY_10, end=MONDAY_10 + timedelta(hours=2), status=status)

    booking = book(other_org_member, space)

    assert booking.status == Booking.Status.PENDING


def test_a_rule_violation_is_raised_with_all_the_violations(space, startup_member):
    with pytest.raises(BookingError) as error:
        book(startup_member, space, seoul(2026, 12, 6, 10, 15), seoul(2026, 12, 6, 11, 15), attendees=99)

    assert error.value.status == 400
    assert {v.code for v in error.value.violations} == {"outside_opening_hours", "not_on_grid", "over_capacity"}
    assert error.value.code in {"outside_opening_hours", "not_on_grid", "over_capacity"}
    assert not Booking.objects.exists()


def test_naive_times_are_refused(space, startup_member):
    with pytest.raises(BookingError) as error:
        book(startup_member, space, MONDAY_10.replace(tzinfo=None), MONDAY_10.replace(tzinfo=None, hour=12))

    assert error.value.code == "invalid_range"


@pytest.mark.parametrize(("title", "attendees"), [("", 3), ("   ", 3), ("Meeting", 0), ("Meeting", None)])
def test_a_title_and_at_least_one_attendee_are_needed(space, startup_member, title, attendees):
    with pytest.raises(BookingError) as error:
        book(startup_member, space, title=title, attendees=attendees)

    assert error.value.code == "invalid"
    assert not Booking.objects.exists()


def test_creating_a_booking_writes_an_audit_entry(space, startup_member):
    booking = book(startup_member, space)

    [entry] = audit_of(booking)
    assert entry.actor == startup_member
    assert entry.action == "booking.created"
    assert entry.before == {}
    assert entry.after["status"] == "pending"
    assert entry.after["space"] == space.slug


# --- manager override ----------------------------------------------------------------------


def test_a_manager_can_book_outside_the_hours_with_a_reason(space, manager):
    sunday = seoul(2026, 12, 6, 10)

    booking = book(manager, space, sunday, sunday + timedelta(hours=2), override_reason="Governor's visit")

    assert booking.status == Booking.Status.APPROVED
    assert booking.override_reason == "Governor's visit"
    [entry] = audit_of(booking)
    assert entry.actor == manager
    assert "outside_opening_hours" in entry.reason
    assert "Governor's visit" in entry.reason


def test_a_manager_without_a_reason_follows_the_rules(space, manager):
    sunday = seoul(2026, 12, 6, 10)

    with pytest.raises(BookingError) as error:
        book(manager, space, sunday, sunday + timedelta(hours=2))

    assert error.value.code == "outside_opening_hours"
    assert not Booking.objects.exists()


def test_a_managers_booking_within_the_rules_is_approved_without_override(space, manager):
    booking = book(manager, space, override_reason="Just in case")

    assert booking.status == Booking.Status.APPROVED
    assert booking.override_reason == ""


def test_a_non_manager_giving_an_override_reason_is_refused(space, startup_member):
    with pytest.raises(BookingError) as error:
        book(startup_member, space, seoul(2026, 12, 6, 10), seoul(2026, 12, 6, 12), override_reason="Please")

    assert error.value.code == "not_manager"
    assert error.value.status == 403
    assert not Booking.objects.exists()


def test_the_manager_of_another_facility_cannot_override(space, other_manager):
    with pytest.raises(BookingError) as error:
        book(other_manager, space, seoul(2026, 12, 6, 10), seoul(2026, 12, 6, 12), override_reason="Please")

    assert error.value.code == "not_manager"


def test_an_override_never_allows_an_overlap(space, manager, startup_member):
    book(startup_member, space)

    with pytest.raises(BookingError) as error:
        book(manager, space, override_reason="VIP")

    assert error.value.code == "slot_taken"
    assert Booking.objects.count() == 1


def test_an_override_cannot_book_an_unbookable_space(town, manager):
    room = SpaceFactory(facility=town, is_bookable=False)

    with pytest.raises(BookingError) as error:
        book(manager, room, override_reason="VIP")

    assert error.value.code == "not_bookable"


@pytest.mark.parametrize(
    ("start", "code"),
    [(seoul(9999, 12, 31, 10), "too_far_ahead"), (seoul(1, 1, 1, 0), "in_past")],
)
def test_an_override_cannot_book_outside_the_calendar(space, manager, start, code):
    with pytest.raises(BookingError) as error:
        book(manager, space, start, start + timedelta(hours=1), override_reason="Time capsule")

    assert error.value.code == code
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("closed", "start", "refused"),
    [
        ("facility", MONDAY_10, True),
        ("space", MONDAY_10, True),
        ("neighbour", MONDAY_10, False),
        ("other facility", MONDAY_10, False),
        ("space", MONDAY_10 + timedelta(hours=2), False),  # starts as the closure ends
    ],
)
def test_creating_a_booking_is_refused_in_a_closure_of_the_space_or_its_facility(
    space, town, art_center, startup_member, closed, start, refused
):
    closure = {"start": MONDAY_10 - timedelta(hours=2), "end": MONDAY_10 + timedelta(hours=2), "reason": "Roof work"}
    if closed == "facility":
        ClosureFactory(facility=town, **closure)
    elif closed == "space":
        ClosureFactory(space=space, **closure)
    elif closed == "neighbour":
        ClosureFactory(space=SpaceFactory(facility=town), **closure)
    else:
        ClosureFactory(facility=art_center, **closure)

    if refused:
        with pytest.raises(BookingError) as error:
            book(startup_member, space, start)
        assert error.value.code == "closed"
        assert "Roof work" in error.value.message
        assert not Booking.objects.exists()
    else:
        assert book(startup_member, space, start).pk


def test_the_rules_applied_are_those_saved_when_the_booking_is_made(town, startup_member):
    room = SpaceFactory(facility=town, requires_approval=False)
    # A manager turns approval on after the booker's page (or the API's lookup) read the space.
    type(room).objects.filter(pk=room.pk).update(requires_approval=True)

    booking = book(startup_member, room)

    assert booking.status == Booking.Status.PENDING


def test_a_space_deleted_meanwhile_is_a_clear_error_and_nothing_is_saved(town, startup_member):
    room = SpaceFactory(facility=town, requires_approval=False)
    type(room).objects.filter(pk=room.pk).delete()

    with pytest.raises(BookingError) as error:
        book(startup_member, room)

    assert (error.value.code, error.value.field) == ("invalid", "space")
    assert not Booking.objects.exists()
    assert not AuditEntry.objects.exists()


# --- approve and reject --------------------------------------------------------------------


@pytest.fixture
def pending(space, startup_member):
    return book(startup_member, space)


def test_the_facility_manager_approves(pending, manager):
    booking = services.approve_booking(booking=pending, manager=manager, note="See you")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    assert booking.decided_by == manager
    assert booking.decision_reason == "See you"


def test_another_facilitys_manager_cannot_approve_or_reject(pending, other_manager):
    with pytest.raises(BookingError) as approve_error:
        services.approve_booking(booking=pending, manager=other_manager)
    with pytest.raises(BookingError) as reject_error:
        services.reject_booking(booking=pending, manager=other_manager, reason="No")

    assert approve_error.value.code == reject_error.value.code == "not_manager"
    assert approve_error.value.status == 403
    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING
    assert pending.decided_by is None
    assert [e.action for e in audit_of(pending)] == ["booking.created"]


def test_a_member_cannot_approve_their_own_booking(pending, startup_member):
    with pytest.raises(BookingError) as error:
        services.approve_booking(booking=pending, manager=startup_member)

    assert error.value.code == "not_manager"
    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING


def test_approving_twice_is_invalid_state(pending, manager):
    services.approve_booking(booking=pending, manager=manager)

    with pytest.raises(BookingError) as error:
        services.approve_booking(booking=pending, manager=manager)

    assert error.value.code == "invalid_state"
    assert error.value.status == 409
    assert [e.action for e in audit_of(pending)] == ["booking.created", "booking.approved"]


def test_a_rejected_booking_cannot_be_approved(pending, manager):
    services.reject_booking(booking=pending, manager=manager, reason="Double booked elsewhere")

    with pytest.raises(BookingError) as error:
        services.approve_booking(booking=pending, manager=manager)

    assert error.value.code == "invalid_state"
    pending.refresh_from_db()
    assert pending.status == Booking.Status.REJECTED


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_needs_a_reason(pending, manager, reason):
    with pytest.raises(BookingError) as error:
        services.reject_booking(booking=pending, manager=manager, reason=reason)

    assert error.value.code == "reason_required"
    assert error.value.status == 400
    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING


def test_the_facility_manager_rejects_with_a_reason(pending, manager):
    services.reject_booking(booking=pending, manager=manager, reason="The room is being painted")

    pending.refresh_from_db()
    assert pending.status == Booking.Status.REJECTED
    assert pending.decision_reason == "The room is being painted"
    assert pending.decided_by == manager


def test_approval_and_rejection_write_audit_entries(space, manager, startup_member, other_org_member):
    approved = book(startup_member, space, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 11))
    rejected = book(other_org_member, space, seoul(2026, 12, 7, 12), seoul(2026, 12, 7, 13))

    services.approve_booking(booking=approved, manager=manager, note="OK")
    services.reject_booking(booking=rejected, manager=manager, reason="Too noisy")

    approval = audit_of(approved)[-1]
    assert (approval.actor, approval.action, approval.reason) == (manager, "booking.approved", "OK")
    assert (approval.before["status"], approval.after["status"]) == ("pending", "approved")
    rejection = audit_of(rejected)[-1]
    assert (rejection.actor, rejection.action, rejection.reason) == (manager, "booking.rejected", "Too noisy")
    assert (rejection.before["status"], rejection.after["status"]) == ("pending", "rejected")


# --- cancel --------------------------------------------------------------------------------


def test_the_booker_cancels_their_booking(pending, startup_member):
    services.cancel_booking(booking=pending, user=startup_member)

    pending.refresh_from_db()
    assert pending.status == Booking.Status.CANCELLED
    assert pending.cancelled_by == startup_member
    entry = audit_of(pending)[-1]
    assert (entry.actor, entry.action) == (startup_member, "booking.cancelled")
    assert (entry.before["status"], entry.after["status"]) == ("pending", "cancelled")


def test_an_owner_of_the_organization_cancels_a_members_booking(space, tenant_owner):
    organization = _org_of(tenant_owner)
    member = MembershipFactory(organization=organization).user
    booking = book(member, space)

    services.cancel_booking(booking=booking, user=tenant_owner)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancelled_by == tenant_owner


def test_another_plain_member_of_the_organization_cannot_cancel(space, startup_member):
    colleague = MembershipFactory(organization=_org_of(startup_member), role=Membership.Role.MEMBER).user
    booking = book(startup_member, space)

    with pytest.raises(BookingError) as error:
        services.cancel_booking(booking=booking, user=colleague)

    assert error.value.code == "not_allowed"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING


def test_an_outsider_cannot_cancel(pending, other_org_member, other_manager):
    for outsider in (other_org_member, other_manager):
        with pytest.raises(BookingError) as error:
            services.cancel_booking(booking=pending, user=outsider, reason="Because")
        assert error.value.code == "not_allowed"
        assert error.value.status == 403

    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING
    assert [e.action for e in audit_of(pending)] == ["booking.created"]


def test_cancelling_a_cancelled_booking_is_invalid_state(pending, startup_member):
    services.cancel_booking(booking=pending, user=startup_member)

    with pytest.raises(BookingError) as error:
        services.cancel_booking(booking=pending, user=startup_member)

    assert error.value.code == "invalid_state"
    assert error.value.status == 409


def test_a_manager_cancelling_someone_elses_booking_must_say_why(pending, manager):
    with pytest.raises(BookingError) as error:
        services.cancel_booking(booking=pending, user=manager)

    assert error.value.code == "reason_required"
    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING

    services.cancel_booking(booking=pending, user=manager, reason="Fire drill")

    pending.refresh_from_db()
    assert pending.status == Booking.Status.CANCELLED
    assert pending.cancel_reason == "Fire drill"
    entry = audit_of(pending)[-1]
    assert (entry.actor, entry.action, entry.reason) == (manager, "booking.cancelled", "Fire drill")


def test_a_manager_cancels_their_own_booking_without_a_reason(space, manager):
    booking = book(manager, space)

    services.cancel_booking(booking=booking, user=manager)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_an_ended_booking_cannot_be_cancelled_by_the_booker(space, startup_member):
    booking = BookingFactory(
        space=space, requested_by=startup_member, start=seoul(2026, 11, 30, 10), end=seoul(2026, 11, 30, 11)
    )

    with pytest.raises(BookingError) as error:
        services.cancel_booking(booking=booking, user=startup_member)

    assert error.value.code == "invalid_state"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED


def test_cancelling_an_approved_booking_frees_the_slot(space, manager, startup_member, other_org_member):
    booking = book(startup_member, space)
    services.approve_booking(booking=booking, manager=manager)
    services.cancel_booking(booking=booking, user=startup_member)

    again = book(other_org_member, space)

    assert again.is_active
    entries = audit_of(booking)
    assert [e.action for e in entries] == ["booking.created", "booking.approved", "booking.cancelled"]
    assert (entries[-1].before["status"], entries[-1].after["status"]) == ("approved", "cancelled")


# --- the database's own guard (PostgreSQL) -------------------------------------------------


@pytest.mark.postgres
def test_the_database_refuses_an_overlapping_active_booking(space):
    BookingFactory(space=space, start=seoul(2026, 12, 7, 10), end=seoul(2026, 12, 7, 12))

    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Booking.objects.create(
            space=space,
            requested_by=UserFactory(),
            title="Sneaked in",
            attendees=1,
            start=seoul(2026, 12, 7, 11),
            end=seoul(2026, 12, 7, 13),
            status=Booking.Status.PENDING,
        )

    assert "booking_no_overlap" in str(error.value)
    assert Booking.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("existing_status", "start", "end", "same_space"),
    [
        (Booking.Status.APPROVED, seoul(2026, 12, 7, 12), seoul(2026, 12, 7, 14), True),  # touching
        (Booking.Status.APPROVED, seoul(2026, 12, 7, 8), seoul(2026, 12, 7, 10), True),  # touching before
        (Booking.Status.CANCELLED, seoul(2026, 12, 7, 11), seoul(2026, 12, 7, 13), True),
        (Booking.Status.REJECTED, seoul(2026, 12, 7, 11), seoul(2026, 12, 7, 13), True),
        (Booking.Status.APPROVED, seoul(2026, 12, 7, 11), seoul(2026, 12, 7, 13), False),
    ],
)
def test_the_database_accepts_touching_inactive_or_other_space_bookings(
    space, town, existing_status, start, end, same_space
):
    BookingFactory(space=space, start=seoul(2026, 12, 7, 10), end=seoul(2026, 12, 7, 12), status=existing_status)

    with transaction.atomic():
        Booking.objects.create(
            space=space if same_space else SpaceFactory(facility=town),
            requested_by=UserFactory(),
            title="Next",
            attendees=1,
            start=start,
            end=end,
            status=Booking.Status.APPROVED,
        )

    assert Booking.objects.count() == 2


@pytest.mark.postgres
def test_the_database_refuses_reactivating_a_cancelled_booking_into_a_taken_slot(space):
    cancelled = BookingFactory(space=space, status=Booking.Status.CANCELLED)
    BookingFactory(space=space, start=cancelled.start, end=cancelled.end, status=Booking.Status.APPROVED)

    cancelled.status = Booking.Status.PENDING
    with pytest.raises(IntegrityError), transaction.atomic():
        cancelled.save()


# --- closures ------------------------------------------------------------------------------


def test_a_closure_lists_the_active_bookings_it_hits(space, town, manager):
    neighbour = SpaceFactory(facility=town)
    inside = BookingFactory(space=space, start=seoul(2026, 12, 8, 10), end=seoul(2026, 12, 8, 11))
    pending_inside = BookingFactory(
        space=neighbour, start=seoul(2026, 12, 8, 14), end=seoul(2026, 12, 8, 16), status=Booking.Status.PENDING
    )
    BookingFactory(space=space, start=seoul(2026, 12, 8, 12), end=seoul(2026, 12, 8, 13), status="cancelled")
    BookingFactory(space=space, start=seoul(2026, 12, 9, 10), end=seoul(2026, 12, 9, 11))  # after
    BookingFactory(space=space, start=seoul(2026, 12, 7, 20), end=seoul(2026, 12, 8, 0))  # touching before
    BookingFactory(space=SpaceFactory(), start=seoul(2026, 12, 8, 10), end=seoul(2026, 12, 8, 11))  # elsewhere

    closure = services.create_closure(
        manager=manager, facility=town, space=None, start=seoul(2026, 12, 8), end=seoul(2026, 12, 9), reason="Audit"
    )

    assert list(selectors.bookings_hit_by(closure)) == [inside, pending_inside]


def test_a_closure_of_one_space_hits_only_its_bookings(space, town, manager):
    hit = BookingFactory(space=space, start=seoul(2026, 12, 8, 10), end=seoul(2026, 12, 8, 11))
    BookingFactory(space=SpaceFactory(facility=town), start=seoul(2026, 12, 8, 10), end=seoul(2026, 12, 8, 11))

    closure = services.create_closure(
        manager=manager, facility=town, space=space, start=seoul(2026, 12, 8), end=seoul(2026, 12, 9), reason="Paint"
    )

    assert list(selectors.bookings_hit_by(closure)) == [hit]


def test_cancelling_the_bookings_hit_by_a_closure(space, town, manager, startup_member):
    inside = BookingFactory(
        space=space, requested_by=startup_member, start=seoul(2026, 12, 8, 10), end=seoul(2026, 12, 8, 11)
    )
    outside = BookingFactory(space=space, start=seoul(2026, 12, 9, 10), end=seoul(2026, 12, 9, 11))
    closure = services.create_closure(
        manager=manager,
        facility=town,
        space=space,
        start=seoul(2026, 12, 8),
        end=seoul(2026, 12, 9),
        reason="Water leak",
    )

    cancelled = services.cancel_bookings_hit_by_closure(closure=closure, manager=manager)

    assert [b.pk for b in cancelled] == [inside.pk]
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert inside.status == Booking.Status.CANCELLED
    assert "Water leak" in inside.cancel_reason
    assert inside.cancelled_by == manager
    assert outside.status == Booking.Status.APPROVED
    assert list(selectors.bookings_hit_by(closure)) == []
    entry = audit_of(inside)[-1]
    assert (entry.actor, entry.action) == (manager, "booking.cancelled")
    assert "Water leak" in entry.reason


def test_only_the_facility_manager_closes_it(space, town, other_manager):
    with pytest.raises(BookingError) as error:
        services.create_closure(
            manager=other_manager,
            facility=town,
            space=space,
            start=seoul(2026, 12, 8),
            end=seoul(2026, 12, 9),
            reason="Mine now",
        )

    assert error.value.code == "not_manager"
    assert not space.closures.exists()


def test_another_facilitys_manager_cannot_cancel_the_bookings_of_a_closure(space, town, other_manager):
    booking = BookingFactory(space=space, start=seoul(2026, 12, 8, 10), end=seoul(2026, 12, 8, 11))
    closure = ClosureFactory(facility=town, start=seoul(2026, 12, 8), end=seoul(2026, 12, 9))

    with pytest.raises(BookingError) as error:
        services.cancel_bookings_hit_by_closure(closure=closure, manager=other_manager)

    assert error.value.code == "not_manager"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED


@pytest.mark.parametrize(
    ("start", "end", "reason", "code"),
    [
        (seoul(2026, 12, 8), seoul(2026, 12, 9), "  ", "reason_required"),
        (seoul(2026, 12, 9), seoul(2026, 12, 8), "Paint", "invalid_range"),
        (seoul(2026, 12, 9), seoul(2026, 12, 9), "Paint", "invalid_range"),
    ],
)
def test_a_closure_needs_a_reason_and_a_range(space, town, manager, start, end, reason, code):
    with pytest.raises(BookingError) as error:
        services.create_closure(manager=manager, facility=town, space=space, start=start, end=end, reason=reason)

    assert error.value.code == code
    assert not space.closures.exists()


def test_a_closure_cannot_name_a_space_of_another_facility(town, art_center, manager):
    with pytest.raises(BookingError) as error:
        services.create_closure(
            manager=manager,
            facility=town,
            space=SpaceFactory(facility=art_center),
            start=seoul(2026, 12, 8),
            end=seoul(2026, 12, 9),
            reason="Paint",
        )

    assert error.value.code == "invalid"


def test_creating_and_deleting_a_closure_is_audited(space, town, manager):
    closure = services.create_closure(
        manager=manager, facility=town, space=space, start=seoul(2026, 12, 8), end=seoul(2026, 12, 9), reason="Paint"
    )
    closure_id = closure.pk

    services.delete_closure(closure=closure, manager=manager)

    entries = AuditEntry.objects.filter(target_id=closure_id, action__startswith="closure.")
    assert [(e.actor, e.action, e.reason) for e in entries] == [
        (manager, "closure.created", "Paint"),
        (manager, "closure.deleted", "Paint"),
    ]
    assert not space.closures.exists()


# --- space policy --------------------------------------------------------------------------


def test_a_manager_changes_a_space_policy_with_an_audit_entry(space, manager, startup_member):
    services.update_space_policy(space=space, manager=manager, changes={"max_duration_minutes": 60})

    space.refresh_from_db()
    assert space.policy.max_duration_minutes == 60
    entry = AuditEntry.objects.get(action="space.policy_changed")
    assert entry.actor == manager
    assert entry.before == {"max_duration_minutes": None}
    assert entry.after == {"max_duration_minutes": 60}
    with pytest.raises(BookingError) as error:
        book(startup_member, space, MONDAY_10, MONDAY_10 + timedelta(minutes=90))
    assert error.value.code == "too_long"


def test_another_facilitys_manager_cannot_change_a_space_policy(space, other_manager):
    with pytest.raises(BookingError) as error:
        services.update_space_policy(space=space, manager=other_manager, changes={"requires_approval": False})

    assert error.value.code == "not_manager"
    space.refresh_from_db()
    assert space.requires_approval is None
    assert not AuditEntry.objects.filter(action="space.policy_changed").exists()
