"""The in-app side: the bell in the header, the notifications page, the API and the reminder setting."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import services
from notifications.models import Notification
from tests.factories import LeasableUnitFactory
from tests.notifications.factories import (
    BookingFactory,
    LeaseContractFactory,
    NotificationFactory,
    RenewalRequestFactory,
    in_app_message,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

Kind = Notification.Kind
BELL = re.compile(r'class="bell-count">(\d+)<')
API = "/api/v1/notifications/"


def bell_count(response) -> int | None:
    match = BELL.search(response.content.decode())
    return int(match.group(1)) if match else None


@pytest.fixture
def signed_in(client, booker):
    client.force_login(booker)
    return client


@pytest.fixture
def api(api_client, booker):
    api_client.force_login(booker)
    return api_client


@pytest.fixture
def inbox(booker, tenant, unit, clock):
    """Three delivered in-app messages of the booker, one minute apart: a booking, a contract, a renewal."""
    booking = BookingFactory(requested_by=booker, status="approved", title="Robot demo")
    contract = LeaseContractFactory(organization=tenant["organization"], unit=unit)
    renewal = RenewalRequestFactory(contract=contract, requested_by=tenant["owner"])
    messages = {}
    for name, subject, kind, context in (
        ("booking", booking, Kind.BOOKING_APPROVED, {}),
        ("contract", contract, Kind.LEASE_EXPIRY, {"days": 60, "threshold": 60}),
        ("renewal", renewal, Kind.RENEWAL_APPROVED, {}),
    ):
        messages[name] = in_app_message(booker, subject, kind, context=context)
        clock.shift(timedelta(minutes=1))
    return {"booking": booking, "contract": contract, "renewal": renewal, "messages": messages}


@pytest.fixture
def someone_elses(tenant, inbox):
    return in_app_message(tenant["owner"], inbox["contract"], Kind.LEASE_EXPIRY, context={"days": 60})


# --- The bell and the page --------------------------------------------------------------------------


def test_the_bell_in_the_header_shows_the_number_of_unread_messages(signed_in, booker, inbox, someone_elses):
    # Neither e-mails nor messages not yet delivered count.
    NotificationFactory(recipient=booker, subject=inbox["booking"], channel="email", status="sent")
    NotificationFactory(recipient=booker, subject=inbox["booking"], channel="in_app", status="pending")

    response = signed_in.get(reverse("home"))

    assert response.status_code == 200
    assert bell_count(response) == 3
    assert '3<span class="visually-hidden"> unread</span>' in response.content.decode()


def test_marking_one_and_then_all_read_lowers_the_count_in_the_bell(signed_in, booker, inbox):
    first = inbox["messages"]["booking"]

    response = signed_in.post(reverse("notifications:mark_read", args=[first.pk]), follow=True)

    assert bell_count(response) == 2
    first.refresh_from_db()
    assert first.read_at is not None

    response = signed_in.post(reverse("notifications:mark_all_read"), follow=True)

    assert bell_count(response) is None
    assert services.unread_count(booker) == 0
    assert "No notifications yet." not in response.content.decode()


def test_the_bell_shows_nothing_without_unread_messages(signed_in):
    assert bell_count(signed_in.get(reverse("home"))) is None


def test_the_notifications_page_lists_my_messages_newest_first_with_their_links(signed_in, inbox, someone_elses):
    response = signed_in.get(reverse("notifications:list"))

    assert response.status_code == 200
    page = response.content.decode().split('<ul class="inbox">')[1]
    subjects = re.findall(r"<strong>(.*?)</strong>", page)
    assert subjects == [
        "[Dongnam] Your renewal is approved: Gyeongnam Social Economy Innovation Town 105",
        "[Dongnam] Your lease ends in 60 days",
        "[Dongnam] Your booking is approved",
    ]
    links = re.findall(r'href="(/notifications/\d+/open/)"', page)
    assert links == [
        reverse("notifications:open", args=[inbox["messages"][name].pk]) for name in ("renewal", "contract", "booking")
    ]
    assert "Open the booking" in page
    assert "Open the contract" in page
    assert page.count('class="unread"') == 3


def test_opening_a_message_marks_it_read_and_leads_to_the_booking(signed_in, booker, inbox):
    message = inbox["messages"]["booking"]

    response = signed_in.get(reverse("notifications:open", args=[message.pk]))

    assert response.status_code == 302
    assert response.url == f"/bookings/{inbox['booking'].pk}/"
    assert services.unread_count(booker) == 2
    page = signed_in.get(reverse("notifications:list")).content.decode()
    assert page.count('class="unread"') == 2


def test_opening_a_message_leads_only_where_the_message_points(signed_in, inbox):
    message = inbox["messages"]["contract"]

    response = signed_in.get(reverse("notifications:open", args=[message.pk]), {"next": "https://evil.example/"})

    assert response.url == f"/contracts/{inbox['contract'].pk}/"


def test_someone_elses_message_cannot_be_opened(signed_in, someone_elses):
    response = signed_in.get(reverse("notifications:open", args=[someone_elses.pk]))

    assert response.status_code == 404
    someone_elses.refresh_from_db()
    assert someone_elses.read_at is None


def test_someone_elses_message_cannot_be_marked_read_on_the_page(signed_in, someone_elses):
    signed_in.post(reverse("notifications:mark_read", args=[someone_elses.pk]))
    signed_in.post(reverse("notifications:mark_all_read"))

    someone_elses.refresh_from_db()
    assert someone_elses.read_at is None


def test_the_notifications_page_needs_signing_in(client):
    response = client.get(reverse("notifications:list"))

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


# --- The API ---------------------------------------------------------------------------------------


def test_the_api_lists_only_my_messages_newest_first(api, inbox, someone_elses):
    response = api.get(API)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    results = body["results"]
    assert [item["kind"] for item in results] == ["renewal_approved", "lease_expiry", "booking_approved"]
    assert [item["id"] for item in results] == [
        inbox["messages"][name].pk for name in ("renewal", "contract", "booking")
    ]
    assert results[2]["subject"] == {
        "type": "booking",
        "id": inbox["booking"].pk,
        "url": f"/bookings/{inbox['booking'].pk}/",
    }
    assert results[1]["subject"]["url"] == f"/contracts/{inbox['contract'].pk}/"
    assert results[0]["title"].startswith("[Dongnam] Your renewal is approved")
    assert all(item["read"] is False for item in results)
    assert all(item["created"] for item in results)
    assert results[0]["created"] > results[1]["created"] > results[2]["created"]


def test_marking_a_message_read_through_the_api(api, booker, inbox):
    message = inbox["messages"]["contract"]

    response = api.post(f"{API}{message.pk}/read/")

    assert response.status_code == 200
    assert response.json()["read"] is True
    assert response.json()["id"] == message.pk
    assert services.unread_count(booker) == 2
    assert [item["read"] for item in api.get(API).json()["results"]] == [False, True, False]


def test_someone_elses_message_is_not_found_through_the_api(api, someone_elses):
    response = api.post(f"{API}{someone_elses.pk}/read/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    someone_elses.refresh_from_db()
    assert someone_elses.read_at is None


def test_the_api_needs_authentication(api_client):
    assert api_client.get(API).status_code in (401, 403)


def test_the_api_refuses_unknown_parameters(api, inbox):
    response = api.get(API, {"unread": "1"})

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_parameter"


# --- The reminder setting ------------------------------------------------------------------------------


def test_the_account_page_turns_reminders_off_and_on(signed_in, booker):
    page = signed_in.get(reverse("accounts:profile")).content.decode()
    assert re.search(r'<input type="checkbox" name="reminders_enabled"[^>]*checked', page)

    signed_in.post(reverse("accounts:profile"), {"name": booker.name, "language": "en"})
    booker.refresh_from_db()
    assert booker.reminders_enabled is False
    page = signed_in.get(reverse("accounts:profile")).content.decode()
    assert not re.search(r'<input type="checkbox" name="reminders_enabled"[^>]*checked', page)

    signed_in.post(reverse("accounts:profile"), {"name": booker.name, "language": "en", "reminders_enabled": "on"})
    booker.refresh_from_db()
    assert booker.reminders_enabled is True


# --- Queries ---------------------------------------------------------------------------------------------


def add_messages(user, tenant, per_kind: int, clock) -> None:
    """``per_kind`` delivered messages about each of: bookings, renewals, contracts (and the digest)."""
    for _number in range(per_kind):
        booking = BookingFactory(requested_by=user, status="approved")
        contract = LeaseContractFactory(organization=tenant["organization"], unit=LeasableUnitFactory())
        renewal = RenewalRequestFactory(contract=contract, requested_by=tenant["owner"])
        for subject, kind, context in (
            (booking, Kind.BOOKING_APPROVED, {}),
            (booking, Kind.BOOKING_REMINDER, {"hours": 24, "start": booking.start.isoformat()}),
            (booking, Kind.BOOKING_CANCELLED, {"reason": "Water leak"}),
            (renewal, Kind.RENEWAL_CHANGES, {"reason": "Attach the report"}),
            (renewal, Kind.RENEWAL_SUBMITTED, {}),
            (contract, Kind.LEASE_EXPIRY, {"days": 30}),
            (contract, Kind.CONTRACT_EXPIRED, {}),
            (None, Kind.MANAGER_DIGEST, {"pending_count": 2, "items": ["12-07 10:00 Room · Meeting"]}),
        ):
            in_app_message(user, subject, kind, context=context)
            clock.shift(timedelta(seconds=1))


def queries_of(client, path) -> int:
    client.get(path)  # warm the content-type cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_the_notifications_page_and_the_api_make_as_many_queries_for_2_as_for_20_messages_of_each_kind(
    signed_in, api, booker, tenant, clock
):
    add_messages(booker, tenant, 2, clock)
    small = {"page": queries_of(signed_in, reverse("notifications:list")), "api": queries_of(api, API)}
    assert len(api.get(API).json()["results"]) == 16

    add_messages(booker, tenant, 18, clock)
    large = {"page": queries_of(signed_in, reverse("notifications:list")), "api": queries_of(api, API)}

    assert len(api.get(API).json()["results"]) == 50
    assert large == small
