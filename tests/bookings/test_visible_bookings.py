"""Who sees which bookings: the selector read from indexes answers exactly as the plain condition does."""

import random
from datetime import timedelta

import pytest
from django.db.models import Q

from bookings.models import Booking
from bookings.selectors import visible_bookings
from hall.selectors import facilities_managed_by
from tenants.models import Membership
from tests.factories import BookingFactory, MembershipFactory, OrganizationFactory, SpaceFactory, UserFactory, seoul

NEWEST_FIRST = ("-start", "-pk")


def _organization_ids(user) -> list[int]:
    return list(Membership.objects.filter(user=user).values_list("organization_id", flat=True))


def _plainly_visible(user) -> list[int]:
    """The rule in its plainest form: the user's own bookings, their organizations' and their facilities'."""
    if user.is_superuser:
        bookings = Booking.objects.all()
    else:
        bookings = Booking.objects.filter(
            Q(requested_by=user)
            | Q(organization_id__in=Membership.objects.filter(user=user).values("organization_id"))
            | Q(space__facility_id__in=facilities_managed_by(user).values("pk"))
        )
    return list(bookings.order_by(*NEWEST_FIRST).values_list("pk", flat=True))


@pytest.fixture
def cast(town, art_center, startup_member, manager, admin_user):
    """Random bookings in both facilities by members of four organizations, some made for no organization.

    Bookings start three at a time (in three different rooms), so the order also rests on the tie-break.
    """
    rng = random.Random(20260127)
    organizations = [Membership.objects.get(user=startup_member).organization] + [
        OrganizationFactory() for _ in range(3)
    ]
    in_two = UserFactory()
    for organization in organizations[1:3]:
        MembershipFactory(user=in_two, organization=organization)
    bookers = [startup_member, in_two, manager] + [
        MembershipFactory(organization=rng.choice(organizations)).user for _ in range(4)
    ]
    spaces = [SpaceFactory(facility=town) for _ in range(4)] + [SpaceFactory(facility=art_center) for _ in range(4)]
    first = seoul(2026, 12, 7, 9)
    for group in range(24):
        start = first + timedelta(hours=group)
        for space in rng.sample(spaces, 3):
            booker = rng.choice(bookers)
            organization_id = rng.choice([None, *_organization_ids(booker), rng.choice(organizations).pk])
            BookingFactory(
                space=space,
                requested_by=booker,
                organization_id=organization_id,
                start=start,
                end=start + timedelta(hours=1),
                status=rng.choice(Booking.Status.values),
            )
    return {"member": startup_member, "member of two": in_two, "manager": manager, "admin": admin_user}


ROLES = ["member", "member of two", "manager", "admin"]


@pytest.mark.parametrize("role", ROLES)
def test_each_user_sees_the_same_bookings_in_the_same_order(cast, role):
    user = cast[role]

    seen = list(visible_bookings(user).order_by(*NEWEST_FIRST).values_list("pk", flat=True))

    expected = _plainly_visible(user)
    assert 0 < len(expected) <= Booking.objects.count()
    assert seen == expected


@pytest.mark.parametrize("role", ROLES)
def test_the_api_list_pages_through_the_same_bookings(cast, role, api_client):
    api_client.force_login(cast[role])
    expected = _plainly_visible(cast[role])

    listed, url = [], "/api/v1/bookings/?page_size=7"
    while url:
        page = api_client.get(url).json()
        assert page["count"] == len(expected)
        listed += [booking["id"] for booking in page["results"]]
        url = page["next"]

    assert listed == expected


def test_the_member_sees_neither_other_organizations_nor_the_facilities_bookings(cast):
    member = cast["member"]

    seen = set(visible_bookings(member).values_list("pk", flat=True))

    hidden = Booking.objects.exclude(pk__in=seen)
    assert hidden.exists()
    assert not hidden.filter(requested_by=member).exists()
    assert not hidden.filter(organization_id__in=_organization_ids(member)).exists()


@pytest.mark.parametrize("role", ["member", "member of two", "manager"])
def test_a_booking_out_of_sight_is_not_found_on_its_page(cast, role, client):
    user = cast[role]
    client.force_login(user)
    seen = visible_bookings(user).values_list("pk", flat=True)
    visible = Booking.objects.filter(pk__in=seen).first()
    hidden = Booking.objects.exclude(pk__in=seen).first()

    assert client.get(f"/bookings/{visible.pk}/").status_code == 200
    assert client.get(f"/bookings/{hidden.pk}/").status_code == 404


def test_a_user_without_organization_or_facility_sees_only_their_own(cast):
    loner = UserFactory()
    own = BookingFactory(requested_by=loner, start=seoul(2026, 12, 20, 10), end=seoul(2026, 12, 20, 11))

    assert list(visible_bookings(loner)) == [own]
