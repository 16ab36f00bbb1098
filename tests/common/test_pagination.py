"""CountedPaginator: a page and the length of the list in one statement, with Django's page-number fallbacks."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.pagination import CountedPaginator
from hall.models import Space
from tests.factories import SpaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven_rooms(town):
    for number in range(7):
        SpaceFactory(facility=town, slug=f"room-{number}")
    return Space.objects.filter(slug__startswith="room-").order_by("slug")


def _slugs(page) -> list[str]:
    return [space.slug for space in page]


@pytest.mark.parametrize(
    ("asked", "expected_number"),
    [(None, 1), ("", 1), ("two", 1), ("1.5", 1), ("2", 2), ("3", 3), ("4", 3), ("0", 3), ("-1", 3), ("10" * 12, 3)],
)
def test_a_page_number_gives_the_page_djangos_paginator_gives(seven_rooms, asked, expected_number):
    page = CountedPaginator(seven_rooms, 3).get_page(asked)
    django_page = Paginator(seven_rooms, 3).get_page(asked)

    assert page.number == django_page.number == expected_number
    assert _slugs(page) == _slugs(django_page)
    assert (page.paginator.count, page.paginator.num_pages) == (7, 3)
    assert (page.has_previous(), page.has_next()) == (django_page.has_previous(), django_page.has_next())


def test_an_existing_page_and_the_count_come_from_one_statement(seven_rooms):
    with CaptureQueriesContext(connection) as queries:
        page = CountedPaginator(seven_rooms, 3).get_page("2")
        shown = (_slugs(page), page.paginator.count, page.paginator.num_pages, page.end_index())

    assert shown == (["room-3", "room-4", "room-5"], 7, 3, 6)
    assert len(queries) == 1


def test_an_empty_list_is_one_empty_first_page_in_one_statement(town):
    with CaptureQueriesContext(connection) as queries:
        page = CountedPaginator(Space.objects.filter(slug="none").order_by("slug"), 3).get_page("1")
        shown = (_slugs(page), page.paginator.count, page.paginator.num_pages)

    assert shown == ([], 0, 1)
    assert len(queries) == 1
