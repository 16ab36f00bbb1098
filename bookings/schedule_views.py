"""Pages built on the rooms × time grid: the finder's grid, a room's day, week and month, the managers' calendar."""

import calendar
from datetime import date, timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from bookings import rules
from bookings.schedule import build_schedule
from hall.decorators import manager_required
from hall.models import Building, Facility, Space
from hall.selectors import facilities_managed_by


class ScheduleQueryForm(forms.Form):
    """What a grid is asked for; every field may be left out."""

    building = forms.ModelChoiceField(
        label=_("Building"),
        queryset=Building.objects.order_by("position"),
        to_field_name="slug",
        required=False,
        empty_label=_("All buildings"),
    )
    facility = forms.ModelChoiceField(
        label=_("Facility"),
        queryset=Facility.objects.order_by("position"),
        to_field_name="slug",
        required=False,
        empty_label=_("All facilities"),
    )
    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.IntegerField(
        label=_("People"),
        required=False,
        min_value=1,
        max_value=100000,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
    )
    view = forms.ChoiceField(required=False, choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))])

    def clean_date(self):
        day = self.cleaned_data.get("date")
        if day and not rules.in_calendar(day):
            raise forms.ValidationError(_("Choose a date between 2000 and 2100."))
        return day


class PrefillForm(forms.Form):
    """What a link to a room's form may carry: the grid's day and times, the finder's people."""

    date = forms.DateField(required=False)
    end_date = forms.DateField(required=False)
    start = forms.TimeField(required=False, input_formats=["%H:%M"])
    end = forms.TimeField(required=False, input_formats=["%H:%M"])
    attendees = forms.IntegerField(required=False, min_value=1, max_value=100000)

    def clean(self):
        data = super().clean()
        for name in ("date", "end_date"):
            if data.get(name) and not rules.in_calendar(data[name]):
                data[name] = None
        return data


def _query_or_400(request) -> tuple[ScheduleQueryForm, dict, int]:
    form = ScheduleQueryForm(request.GET)
    if form.is_valid():
        return form, form.cleaned_data, 200
    # A grid for what could be read, with the form telling what could not.
    data = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}
    return form, data, 400


def _nav(first_day: date, step: int, params: dict) -> dict:
    def link(day: date | None) -> str:
        query = {key: value for key, value in params.items() if value not in (None, "")}
        if day is not None:
            query["date"] = day.isoformat()
        return "?" + urlencode(query)

    return {
        "previous_url": link(first_day - timedelta(days=step)),
        "today_url": link(None),
        "next_url": link(first_day + timedelta(days=step)),
    }


def finder_schedule(request):
    """The finder's grid: every bookable room of a facility (or a building) over one day, for the people asked."""
    form, data, status = _query_or_400(request)
    today = timezone.localdate()
    day = data.get("date") or today
    facility, building = data.get("facility"), data.get("building")
    if facility is None and building is None:
        facility = Facility.objects.order_by("position").first()
    spaces = Space.objects.filter(is_bookable=True).select_related("facility__building")
    if facility is not None:
        spaces = spaces.filter(facility=facility)
    elif building is not None:
        spaces = spaces.filter(facility__building=building)
    if status == 200:
        # The form says what the grid shows, defaults included.
        shown = request.GET.copy()
        if not shown.get("date"):
            shown["date"] = day.isoformat()
        if facility is not None and not shown.get("facility"):
            shown["facility"] = facility.slug
        form = ScheduleQueryForm(shown)
    attendees = data.get("attendees")
    if attendees:
        spaces = spaces.filter(capacity__gte=attendees)
    spaces = list(spaces.order_by("facility__position", "floor", "slug"))
    schedule = build_schedule(spaces=spaces, first_day=day, days=1, user=request.user)
    params = {
        "facility": facility.slug if facility else "",
        "building": building.slug if building and not facility else "",
        "attendees": attendees or "",
    }
    return render(
        request,
        "bookings/schedule.html",
        {
            "form": form,
            "schedule": schedule,
            "day": day,
            "today": today,
            "facility": facility,
            "building": building,
            "carry": urlencode({"attendees": attendees}) if attendees else "",
            "list_url": reverse("bookings:space_list")
            + "?"
            + urlencode(
                {
                    key: value
                    for key, value in {**params, "capacity_min": attendees or ""}.items()
                    if value and key != "attendees"
                }
            ),
            **_nav(day, 1, params),
        },
        status=status,
    )


def month_grid(schedule, month_first: date) -> list[list]:
    """A room's lanes as the weeks of a month (Monday first); days of other months are None."""
    lanes = {lane.day: lane for row in schedule.rows for lane in row.lanes}
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month_first.year, month_first.month):
        weeks.append([lanes.get(day) if day.month == month_first.month else None for day in week])
    return weeks


def room_schedule_context(request, space: Space, asked_day: date | None) -> dict:
    """A room's own grid on its page: a day or a week by the hour, or a month for rooms let by the day."""
    today = timezone.localdate()
    day = asked_day if asked_day and rules.in_calendar(asked_day) else today
    view = request.GET.get("view")
    if space.booking_unit == Space.BookingUnit.DAY:
        view = "month"
    elif view not in ("day", "week"):
        view = "day"
    if view == "month":
        first = day.replace(day=1)
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
        grid_start = weeks[0][0]
        schedule = build_schedule(
            spaces=[space], first_day=grid_start, days=len(weeks) * 7, user=request.user, by_day=True
        )
        next_month = (first + timedelta(days=32)).replace(day=1)
        previous_month = (first - timedelta(days=1)).replace(day=1)
        return {
            "schedule": schedule,
            "view": view,
            "first_day": first,
            "month_weeks": month_grid(schedule, first),
            "weekday_names": [weeks[0][i] for i in range(7)],
            "today": today,
            **_nav_dates(previous_month, next_month, view),
        }
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    days = 7 if view == "week" else 1
    schedule = build_schedule(spaces=[space], first_day=first, days=days, user=request.user, by_day=True)
    return {
        "schedule": schedule,
        "view": view,
        "first_day": first,
        "today": today,
        **_nav_dates(first - timedelta(days=days), first + timedelta(days=days), view),
    }


def _nav_dates(previous: date, following: date, view: str) -> dict:
    return {
        "previous_url": f"?date={previous.isoformat()}&view={view}",
        "next_url": f"?date={following.isoformat()}&view={view}",
        "today_url": f"?view={view}",
    }


@manager_required
def facility_calendar(request):
    """The managers' calendar: all rooms of a facility they manage, by day or by week, with titles."""
    form, data, status = _query_or_400(request)
    facilities = list(facilities_managed_by(request.user).order_by("position"))
    facility = data.get("facility") or (facilities[0] if facilities else None)
    if facility is None:
        raise PermissionDenied
    managed = {managed_facility.pk for managed_facility in facilities}
    if facility.pk not in managed:
        raise PermissionDenied
    view = "week" if data.get("view") == "week" else "day"
    first_day = data.get("date") or timezone.localdate()
    if view == "week":
        first_day -= timedelta(days=first_day.weekday())
    days = 7 if view == "week" else 1
    spaces = list(facility.spaces.select_related("facility__building").order_by("floor", "slug"))
    schedule = build_schedule(
        spaces=spaces, first_day=first_day, days=days, user=request.user, managed_facility_ids=managed
    )
    params = {"facility": facility.slug, "view": view}
    return render(
        request,
        "bookings/manage/calendar.html",
        {
            "form": form,
            "facility": facility,
            "facilities": facilities,
            "schedule": schedule,
            "view": view,
            "first_day": first_day,
            "last_day": first_day + timedelta(days=days - 1),
            "day_url": "?" + urlencode({"facility": facility.slug, "view": "day", "date": first_day.isoformat()}),
            "week_url": "?" + urlencode({"facility": facility.slug, "view": "week", "date": first_day.isoformat()}),
            **_nav(first_day, days, params),
        },
        status=status,
    )
