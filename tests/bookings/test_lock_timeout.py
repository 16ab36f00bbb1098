"""A booking that waits too long for a space's or an organization's lock answers 409 "busy" instead of
hanging: another connection holds the row lock, as a slow competing booking would."""

import time
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection
from rest_framework.test import APIClient

from bookings.models import Booking
from hall.models import Space
from tenants.models import Membership, Organization

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen_now")]

BODY = {
    "title": "Investor demo",
    "attendees": 4,
    "start": "2026-12-07T10:00:00+09:00",
    "end": "2026-12-07T12:00:00+09:00",
}


@contextmanager
def row_locked(model, pk):
    """Hold ``SELECT … FOR UPDATE`` on one row from a connection of its own until the block ends."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    other = psycopg.connect(**params, autocommit=False)
    try:
        other.execute(f"SELECT 1 FROM {model._meta.db_table} WHERE id = %s FOR UPDATE", [pk])
        yield
    finally:
        other.rollback()
        other.close()


@pytest.fixture
def short_timeout(settings):
    """A one-second lock timeout, taken by the next connection the booking opens."""
    settings.BOOKING_LOCK_TIMEOUT = 1
    connection.close()
    yield
    connection.close()


@pytest.fixture
def member_api(startup_member):
    client = APIClient()
    client.force_login(startup_member)
    return client


def test_a_booking_that_waits_for_the_space_lock_is_409_busy(member_api, space, short_timeout):
    with row_locked(Space, space.pk):
        began = time.monotonic()
        response = member_api.post("/api/v1/bookings/", {**BODY, "space": space.slug}, format="json")
        waited = time.monotonic() - began

    assert response.status_code == 409
    assert response.json()["code"] == "busy"
    assert response.json()["detail"]
    assert 0.9 < waited < 10
    assert not Booking.objects.exists()
    # Once the lock is free the same request goes through.
    assert member_api.post("/api/v1/bookings/", {**BODY, "space": space.slug}, format="json").status_code == 201


def test_a_booking_that_waits_for_the_organization_lock_is_409_busy(member_api, space, startup_member, short_timeout):
    space.facility.monthly_quota_hours = 20
    space.facility.save()
    organization = Membership.objects.get(user=startup_member).organization

    with row_locked(Organization, organization.pk):
        response = member_api.post("/api/v1/bookings/", {**BODY, "space": space.slug}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "busy"
    assert not Booking.objects.exists()


def test_the_booking_form_says_busy_on_the_form(client, startup_member, space, short_timeout):
    startup_member.language = "ko"
    startup_member.save()
    client.force_login(startup_member)

    with row_locked(Space, space.pk):
        response = client.post(
            f"/spaces/{space.slug}/book/",
            {"title": "데모", "date": "2026-12-07", "start_time": "10:00", "end_time": "12:00", "attendees": "5"},
        )

    assert response.status_code == 409
    body = response.content.decode()
    assert "잠시 후 다시 시도해 주세요" in body
    assert 'name="title"' in body  # the form is shown again, filled in
    assert not Booking.objects.exists()


def test_every_connection_waits_at_most_the_setting_for_a_lock():
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "5s"
