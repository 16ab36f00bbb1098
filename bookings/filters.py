"""The space search, shared by the HTML list and GET /api/v1/spaces/."""

from datetime import timedelta

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from bookings.rules import in_calendar
from bookings.selectors import free_between, open_during
from hall.models import Amenity, Building, Facility, Space

MAX_SEARCH_SPAN = timedelta(days=31)


@extend_schema_field(OpenApiTypes.STR)
class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """A repeatable slug parameter (``?amenity=wifi&amenity=projector``); a list of strings in the schema."""


class SpaceFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        for name in ("available_from", "available_to"):
            if data.get(name) and not in_calendar(data[name]):
                self.add_error(name, self.fields[name].error_messages["invalid"])
        start, end = data.get("available_from"), data.get("available_to")
        if bool(start) != bool(end):
            missing = "available_to" if start else "available_from"
            if missing not in self.errors:
                self.add_error(missing, _("Give both the start and the end of the time you need."))
        elif start and end:
            if end <= start:
                self.add_error("available_to", _("The end must be after the start."))
            elif end - start > MAX_SEARCH_SPAN:
                self.add_error("available_to", _("Search at most 31 days at a time."))
        return data


# The choices as callables: each search copies its filters, and a copied queryset costs a deep copy of its query.
def _buildings(request):
    return Building.objects.order_by("position")


def _facilities(request):
    return Facility.objects.order_by("position")


def _amenities(request):
    return Amenity.objects.order_by("slug")


class SpaceFilter(django_filters.FilterSet):
    building = django_filters.ModelChoiceFilter(
        label=_("Building"),
        field_name="facility__building",
        to_field_name="slug",
        queryset=_buildings,
        empty_label=_("All buildings"),
    )
    facility = django_filters.ModelChoiceFilter(
        label=_("Facility"),
        to_field_name="slug",
        queryset=_facilities,
        empty_label=_("All facilities"),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Space.Kind.choices, empty_label=_("All kinds"))
    capacity_min = django_filters.NumberFilter(
        label=_("At least (people)"),
        field_name="capacity",
        lookup_expr="gte",
        min_value=1,
        max_value=100000,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
    )
    amenity = SlugMultipleChoiceFilter(
        label=_("Amenities"),
        field_name="amenities__slug",
        to_field_name="slug",
        queryset=_amenities,
        # A room must have every amenity asked for, not any one of them.
        conjoined=True,
        widget=forms.CheckboxSelectMultiple,
    )

    available_from = django_filters.IsoDateTimeFilter(
        label=_("Free from"), method="filter_available", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    available_to = django_filters.IsoDateTimeFilter(
        label=_("Free until"), method="filter_available", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    class Meta:
        model = Space
        form = SpaceFilterForm
        fields = ["building", "facility", "kind", "capacity_min", "amenity", "available_from", "available_to"]

    def filter_available(self, queryset, name, value):
        # Both bounds are applied together in filter_queryset, once the form has them both.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        start = self.form.cleaned_data.get("available_from")
        end = self.form.cleaned_data.get("available_to")
        if start and end:
            queryset = open_during(free_between(queryset, start=start, end=end), start=start, end=end)
        return queryset
