"""The filter of every report (page, exports and API): which facilities, which days. Written once."""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.rules import in_calendar
from hall.models import Facility

# Three years and a day: a year compared with the two before it.
LONGEST_PERIOD_DAYS = 3 * 366


def month_of(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


class ReportFilterForm(forms.Form):
    """``facility`` (a slug, empty for all the user's facilities), ``from`` and ``to`` (ISO dates, both
    included; the current month when left out)."""

    facility = forms.ModelChoiceField(
        label=gettext_lazy("Facility"),
        queryset=Facility.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("All my facilities"),
    )

    def __init__(self, data=None, *, facilities, today: date):
        super().__init__(data)
        self.facilities = facilities
        self.today = today
        self.fields["facility"].queryset = facilities
        date_input = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(label=_("From"), required=False, widget=date_input)
        self.fields["to"] = forms.DateField(label=_("To"), required=False, widget=date_input)
        first, last = month_of(today)
        self.initial = {"from": first, "to": last}

    def clean(self):
        cleaned = super().clean()
        month_first, month_last = month_of(self.today)
        first = cleaned.get("from") or (month_first if "from" not in self.errors else None)
        last = cleaned.get("to") or (month_last if "to" not in self.errors else None)
        if first is None or last is None:
            return cleaned
        if not in_calendar(first, last):
            raise forms.ValidationError(_("Choose dates between the years 2000 and 2100."), code="out_of_range")
        if first > last:
            self.add_error("to", forms.ValidationError(_("The last day must not be before the first."), code="order"))
            return cleaned
        if (last - first).days >= LONGEST_PERIOD_DAYS:
            self.add_error(
                "to",
                forms.ValidationError(_("Choose a period of at most three years."), code="too_long"),
            )
            return cleaned
        cleaned["from"], cleaned["to"] = first, last
        return cleaned

    @property
    def facility_ids(self) -> list[int]:
        chosen = self.cleaned_data.get("facility")
        return [chosen.pk] if chosen else list(self.facilities.values_list("pk", flat=True))

    @property
    def period(self) -> tuple[date, date]:
        return self.cleaned_data["from"], self.cleaned_data["to"]
