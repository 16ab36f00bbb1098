"""Pages composed from several apps; hall, where the manager pages begin, may not import those above it."""

from django.shortcuts import render
from django.utils import timezone

from dongnam import selectors
from hall.decorators import manager_required


@manager_required
def manage_dashboard(request):
    """The manager's start page: what needs them today across the facilities they manage."""
    dashboard = selectors.manager_dashboard(request.user, now=timezone.now())
    # The manager tabs show the approval count; this page has just counted it.
    request.pending_approvals = dashboard.pending
    return render(request, "hall/manage_dashboard.html", {"dashboard": dashboard})
