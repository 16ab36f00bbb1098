from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from hall import selectors


def home(request):
    return render(request, "hall/home.html", {"buildings": selectors.buildings_with_facilities()})


@login_required
def manage_dashboard(request):
    """The manager's start page: the facilities they manage, with rooms and units at a glance."""
    if not selectors.is_manager(request.user):
        raise PermissionDenied
    return render(
        request, "hall/manage_dashboard.html", {"facilities": selectors.facilities_for_dashboard(request.user)}
    )
