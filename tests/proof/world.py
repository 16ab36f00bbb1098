"""One small hall with an object of every kind, seen by the standard cast of roles.

The startup (its member: ``startup_member``) books in the Innovation Town; the tenant cooperative (its
owner: ``tenant_owner``) leases three units there: one with a submitted renewal request, one with approved
terms to accept, one free to renew. ``manager`` manages the Innovation Town and ``other_manager`` the Art
Center; ``admin`` is a superuser. Managers and the admin have TOTP on. The clock is frozen at FROZEN_NOW.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import create_personal_token
from bookings.models import Booking, BookingSeries, CalendarFeed, WaitlistEntry
from notifications.models import Notification
from tenants.models import RenewalDocument, RenewalRequest
from tenants.services import invitation_token
from tests.factories import (
    FROZEN_NOW,
    BookingFactory,
    ClosureFactory,
    LeasableUnitFactory,
    SpaceFactory,
    enable_totp,
    seoul,
)
from tests.tenants.factories import InvitationFactory, LeaseContractFactory, RenewalRequestFactory, pdf_bytes

ROLES = (
    "anonymous",
    "startup_member",
    "other_org_member",
    "tenant_owner",
    "manager",
    "other_manager",
    "admin",
)

TODAY = FROZEN_NOW.date()
# The tenant's contracts end 45 days after TODAY: their renewal window (90 days) is open.
CONTRACT_END = TODAY + timedelta(days=45)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    # Values that fill the URL patterns: primary keys, slugs and tokens, by name.
    ids: dict = field(default_factory=dict)

    def user(self, role):
        return self.users[role]


def _contract(organization, facility, code):
    unit = LeasableUnitFactory(facility=facility, code=code, monthly_rent=360_000, maintenance_fee=60_000)
    return LeaseContractFactory(
        organization=organization,
        unit=unit,
        start_date=CONTRACT_END - relativedelta(years=2) + timedelta(days=1),
        end_date=CONTRACT_END,
    )


def build_world(*, hall, startup_member, other_org_member, tenant_owner, manager, other_manager, admin_user) -> World:
    town, art_center = hall["innovation-town"], hall["art-center"]
    for user in (manager, other_manager, admin_user):
        enable_totp(user)
    startup = startup_member.memberships.get().organization
    tenant = tenant_owner.memberships.get().organization

    space = SpaceFactory(facility=town, slug="town-test-room", capacity=12)
    art_space = SpaceFactory(facility=art_center, slug="art-test-room", capacity=12)

    def booking(day, hour, **fields):
        return BookingFactory(
            space=space,
            organization=startup,
            requested_by=startup_member,
            start=seoul(2026, 12, day, hour),
            **fields,
        )

    pending = booking(7, 10, status=Booking.Status.PENDING)
    unpaid = booking(
        8,
        10,
        status=Booking.Status.APPROVED,
        fee=20_000,
        amount_due=20_000,
        payment_status=Booking.PaymentStatus.UNPAID,
        payment_deadline=FROZEN_NOW + timedelta(days=3),
    )
    refund_due = booking(
        9,
        10,
        status=Booking.Status.CANCELLED,
        fee=20_000,
        amount_due=20_000,
        payment_status=Booking.PaymentStatus.REFUND_DUE,
        refund_amount=20_000,
        cancelled_at=FROZEN_NOW,
    )
    offered = booking(10, 10, status=Booking.Status.OFFERED, offer_expires_at=FROZEN_NOW + timedelta(hours=24))
    WaitlistEntry.objects.create(
        space=space,
        start=offered.start,
        end=offered.end,
        requested_by=startup_member,
        organization=startup,
        title=offered.title,
        attendees=1,
        status=WaitlistEntry.Status.OFFERED,
        offer=offered,
    )
    starting_now = booking(1, 9, status=Booking.Status.APPROVED)
    series = BookingSeries.objects.create(
        space=space, requested_by=startup_member, organization=startup, title="Weekly", weekdays=["MO"], count=2
    )
    in_series = booking(14, 14, status=Booking.Status.PENDING, series=series)
    booking(21, 14, status=Booking.Status.PENDING, series=series)
    waiting = WaitlistEntry.objects.create(
        space=space,
        start=pending.start,
        end=pending.end,
        requested_by=startup_member,
        organization=startup,
        title="Waiting",
        attendees=1,
    )
    closure = ClosureFactory(space=space, start=seoul(2026, 12, 24), created_by=manager)

    contract = _contract(tenant, town, "105")
    renewal = RenewalRequestFactory(contract=contract, requested_by=tenant_owner)
    document = RenewalDocument.objects.create(
        renewal=renewal,
        file=SimpleUploadedFile("business-report.pdf", pdf_bytes(), content_type="application/pdf"),
        original_name="business-report.pdf",
        content_type="application/pdf",
        size=len(pdf_bytes()),
        uploaded_by=tenant_owner,
    )
    approved_renewal = RenewalRequestFactory(
        contract=_contract(tenant, town, "106"),
        requested_by=tenant_owner,
        status=RenewalRequest.Status.APPROVED,
        proposed_rent=370_000,
        decided_by=manager,
        decided_at=FROZEN_NOW,
    )

    renewable = _contract(tenant, town, "107")

    notification = Notification.objects.create(
        recipient=startup_member,
        kind=Notification.Kind.BOOKING_APPROVED,
        channel=Notification.Channel.IN_APP,
        subject=pending,
        dedupe_key="proof:booking-approved",
        due_at=FROZEN_NOW,
        status=Notification.Status.SENT,
        sent_at=FROZEN_NOW,
    )
    invitation = InvitationFactory(organization=startup, invited_by=startup_member)
    personal_token, _plain = create_personal_token(user=startup_member, name="proof")
    feed = CalendarFeed.objects.create(user=startup_member)

    return World(
        users={
            "anonymous": None,
            "startup_member": startup_member,
            "other_org_member": other_org_member,
            "tenant_owner": tenant_owner,
            "manager": manager,
            "other_manager": other_manager,
            "admin": admin_user,
        },
        ids={
            "space": space.slug,
            "art_space": art_space.slug,
            "town": town.slug,
            "building": town.building.slug,
            "pending": pending.pk,
            "unpaid": unpaid.pk,
            "refund_due": refund_due.pk,
            "offered": offered.pk,
            "starting_now": starting_now.pk,
            "in_series": in_series.pk,
            "waiting": waiting.pk,
            "closure": closure.pk,
            "startup": startup.pk,
            "tenant": tenant.pk,
            "invitation": invitation.pk,
            "invitation_token": invitation_token(invitation),
            "startup_member": startup_member.pk,
            "contract": contract.pk,
            "renewal": renewal.pk,
            "approved_renewal": approved_renewal.pk,
            "renewable": renewable.pk,
            "document": document.pk,
            "notification": notification.pk,
            "token_key": personal_token.token_key,
            "feed_token": feed.token,
        },
    )
