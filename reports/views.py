"""The managers' reports page (/manage/reports/) and its exports, over the facilities the manager manages."""

from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.rules import HALL_TZ
from hall.decorators import manager_required
from hall.models import Space
from hall.selectors import facilities_managed_by
from reports import exports, presentation, selectors, tasks
from reports.forms import ReportFilterForm
from reports.services import LONGEST_BUILD_DAYS

TEMPLATE = "reports/overview.html"
# How long a queued build of a period stops the button from queueing it again.
BUILD_QUEUED_SECONDS = 5 * 60


def _today():
    return timezone.now().astimezone(HALL_TZ).date()


def _filter(request, data) -> ReportFilterForm:
    return ReportFilterForm(data, facilities=facilities_managed_by(request.user), today=_today())


def _chosen_facility(form: ReportFilterForm):
    return form.cleaned_data.get("facility") if form.is_valid() else None


def _query(form: ReportFilterForm) -> str:
    """The filter as the links of the page carry it (the exports, the quick periods, back after a build)."""
    first, last = form.period
    facility = _chosen_facility(form)
    query = {"facility": facility.slug} if facility else {}
    return urlencode(query | {"from": first.isoformat(), "to": last.isoformat()})


def _refused(request, form: ReportFilterForm):
    """The form with what is wrong, and no figures: a period or facility we cannot report on."""
    facility = form.data.get("facility", "") if "facility" not in form.errors else ""
    context = {
        "form": form,
        "quick_periods": presentation.quick_periods(today=_today(), facility=facility, first=None, last=None),
    }
    return render(request, TEMPLATE, context, status=400)


@manager_required
def overview(request):
    form = _filter(request, request.GET)
    if not form.is_valid():
        return _refused(request, form)
    first, last = form.period
    facility = _chosen_facility(form)
    report = selectors.report(facility_ids=form.facility_ids, first=first, last=last)
    usage = report.utilization
    # The form shows the period it reports on, defaults included.
    shown = _filter(request, None)
    shown.initial = {"facility": facility.slug if facility else "", "from": first, "to": last}
    context = {
        "form": shown,
        "report": report,
        "facility": facility,
        "query": _query(form),
        "quick_periods": presentation.quick_periods(
            today=_today(), facility=facility.slug if facility else "", first=first, last=last
        ),
        "groups": presentation.facility_groups(report),
        "heat": presentation.heat_table(report),
        "charts": presentation.chart_data(report),
        "space_rows_class": presentation.bar_rows_class(len(usage.spaces)),
        "organization_rows_class": presentation.bar_rows_class(len(report.organizations)),
        "can_build": (last - first).days < LONGEST_BUILD_DAYS,
        "longest_build_days": LONGEST_BUILD_DAYS,
        # Nothing to add up: either nothing is built yet, or these facilities have no room to book.
        "no_spaces": not usage.spaces
        and not Space.objects.filter(facility_id__in=form.facility_ids, is_bookable=True).exists(),
    }
    return render(request, TEMPLATE, context)


def _export(request, write, extension: str):
    form = _filter(request, request.GET)
    if not form.is_valid():
        return _refused(request, form)
    first, last = form.period
    facility = _chosen_facility(form)
    report = selectors.report(facility_ids=form.facility_ids, first=first, last=last)
    slug, facility_name = (facility.slug, facility.display_name) if facility else ("", _("All my facilities"))
    name = exports.filename(first=first, last=last, facility_slug=slug, extension=extension)
    return write(report, facility_name=facility_name, name=name)


@manager_required
def export_csv(request):
    return _export(request, exports.report_csv, "csv")


@manager_required
def export_xlsx(request):
    return _export(request, exports.report_xlsx, "xlsx")


@manager_required
@require_POST
def build(request):
    """Queue the build of the period's figures (every space, each day), then back to the page."""
    form = _filter(request, request.POST)
    if not form.is_valid():
        return _refused(request, form)
    first, last = form.period
    back = f"{reverse('reports:overview')}?{_query(form)}"
    if (last - first).days >= LONGEST_BUILD_DAYS:
        messages.error(
            request,
            _("Figures are built for at most %(days)d days at once; choose a shorter period.")
            % {"days": LONGEST_BUILD_DAYS},
        )
        return redirect(back)
    # One queued build of a period at a time, whoever asks: a second click or another manager's finds it queued.
    if not cache.add(f"reports:build:{first}:{last}", True, timeout=BUILD_QUEUED_SECONDS):
        messages.info(request, _("These figures are already being built. Reload this page in a minute."))
        return redirect(back)
    # After the commit, as every task is queued; the build itself may take a minute for a long period.
    transaction.on_commit(lambda: tasks.rebuild_usage.delay(first.isoformat(), last.isoformat()))
    messages.success(
        request, _("The figures of this period are being built. Reload this page in a minute to see them.")
    )
    return redirect(back)
