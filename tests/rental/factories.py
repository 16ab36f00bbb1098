"""Factories and shortcuts of the public-rental tests: paid rooms, bookings made through the services."""

from datetime import timedelta

import factory
from django.test import Client
from rest_framework.test import APIClient

from bookings import services
from bookings.models import Booking, WaitlistEntry
from hall.models import Space
from tenants.models import Membership, Organization
from tests.factories import MembershipFactory, OrganizationFactory, SpaceFactory, UserFactory, seoul

# Monday 2026-12-07 10:00 Seoul: six days after the frozen "now", free of holidays.
MONDAY_10 = seoul(2026, 12, 7, 10)
HOURLY_FEE = 15_000


class PaidSpaceFactory(SpaceFactory):
    """A room charged 15,000 won an hour, following its facility's rules (approval needed by default)."""

    fee = HOURLY_FEE
    capacity = 20


class DaySpaceFactory(SpaceFactory):
    """A gallery let by whole days, midnight to midnight, for one to fourteen days."""

    kind = Space.Kind.GALLERY
    booking_unit = Space.BookingUnit.DAY
    slot_minutes = 1440
    min_duration_minutes = 1440
    max_duration_minutes = 14 * 1440
    min_notice_minutes = 1440
    fee = 200_000


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitlistEntry

    space = factory.SubFactory(PaidSpaceFactory)
    start = factory.LazyFunction(lambda: MONDAY_10)
    end = factory.LazyAttribute(lambda entry: entry.start + timedelta(hours=2))
    requested_by = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Waiting {n}")
    attendees = 2


def english(user):
    """The user reads the site in English, so pages can be checked by their text."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def member_of(organization: Organization, *, role=Membership.Role.MEMBER, **user_fields):
    return MembershipFactory(organization=organization, user=UserFactory(language="en", **user_fields), role=role).user


def organization_member(kind=Organization.Kind.STARTUP, **organization_fields):
    """A new organization of that kind and one English-reading member of it."""
    return member_of(OrganizationFactory(kind=kind, **organization_fields))


def org_of(user) -> Organization:
    return Membership.objects.get(user=user).organization


def book(user, space, start=MONDAY_10, *, hours: float = 2, end=None, **extra) -> Booking:
    """Book through the service, as the form and the API do."""
    extra.setdefault("title", "Product review")
    extra.setdefault("attendees", 4)
    return services.create_booking(
        requested_by=user, space=space, start=start, end=end or start + timedelta(hours=hours), **extra
    )


def approved_and_paid(booking: Booking, manager) -> Booking:
    if booking.status == Booking.Status.PENDING:
        services.approve_booking(booking=booking, manager=manager)
    return services.record_payment(booking=booking, manager=manager, reference="transfer 1")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client
