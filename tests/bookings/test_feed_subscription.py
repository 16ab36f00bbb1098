"""My bookings offers the private calendar feed to copy or to add to a calendar app with one link."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from bookings.models import CalendarFeed

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client, startup_member):
    startup_member.language = "en"
    startup_member.save(update_fields=["language"])
    client.force_login(startup_member)
    response = client.get(reverse("bookings:my_bookings"))
    assert response.status_code == 200
    token = CalendarFeed.objects.get(user=startup_member).token
    return {"html": response.content.decode(), "feed": f"http://testserver/calendar/{token}.ics"}


def _link(page_html: str, text: str) -> str:
    match = re.search(r'<a href="([^"]+)"[^>]*>' + re.escape(text) + "</a>", page_html)
    assert match, f"no link {text!r}"
    return html.unescape(match.group(1))


def test_the_feed_address_can_be_copied_with_a_button(page):
    assert f'value="{page["feed"]}" id="feed-address"' in page["html"]
    assert re.search(
        r'<button type="button" data-copy="feed-address" data-copied="Copied\." [^>]*>Copy</button>', page["html"]
    )
    assert 'role="status" data-copy-status="feed-address"' in page["html"]


def test_calendar_apps_subscribe_through_a_webcal_link(page):
    webcal = _link(page["html"], "Open in your calendar app (iPhone, Mac, Outlook)")

    assert webcal == page["feed"].replace("http://", "webcal://")


def test_google_calendar_is_given_the_webcal_address(page):
    link = urlsplit(_link(page["html"], "Add to Google Calendar"))

    assert (link.scheme, link.netloc, link.path) == ("https", "calendar.google.com", "/calendar/r")
    assert parse_qs(link.query) == {"cid": [page["feed"].replace("http://", "webcal://")]}


def test_outlook_is_given_the_address_and_a_name(page):
    link = urlsplit(_link(page["html"], "Add to Outlook"))

    assert (link.scheme, link.netloc, link.path) == ("https", "outlook.live.com", "/calendar/0/addfromweb")
    assert parse_qs(link.query) == {"url": [page["feed"]], "name": ["Dongnam bookings"]}


def test_the_links_read_korean_to_a_korean_reader(client, startup_member):
    client.force_login(startup_member)

    text = client.get(reverse("bookings:my_bookings")).content.decode()

    assert ">Google 캘린더에 추가</a>" in text
    assert ">Outlook에 추가</a>" in text
    assert ">복사</button>" in text
    assert "name=%EB%8F%99%EB%82%A8%EC%A0%84%EC%8B%9C%EC%9E%A5+%EC%98%88%EC%95%BD" in text
