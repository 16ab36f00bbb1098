"""Reminders and digests that become due with time; created by the sweep and the daily jobs.

Each is made idempotent by its de-duplication key, so running a job twice, or two at once, creates
each reminder once.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Prefetch, Q
from django.utils import timezone

from notifications.models import Notification
from notifications.services import Recipient, dedupe_key, notify


def create_booking_reminders(*, now: datetime) -> int:
    """Reminders ``BOOKING_REMINDER_HOURS`` before each approved booking's start.

    A reminder is created only if the booking was approved before that reminder's time: a booking
    approved three hours ahead gets the one-hour reminder, not a late "tomorrow" one.
    """
    from bookings.models import Booking

    created = 0
    for hours in settings.BOOKING_REMINDER_HOURS:
        offset = timedelta(hours=hours)
        # Every sweep of the day before a booking finds it again, so this part stays light: plain rows,
        # and one query for the reminders that exist already, instead of a query per booking.
        candidates = list(
            Booking.objects.filter(
                status=Booking.Status.APPROVED,
                start__gt=now,
                start__lte=now + offset,
                decided_at__lte=F("start") - offset,
                requested_by__is_active=True,
                requested_by__reminders_enabled=True,
            ).values_list("pk", "start", "requested_by_id")
        )
        keys = {pk: f"booking:{pk}:reminder:{hours}h:{start.isoformat()}" for pk, start, _user in candidates}
        expected = {
            pk: {dedupe_key(keys[pk], Recipient.user_key(user_id), channel) for channel in Notification.Channel.values}
            for pk, _start, user_id in candidates
        }
        existing = set(
            Notification.objects.filter(dedupe_key__in=set().union(*expected.values())).values_list(
                "dedupe_key", flat=True
            )
        )
        missing = [pk for pk, _start, _user in candidates if not expected[pk] <= existing]
        if not missing:
            continue
        for booking in Booking.objects.filter(pk__in=missing).select_related("requested_by").order_by("start"):
            created += notify(
                kind=Notification.Kind.BOOKING_REMINDER,
                recipients=[booking.requested_by],
                subject=booking,
                key=keys[booking.pk],
                context={"hours": hours, "start": booking.start.isoformat()},
                due_at=booking.start - offset,
            )
    return created


def create_manager_digests(*, now: datetime) -> int:
    """One message per manager (09:00 Asia/Seoul): pending approvals and renewals waiting over a day."""
    from accounts.models import User
    from bookings.models import Booking
    from hall.selectors import facilities_managed_by
    from tenants.models import RenewalRequest

    today = timezone.localdate(now)
    managers = User.objects.filter(
        Q(is_superuser=True) | Q(managed_facilities__isnull=False), is_active=True
    ).distinct()
    created = 0
    for manager in managers:
        facilities = facilities_managed_by(manager)
        pending = Booking.objects.filter(status=Booking.Status.PENDING, space__facility__in=facilities, end__gt=now)
        renewals = RenewalRequest.objects.filter(
            status=RenewalRequest.Status.SUBMITTED,
            contract__unit__facility__in=facilities,
            created__lte=now - timedelta(days=1),
        )
        counts = {"pending_count": pending.count(), "renewal_count": renewals.count()}
        if not any(counts.values()):
            continue
        items = [
            f"{timezone.localtime(b.start):%m-%d %H:%M} {b.space.display_name} · {b.title}"
            for b in pending.select_related("space").order_by("start")[:20]
        ]
        created += notify(
            kind=Notification.Kind.MANAGER_DIGEST,
            recipients=[manager],
            subject=None,
            key=f"digest:{today.isoformat()}",
            context={**counts, "items": items},
        )
    return created


def create_lease_expiry_reminders(*, today=None) -> int:
    """Reminders 90, 60, 30 and 7 days before a lease ends, to the tenant's owners and admins; none
    once a renewal is approved or accepted or notice of leaving is given. A contract that enters the
    window late gets only the nearest reminder, not a burst of them."""
    from tenants.models import LeaseContract, Membership, RenewalRequest

    today = today or timezone.localdate()
    thresholds = sorted(settings.LEASE_REMINDER_DAYS)
    contracts = (
        LeaseContract.objects.filter(
            status=LeaseContract.Status.ACTIVE,
            non_renewal_notice_at__isnull=True,
            end_date__gte=today,
            end_date__lte=today + timedelta(days=thresholds[-1]),
        )
        .exclude(renewal_requests__status__in=[RenewalRequest.Status.APPROVED, RenewalRequest.Status.ACCEPTED])
        .select_related("unit__facility", "organization")
        .prefetch_related(
            Prefetch(
                "organization__memberships",
                queryset=Membership.objects.filter(
                    role__in=[Membership.Role.OWNER, Membership.Role.ADMIN]
                ).select_related("user"),
                to_attr="contacts",
            )
        )
        .distinct()
    )
    created = 0
    for contract in contracts:
        days_left = (contract.end_date - today).days
        threshold = next(d for d in thresholds if days_left <= d)
        recipients = [membership.user for membership in contract.organization.contacts]
        created += notify(
            kind=Notification.Kind.LEASE_EXPIRY,
            recipients=recipients,
            subject=contract,
            key=f"contract:{contract.pk}:expiry:{threshold}d",
            context={"days": days_left, "threshold": threshold},
        )
    return created
