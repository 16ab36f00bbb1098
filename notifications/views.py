from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications import services
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
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")
