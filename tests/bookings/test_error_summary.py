"""A failed booking form lists every error at its top, each field's error linked to the field."""

from html.parser import HTMLParser

import pytest

from bookings.models import Booking
from tests.bookings.test_pages import form_data
from tests.factories import ClosureFactory


@pytest.fixture
def member(client, startup_member):
    startup_member.language = "en"
    startup_member.save(update_fields=["language"])
    client.force_login(startup_member)
    return startup_member


class Summary(HTMLParser):
    """The items of the page's error summary (their text and link) and the ids of the page's form fields."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # open elements inside the summary; 0 outside it
        self.items: list[dict] = []
        self.field_ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and "id" in attrs:
            self.field_ids.add(attrs["id"])
        if self.depth == 0 and "data-error-summary" in attrs:
            self.depth = 1
            return
        if self.depth:
            if tag not in ("input", "br", "img"):
                self.depth += 1
            if tag == "li":
                self.items.append({"text": "", "href": None})
            elif tag == "a" and self.items:
                self.items[-1]["href"] = attrs.get("href")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and self.items:
            self.items[-1]["text"] += data


def summary_of(response) -> Summary:
    summary = Summary()
    summary.feed(response.content.decode())
    return summary


@pytest.mark.usefixtures("frozen_now")
def test_a_booking_form_with_two_bad_fields_lists_both_at_its_top_linked_to_the_fields(client, member, space):
    response = client.post(f"/spaces/{space.slug}/book/", form_data(title="", attendees="many"))

    assert response.status_code == 400
    summary = summary_of(response)
    assert [(item["text"].strip(), item["href"]) for item in summary.items] == [
        ("Title: This field is required.", "#id_title"),
        ("Attendees: Enter a whole number.", "#id_attendees"),
    ]
    assert {"id_title", "id_attendees"} <= summary.field_ids
    assert not Booking.objects.exists()


@pytest.mark.usefixtures("frozen_now")
def test_an_error_of_the_whole_booking_is_listed_with_the_fields_errors(client, member, space):
    ClosureFactory(space=space, reason="Repairs")  # the whole of Monday 2026-12-07

    response = client.post(f"/spaces/{space.slug}/book/", form_data(attendees="40"))

    assert response.status_code == 400
    assert [(item["text"].strip(), item["href"]) for item in summary_of(response).items] == [
        ("The space is closed from 2026-12-07 00:00 to 2026-12-08 00:00: Repairs", None),
        ("Attendees: This space holds at most 12 people.", "#id_attendees"),
    ]


@pytest.mark.usefixtures("frozen_now")
def test_a_form_without_errors_has_no_summary(client, member, space):
    response = client.get(f"/spaces/{space.slug}/")

    assert response.status_code == 200
    assert "data-error-summary" not in response.content.decode()
