from datetime import datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.rules import HALL_TZ
from hall.models import Space
from tenants.models import Organization


class BookingForm(forms.Form):
    """Book a space: a date with start and end times, or (spaces booked by the day) a range of days."""

    title = forms.CharField(label=_("Title"), max_length=150)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Start"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("End"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
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


class SpacePolicyForm(forms.ModelForm):
    """A space's own rules; an empty field follows the facility's default."""

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
            "opening_hours": forms.Textarea(attrs={"rows": 4}),
        }
