from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications import preferences, services
from notifications.messages import build_message, link_of
from notifications.selectors import inbox_with_subjects

PER_PAGE = 30


@login_required
def notification_list(request):
    page = Paginator(inbox_with_subjects(request.user), PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for notification in page:
        message = build_message(notification)
        rows.append({"notification": notification, "message": message, "link": link_of(notification)})
    return render(request, "notifications/list.html", {"page": page, "rows": rows})


@login_required
@require_POST
def mark_read(request, pk=None):
    services.mark_read(user=request.user, notification_id=pk)
    return redirect("notifications:list")


@login_required
def open_notification(request, pk):
    """The inbox's link to what a notification is about: opening it marks it read. A plain link (GET), so it
    opens in a new tab too; the target is the notification's own, never taken from the request."""
    notification = get_object_or_404(services.inbox(request.user), pk=pk)
    services.mark_read(user=request.user, notification_id=notification.pk)
    return redirect(link_of(notification) or "notifications:list")


@login_required
@require_POST
def save_preferences(request):
    """The account page's channels per kind of message: a ticked box keeps the channel."""
    offered = [choice.kind for choice in preferences.choices(request.user)]
    email = {kind for kind in offered if request.POST.get(f"email-{kind}")}
    kakao = None
    if preferences.can_reach_by_kakao(request.user):
        kakao = {kind for kind in offered if request.POST.get(f"kakao-{kind}")}
    preferences.save(user=request.user, email=email, kakao=kakao)
    messages.success(request, _("Your notification choices were saved."))
    return redirect(reverse("accounts:profile") + "#notifications-heading")
