"""A member pays an approved booking online: 결제하기 → Toss's checkout (the stand-in's script, with the SDK's
API) → back on the site, confirmed server-side → 결제 완료, the booking reads paid, and its usage permit
(사용허가서) downloads as a PDF."""

from datetime import datetime, time

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.models import User
from bookings import services
from bookings.models import Booking
from bookings.rules import HALL_TZ
from hall.models import Space
from papers.models import IssuedPaper
from payments.models import TossOrder
from tests.e2e.helpers import LANGUAGES, MEMBER, TOWN_MANAGER, VIEWPORTS, exact, next_open_weekday, sign_in, speaks
from tests.factories import enable_totp
from tests.payments.conftest import toss_server  # noqa: F401 (the stand-in's server, a fixture)
from tests.payments.standin import CLIENT_KEY, SECRET_KEY

pytestmark = pytest.mark.browser

TITLES = {"ko": "투자 설명회", "en": "Investor briefing"}


@pytest.fixture
def toss(toss_server, settings):  # noqa: F811
    server, standin = toss_server
    standin.reset()
    settings.TOSS_PAYMENTS_CLIENT_KEY = CLIENT_KEY
    settings.TOSS_PAYMENTS_SECRET_KEY = SECRET_KEY
    settings.TOSS_PAYMENTS_API_BASE = server.url_for("/").rstrip("/")
    settings.TOSS_PAYMENTS_CHECKOUT_SCRIPT = server.url_for("/v2/standard")
    return standin


@pytest.fixture
def approved(site, lang):
    """The member's approved, unpaid booking of Meeting room B (15,000 won an hour), 14:00–16:00."""
    member = speaks(MEMBER, lang)
    manager = speaks(TOWN_MANAGER, lang)
    enable_totp(manager)
    day = next_open_weekday()
    booking = services.create_booking(
        requested_by=member,
        space=Space.objects.get(slug="town-meeting-b"),
        start=datetime.combine(day, time(14), tzinfo=HALL_TZ),
        end=datetime.combine(day, time(16), tzinfo=HALL_TZ),
        title=TITLES[lang],
        attendees=6,
    )
    if booking.status == Booking.Status.PENDING:
        booking = services.approve_booking(booking=booking, manager=User.objects.get(email=TOWN_MANAGER))
    assert booking.payment_status == Booking.PaymentStatus.UNPAID and booking.amount_due > 0
    return booking


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_member_pays_a_booking_online_and_downloads_the_permit(journey, toss, approved, lang, viewport):
    run = journey("payment")
    amount = f"{approved.amount_due:,}"
    member = run.new_page()
    sign_in(run, member, MEMBER, step="01")

    member.goto(approved.get_absolute_url())
    expect(member.get_by_role("heading", level=1)).to_have_text(exact(TITLES[lang]))
    pay = member.get_by_role("button", name=exact(run.t("Pay now")))
    expect(pay).to_be_visible()
    run.shot(member, "02-booking-unpaid")

    # The payment page: the amount, and Toss's checkout script (the stand-in's) loaded under the page's policy.
    pay.click()
    expect(member.get_by_role("heading", level=1)).to_have_text(exact(run.t("Pay for the booking")))
    expect(member.locator(".checkout-amount")).to_contain_text(amount)
    card = member.get_by_role("button", name=exact(run.t("Card or easy pay")))
    expect(card).to_be_enabled()
    expect(member.locator("[data-checkout-status]")).to_have_text(run.t("Choose a way to pay."))
    run.shot(member, "03-checkout")
    order = TossOrder.objects.get(booking=approved)
    assert order.amount == approved.amount_due

    # Paying sends the browser back to the site, which confirms the payment with Toss.
    with member.expect_navigation(url=lambda url: "/payments/toss/success/" in url):
        card.click()
    expect(member.get_by_role("heading", level=1)).to_have_text(exact(run.t("Payment complete")))
    expect(member.locator(".payment-facts")).to_contain_text(amount)
    expect(member.locator(".payment-facts")).to_contain_text(order.order_id)
    run.shot(member, "04-paid")

    order.refresh_from_db()
    assert order.status == TossOrder.Status.DONE
    approved.refresh_from_db()
    assert approved.payment_status == Booking.PaymentStatus.PAID
    assert approved.payment_reference == order.payment_key
    assert len(toss.calls_to("confirm")) == 1

    # The booking reads paid, with no button to pay again.
    member.get_by_role("link", name=exact(run.t("Back to the booking"))).click()
    expect(member.locator(".badge-pay-paid")).to_have_text(exact(run.label(Booking.PaymentStatus.PAID)))
    expect(member.get_by_role("button", name=exact(run.t("Pay now")))).to_have_count(0)
    run.shot(member, "05-booking-paid")

    # The paid booking has its usage permit: downloaded from the booking page, a PDF naming the booking and
    # the amount paid.
    with member.expect_download() as downloaded:
        member.locator(".paper-link-permit").click()
    permit = PdfReader(downloaded.value.path())
    text = " ".join(" ".join(page.extract_text() for page in permit.pages).split())
    assert TITLES[lang] in text
    assert amount in text
    assert IssuedPaper.objects.filter(booking=approved, kind=IssuedPaper.Kind.PERMIT).count() == 1
