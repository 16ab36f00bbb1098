from django.shortcuts import render

from hall import selectors
from hall.decorators import manager_required


def home(request):
    return render(request, "hall/home.html", {"buildings": selectors.buildings_with_facilities()})


@manager_required
def manage_dashboard(request):
    """The manager's start page: the facilities they manage, with rooms and units at a glance."""
    return render(
        request, "hall/manage_dashboard.html", {"facilities": selectors.facilities_for_dashboard(request.user)}
    )
