from datetime import datetime, time, timedelta
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from bookings.rules import HALL_TZ
from hall.models import Space
from hall.opening_hours import WEEKDAY_LABELS, WEEKDAYS, parse_day_hours, parse_opening_hours
from tenants.models import Organization


class BookingForm(forms.Form):
    """Book a space: a date with start and end times, or (spaces booked by the day) a range of days."""

    title = forms.CharField(label=_("Title"), max_length=150)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Start"), required=False, widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=_("End"), required=False, widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"})
    )
    end_date = forms.DateField(label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.IntegerField(label=_("Attendees"), min_value=1, max_value=100000)
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    organization = forms.ModelChoiceField(
        label=_("For organization"), queryset=Organization.objects.none(), required=False, empty_label=None
    )
    repeat = forms.BooleanField(label=_("Repeat every week"), required=False)
    weekdays = forms.MultipleChoiceField(
        label=_("On"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("MO", _("Mon")),
            ("TU", _("Tue")),
            ("WE", _("Wed")),
            ("TH", _("Thu")),
            ("FR", _("Fri")),
            ("SA", _("Sat")),
            ("SU", _("Sun")),
        ],
    )
    interval = forms.IntegerField(label=_("Every … weeks"), required=False, min_value=1, max_value=8, initial=1)
    count = forms.IntegerField(label=_("Times"), required=False, min_value=1, max_value=26, initial=8)
    override_reason = forms.CharField(
        label=_("Override the rules because"),
        required=False,
        max_length=500,
        help_text=_("Managers only: book outside the space's rules, with the reason recorded."),
    )

    def __init__(self, *args, space: Space, user, is_manager: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.space = space
        self.by_day = space.booking_unit == Space.BookingUnit.DAY
        organizations = Organization.objects.filter(memberships__user=user).order_by("name")
        self.fields["organization"].queryset = organizations
        if len(organizations) <= 1:
            self.fields["organization"].widget = forms.HiddenInput()
        if not is_manager:
            del self.fields["override_reason"]
        step = space.policy.slot_minutes * 60
        for name in ("start_time", "end_time"):
            self.fields[name].widget.attrs["step"] = step
        if self.by_day:
            for name in ("repeat", "weekdays", "interval", "count"):
                del self.fields[name]
            del self.fields["start_time"], self.fields["end_time"]
            self.fields["date"].label = _("First day")
        else:
            del self.fields["end_date"]
            self.fields["start_time"].required = self.fields["end_time"].required = True
        self.fields["attendees"].widget.attrs["max"] = space.capacity

    def recurrence(self):
        """The weekly rule asked for, or None."""
        from bookings.series import Recurrence

        data = self.cleaned_data
        if not data.get("repeat"):
            return None
        weekdays = tuple(data.get("weekdays") or ())
        if not weekdays and data.get("date"):
            weekdays = (("MO", "TU", "WE", "TH", "FR", "SA", "SU")[data["date"].weekday()],)
        return Recurrence(weekdays=weekdays, interval=data.get("interval") or 1, count=data.get("count") or 1)

    def clean(self):
        data = super().clean()
        day = data.get("date")
        if day is None:
            return data
        if self.by_day:
            last_day = data.get("end_date") or day
            if last_day < day:
                self.add_error("end_date", _("The last day cannot be before the first day."))
                return data
            data["start"] = datetime.combine(day, time(0, 0), tzinfo=HALL_TZ)
            data["end"] = datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=HALL_TZ)
        else:
            start_time, end_time = data.get("start_time"), data.get("end_time")
            if start_time is None or end_time is None:
                return data
            data["start"] = datetime.combine(day, start_time, tzinfo=HALL_TZ)
            # 00:00 as an end means midnight at the end of the day.
            end_day = day + timedelta(days=1) if end_time == time(0, 0) else day
            data["end"] = datetime.combine(end_day, end_time, tzinfo=HALL_TZ)
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ClosureForm(forms.Form):
    space = forms.ModelChoiceField(
        label=_("Space"),
        queryset=Space.objects.none(),
        required=False,
        empty_label=_("Every space of the facility"),
    )
    start = forms.DateTimeField(label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    end = forms.DateTimeField(label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = facility.spaces.order_by("floor", "slug")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        return data


class AsFacilitySelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("As the facility")), ("true", _("Yes")), ("false", _("No"))]


# --- Opening hours: a row of from–to times per weekday ------------------------------------------------
# Each row posts its ranges as repeated "<name>-<day>-from" / "<name>-<day>-to" inputs; a range left empty is
# ignored, a day without ranges is closed. An end of 00:00 is midnight (a time input cannot say 24:00).
# Two ranges a day are always rendered, so a second range needs no script; dongnam.js adds more.
RANGES_SHOWN = 2


class OpeningHoursInput(NamedTuple):
    """The opening hours as posted: own hours or the inherited ones, and each day's (from, to) strings."""

    own: bool
    days: dict[str, list[tuple[str, str]]]


def _as_stored(pairs) -> list[list[str]]:
    # The parser reads "24:00" as time.max; it is stored back as "24:00".
    return [["24:00" if moment == time.max else f"{moment:%H:%M}" for moment in pair] for pair in pairs]


class OpeningHoursWidget(forms.Widget):
    template_name = "includes/opening_hours_widget.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        super().__init__(attrs)
        # The hours followed when there are no own hours (the facility's); None when the hours cannot be inherited.
        self.inherited_hours: dict | None = None
        self.errors_by_day: dict[str, list[str]] = {}

    def value_from_datadict(self, data, files, name):
        days = {}
        for day in WEEKDAYS:
            starts, ends = data.getlist(f"{name}-{day}-from"), data.getlist(f"{name}-{day}-to")
            days[day] = [(start.strip(), end.strip()) for start, end in zip(starts, ends, strict=False)]
        own = self.inherited_hours is None or data.get(f"{name}-source") == "own"
        return OpeningHoursInput(own=own, days=days)

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-source" not in data and not any(f"{name}-{day}-from" in data for day in WEEKDAYS)

    def _as_input(self, value) -> OpeningHoursInput:
        if isinstance(value, OpeningHoursInput):
            return value
        own = value is not None or self.inherited_hours is None
        hours = value if value is not None else (self.inherited_hours or {})
        days = {}
        for day in WEEKDAYS:
            ranges = hours.get(day, []) if isinstance(hours, dict) else []
            days[day] = [(str(start), "00:00" if end == "24:00" else str(end)) for start, end in ranges]
        return OpeningHoursInput(own=own, days=days)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, None, attrs)
        posted = self._as_input(value)
        rows = []
        for day in WEEKDAYS:
            ranges = posted.days[day]
            shown = ranges + [("", "")] * max(0, RANGES_SHOWN - len(ranges))
            rows.append(
                {
                    "day": day,
                    "label": WEEKDAY_LABELS[day],
                    "ranges": shown,
                    "open": any(start or end for start, end in ranges),
                    "errors": self.errors_by_day.get(day, []),
                }
            )
        context["widget"].update(
            {
                "rows": rows,
                "own": posted.own,
                "inherits": self.inherited_hours is not None,
                "source": f"{name}-source",
                # Errors not about one weekday (a service's), shown above the rows.
                "errors": self.errors_by_day.get(None, []),
            }
        )
        return context

    def _render(self, template_name, context, renderer=None):
        # The project's template engine (templates/includes/), not the form renderer's, which only knows Django's.
        return mark_safe(render_to_string(template_name, context))


class OpeningHoursBoundField(BoundField):
    def as_widget(self, widget=None, attrs=None, only_initial=False):
        widget = widget or self.field.widget
        errors_by_day: dict[str, list[str]] = {}
        if self.form.is_bound:
            for error in self.form.errors.as_data().get(self.name, []):
                errors_by_day.setdefault((error.params or {}).get("weekday"), []).extend(error.messages)
        widget.errors_by_day = errors_by_day
        return super().as_widget(widget, attrs, only_initial)


class OpeningHoursField(forms.Field):
    """Opening hours as stored (``{"mon": [["09:00", "18:00"]], …}``), or None to follow the inherited hours;
    each weekday is checked by the one parser and its errors go back to its row."""

    widget = OpeningHoursWidget

    def get_bound_field(self, form, field_name):
        return OpeningHoursBoundField(form, self, field_name)

    def to_python(self, value):
        if value is None or isinstance(value, dict):
            return value
        if not value.own:
            return None
        hours, errors = {}, []
        for day in WEEKDAYS:
            filled = [(start, end) for start, end in value.days[day] if start or end]
            try:
                if any(not (start and end) for start, end in filled):
                    raise ValidationError(_("Give each range both a start and an end, or leave both empty."))
                # An end of 00:00 is midnight; the parser reads it as "24:00".
                intervals = [[start, "24:00" if end == "00:00" else end] for start, end in filled]
                pairs = parse_day_hours(intervals, day=str(WEEKDAY_LABELS[day]))
            except ValidationError as error:
                # The weekday goes with each error, so that the widget shows it on that day's row.
                errors.extend(
                    ValidationError(each.message, code=each.code, params={**(each.params or {}), "weekday": day})
                    for each in error.error_list
                )
                continue
            hours[day] = _as_stored(pairs)
        if errors:
            raise ValidationError(errors)
        return hours

    def has_changed(self, initial, data):
        try:
            posted = self.to_python(data)
            stored = None
            if initial is not None:
                stored = {day: _as_stored(pairs) for day, pairs in parse_opening_hours(initial).items()}
        except ValidationError:
            return True
        return posted != stored


class SpacePolicyForm(forms.ModelForm):
    """A space's own rules; an empty field follows the facility's default."""

    opening_hours = OpeningHoursField(label=_("Opening hours"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.facility_id:
            self.fields["opening_hours"].widget.inherited_hours = self.instance.facility.opening_hours

    class Meta:
        model = Space
        fields = [
            "is_bookable",
            "fee",
            "requires_check_in",
            "requires_approval",
            "open_on_holidays",
            "slot_minutes",
            "min_duration_minutes",
            "max_duration_minutes",
            "max_days_ahead",
            "tenant_max_days_ahead",
            "min_notice_minutes",
            "opening_hours",
        ]
        widgets = {
            "requires_approval": AsFacilitySelect,
            "open_on_holidays": AsFacilitySelect,
        }


class ReductionApplicationForm(forms.Form):
    """Apply for a reduction: the organization (when the user acts for several), the category, the evidence."""

    organization = forms.TypedChoiceField(label=_("For organization"), coerce=int)
    category = forms.TypedChoiceField(label=_("Reduction category"), coerce=int)
    document = forms.FileField(
        label=_("Evidence (PDF, JPEG or PNG)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        help_text=_("Required where the category asks for evidence; at most one file."),
    )

    def __init__(self, *args, organizations, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = {organization.pk: organization for organization in organizations}
        self.categories = {category.pk: category for category in categories}
        self.fields["organization"].choices = [(pk, org.display_name) for pk, org in self.organizations.items()]
        if len(self.organizations) == 1:
            self.fields["organization"].widget = forms.HiddenInput()
            self.fields["organization"].initial = next(iter(self.organizations))
        groups: dict[str, list] = {}
        for category in categories:
            evidence = _("evidence needed") if category.evidence_required else _("no evidence needed")
            label = f"{category.display_name} · {category.percent}% · {evidence}"
            groups.setdefault(category.facility.display_name, []).append((category.pk, label))
        self.fields["category"].choices = [("", "—"), *groups.items()]

    def clean_organization(self):
        return self.organizations[self.cleaned_data["organization"]]

    def clean_category(self):
        return self.categories[self.cleaned_data["category"]]


class ApproveReductionForm(forms.Form):
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
