from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from bookings import selectors
from bookings.filters import SpaceFilter
from hall.models import Space

SPACES_PER_PAGE = 24


def space_list(request):
    space_filter = SpaceFilter(request.GET or None, queryset=selectors.space_list())
    status = 200
    if space_filter.is_bound and not space_filter.is_valid():
        # The form shows what is wrong next to each field; no results for a query we cannot read.
        spaces = Space.objects.none()
        status = 400
    else:
        spaces = space_filter.qs
    page = Paginator(spaces, SPACES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "bookings/space_list.html",
        {"filter": space_filter, "page": page, "query": query.urlencode()},
        status=status,
    )


def space_detail(request, slug):
    try:
        space = selectors.space_detail(slug=slug)
    except Space.DoesNotExist:
        raise Http404 from None
    return render(request, "bookings/space_detail.html", {"space": space, "policy": space.policy})
