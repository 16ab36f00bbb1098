import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import factory
from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from bookings.models import Booking
from notifications.models import Notification
from tenants.models import LeaseContract, RenewalRequest
from tests.factories import LeasableUnitFactory, OrganizationFactory, SpaceFactory, UserFactory

SEOUL = ZoneInfo("Asia/Seoul")


def seoul(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in the hall's local time."""
    return datetime(year, month, day, hour, minute, tzinfo=SEOUL)


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking saved as given (no rules, no audit entry, no notification): pending, one hour."""

    class Meta:
        model = Booking

    space = factory.SubFactory(SpaceFactory)
    requested_by = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Team meeting {n}")
    attendees = 2
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    end = factory.LazyAttribute(lambda booking: booking.start + timedelta(hours=1))
    status = Booking.Status.PENDING


class LeaseContractFactory(factory.django.DjangoModelFactory):
    """An active two-year contract saved as given."""

    class Meta:
        model = LeaseContract

    organization = factory.SubFactory(OrganizationFactory)
    unit = factory.SubFactory(LeasableUnitFactory)
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=120))
    start_date = factory.LazyAttribute(lambda c: c.end_date - relativedelta(years=2) + timedelta(days=1))
    monthly_rent = factory.LazyAttribute(lambda c: c.unit.monthly_rent)
    maintenance_fee = factory.LazyAttribute(lambda c: c.unit.maintenance_fee)
    deposit = factory.LazyAttribute(lambda c: c.unit.deposit)
    status = LeaseContract.Status.ACTIVE


class RenewalRequestFactory(factory.django.DjangoModelFactory):
    """A submitted 12-month renewal request saved as given."""

    class Meta:
        model = RenewalRequest

    contract = factory.SubFactory(LeaseContractFactory)
    requested_by = factory.SubFactory(UserFactory)
    term_months = 12
    status = RenewalRequest.Status.SUBMITTED


class NotificationFactory(factory.django.DjangoModelFactory):
    """An outbox row written directly, as if its task had been lost: pending and due unless told."""

    class Meta:
        model = Notification

    class Params:
        subject = None

    recipient = factory.SubFactory(UserFactory)
    kind = Notification.Kind.BOOKING_APPROVED
    channel = Notification.Channel.EMAIL
    subject_type = factory.LazyAttribute(
        lambda n: ContentType.objects.get_for_model(n.subject) if n.subject is not None else None
    )
    subject_id = factory.LazyAttribute(lambda n: n.subject.pk if n.subject is not None else None)
    context = factory.LazyFunction(dict)
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    due_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    status = Notification.Status.PENDING


def in_app_message(recipient, subject, kind, **fields) -> Notification:
    """A delivered in-app notification, as the inbox shows it."""
    return NotificationFactory(
        recipient=recipient,
        subject=subject,
        kind=kind,
        channel=Notification.Channel.IN_APP,
        status=Notification.Status.SENT,
        sent_at=timezone.now(),
        **fields,
    )


NOTIFICATION_HEADER = re.compile(r"^X-Dongnam-Notification: (\d+)$", re.MULTILINE)


def mailed_ids(outbox) -> list[int]:
    """The notification ids of the e-mails in a locmem outbox, one entry per e-mail."""
    return [int(message.extra_headers["X-Dongnam-Notification"]) for message in outbox]


def mail_files_ids(folder: Path) -> list[int]:
    """The notification ids of the e-mails written by the file backend into ``folder``."""
    ids = []
    for path in sorted(folder.glob("*.log")):
        ids += [int(pk) for pk in NOTIFICATION_HEADER.findall(path.read_text(errors="replace"))]
    return ids
