import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import factory
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings

from accounts.models import User
from bookings.models import Booking, Closure
from hall.models import Amenity, Building, Facility, Space
from tenants.models import LeasableUnit, Membership, Organization
from tenants.validators import business_number_check_digit

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name", locale="ko_KR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Users have a verified primary address unless built with verified=False."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


def _business_number(n: int) -> str:
    first_nine = f"6098{n % 100000:05d}"
    if first_nine[5:] == "0000":
        first_nine = first_nine[:5] + "0001"
    return first_nine + str(business_number_check_digit(first_nine))


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"테스트기업 {n}")
    name_en = factory.Sequence(lambda n: f"Test company {n}")
    kind = Organization.Kind.STARTUP
    business_number = factory.Sequence(lambda n: _business_number(n + 1))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"building-{n}")
    name = factory.Sequence(lambda n: f"건물 {n}")
    name_en = factory.Sequence(lambda n: f"Building {n}")


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility
        django_get_or_create = ["slug"]

    building = factory.SubFactory(BuildingFactory)
    slug = factory.Sequence(lambda n: f"facility-{n}")
    name = factory.Sequence(lambda n: f"시설 {n}")
    name_en = factory.Sequence(lambda n: f"Facility {n}")


class AmenityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Amenity
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"amenity-{n}")
    name = factory.Sequence(lambda n: f"설비 {n}")
    name_en = factory.Sequence(lambda n: f"Amenity {n}")


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space
        skip_postgeneration_save = True

    facility = factory.SubFactory(FacilityFactory)
    slug = factory.Sequence(lambda n: f"space-{n}")
    name = factory.Sequence(lambda n: f"회의실 {n}")
    name_en = factory.Sequence(lambda n: f"Room {n}")
    kind = Space.Kind.MEETING_ROOM
    capacity = 10
    floor = 1

    @factory.post_generation
    def amenities(self, create, extracted, **kwargs):
        if create and extracted:
            self.amenities.set(extracted)


class LeasableUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeasableUnit

    facility = factory.SubFactory(FacilityFactory)
    code = factory.Sequence(lambda n: f"{100 + n}")
    area_m2 = 30
    monthly_rent = 360_000
    maintenance_fee = 60_000
    deposit = 3_600_000


SEOUL = ZoneInfo("Asia/Seoul")


def seoul(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in the hall's local time."""
    return datetime(year, month, day, hour, minute, tzinfo=SEOUL)


# The "now" the booking tests travel to: Tuesday 2026-12-01, 09:00 in Seoul.
FROZEN_NOW = seoul(2026, 12, 1, 9)


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking saved as it is given: no rules are checked and no audit entry is written.

    Defaults to an approved hour on Monday 2026-12-07 from 10:00 in a new room.
    """

    class Meta:
        model = Booking

    space = factory.SubFactory(SpaceFactory)
    organization = None
    requested_by = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Booking {n}")
    attendees = 1
    start = factory.LazyFunction(lambda: seoul(2026, 12, 7, 10))
    end = factory.LazyAttribute(lambda booking: booking.start + timedelta(hours=1))
    status = Booking.Status.APPROVED


class ClosureFactory(factory.django.DjangoModelFactory):
    """A closure of one space (``space=...``) or, with ``space=None``, of a whole ``facility``."""

    class Meta:
        model = Closure

    space = None
    facility = factory.LazyAttribute(lambda closure: closure.space.facility if closure.space else FacilityFactory())
    start = factory.LazyFunction(lambda: seoul(2026, 12, 7, 0))
    end = factory.LazyAttribute(lambda closure: closure.start + timedelta(days=1))
    reason = "Maintenance"
    created_by = factory.SubFactory(UserFactory)


def demo_password() -> str:
    return settings.DEMO_PASSWORD


def enable_totp(user) -> str:
    """Turn on TOTP for a user as the set-up page would; returns the secret of their authenticator app (the
    one they have, if TOTP is on already)."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return decrypt(existing.data["secret"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The code the authenticator app shows now, from a period with at least two seconds left to use it."""
    period = mfa_settings.TOTP_PERIOD
    remaining = period - time.time() % period
    if remaining < 2:
        time.sleep(remaining + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))
