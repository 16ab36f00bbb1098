"""Read queries for finding a room."""

from django.db.models import QuerySet

from hall.models import Space


def space_list() -> QuerySet[Space]:
    """Spaces with what a list shows: facility, building and amenities, in a fixed number of queries."""
    return (
        Space.objects.select_related("facility__building")
        .prefetch_related("amenities")
        .order_by("facility__position", "floor", "slug")
    )


def space_detail(*, slug: str) -> Space:
    return space_list().get(slug=slug)
