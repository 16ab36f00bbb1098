"""The space search, shared by the HTML list and GET /api/v1/spaces/."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from hall.models import Amenity, Building, Facility, Space


class SpaceFilter(django_filters.FilterSet):
    building = django_filters.ModelChoiceFilter(
        label=_("Building"),
        field_name="facility__building",
        to_field_name="slug",
        queryset=Building.objects.order_by("position"),
        empty_label=_("All buildings"),
    )
    facility = django_filters.ModelChoiceFilter(
        label=_("Facility"),
        to_field_name="slug",
        queryset=Facility.objects.order_by("position"),
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
    amenity = django_filters.ModelMultipleChoiceFilter(
        label=_("Amenities"),
        field_name="amenities__slug",
        to_field_name="slug",
        queryset=Amenity.objects.order_by("slug"),
        # A room must have every amenity asked for, not any one of them.
        conjoined=True,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Space
        fields = ["building", "facility", "kind", "capacity_min", "amenity"]
