"""The figures the reports page and its exports are tested with: December 2026 in the Innovation Town (where the
``manager`` fixture manages) and one room of the Art Center (another manager's), built as the nightly task does."""

from datetime import date, timedelta

from bookings.models import Booking
from reports.services import build_usage
from tests.factories import BookingFactory, OrganizationFactory, SpaceFactory, seoul

FIRST, LAST = date(2026, 12, 1), date(2026, 12, 31)
DECEMBER = {"from": FIRST.isoformat(), "to": LAST.isoformat()}
PAID = Booking.PaymentStatus.PAID


def book(space, start, hours=2, **fields):
    return BookingFactory(space=space, start=start, end=start + timedelta(hours=hours), **fields)


def december(town, art_center) -> dict:
    """Two rooms of the Town with a paid, reduced booking, a no-show and a refunded cancellation; a gallery of the
    Art Center with a paid booking. Figures built for December."""
    studio = OrganizationFactory(name="스튜디오 밤", name_en="Studio Night")
    room = SpaceFactory(facility=town, slug="report-room", name="보고서 회의실", name_en="Report room", fee=10_000)
    hall = SpaceFactory(facility=town, slug="report-hall", name="보고서 강당", name_en="Report hall", fee=20_000)
    gallery = SpaceFactory(facility=art_center, slug="other-gallery", name="다른 갤러리", name_en="Other gallery")
    # Monday 7 December, 10:00–12:00: 20,000 won at half price for a social-economy organization, paid.
    book(
        room,
        seoul(2026, 12, 7, 10),
        organization=studio,
        fee=20_000,
        reduction_percent=50,
        reduction_category="social_economy",
        amount_due=10_000,
        payment_status=PAID,
    )
    book(room, seoul(2026, 12, 8, 14), organization=studio, status=Booking.Status.NO_SHOW)
    book(
        hall,
        seoul(2026, 12, 9, 10),
        fee=40_000,
        amount_due=40_000,
        payment_status=Booking.PaymentStatus.REFUNDED,
        refund_amount=30_000,
        status=Booking.Status.CANCELLED,
    )
    book(gallery, seoul(2026, 12, 10, 10), fee=50_000, amount_due=50_000, payment_status=PAID)
    build_usage(first=FIRST, last=LAST)
    return {"room": room, "hall": hall, "gallery": gallery, "organization": studio}


def grow(town, count: int) -> None:
    """``count`` more rooms in the Town, each with a paid booking of an organization of its own; built again."""
    for n in range(count):
        space = SpaceFactory(facility=town)
        book(
            space,
            seoul(2026, 12, 14 + n % 5, 9 + n % 8),
            organization=OrganizationFactory(),
            fee=10_000,
            amount_due=10_000,
            payment_status=PAID,
            reduction_percent=30 if n % 2 else 0,
            reduction_category="tenant" if n % 2 else "",
        )
    build_usage(first=FIRST, last=LAST)
