from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hall.models import Amenity, Building, Facility, Space

_POLICY_FIELDS = [
    "opening_hours",
    "open_on_holidays",
    "requires_approval",
    "slot_minutes",
    "min_duration_minutes",
    "max_duration_minutes",
    "max_days_ahead",
    "tenant_max_days_ahead",
    "min_notice_minutes",
]


class FacilityInline(admin.TabularInline):
    model = Facility
    fields = ["slug", "name", "name_en", "position"]
    extra = 0
    show_change_link = True


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug", "position"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [FacilityInline]


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "building", "slug", "requires_approval", "operator"]
    list_filter = ["building", "requires_approval", "open_on_holidays"]
    search_fields = ["name", "name_en", "slug", "operator"]
    filter_horizontal = ["managers"]
    list_select_related = ["building"]
    fieldsets = [
        (None, {"fields": ["building", "slug", "name", "name_en", "description", "description_en", "position"]}),
        (_("Contact"), {"fields": ["operator", "contact_email", "contact_phone", "managers"]}),
        (
            _("Bank account for transfers"),
            {"fields": ["bank_name", "bank_account_number", "bank_account_holder"]},
        ),
        (_("Booking policy (defaults of its spaces)"), {"fields": _POLICY_FIELDS}),
    ]


@admin.register(Amenity)
class AmenityAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en", "slug"]


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "facility", "kind", "floor", "capacity", "area_m2", "is_bookable"]
    list_filter = ["facility__building", "facility", "kind", "is_bookable", "booking_unit", "amenities"]
    search_fields = ["name", "name_en", "slug", "description"]
    list_select_related = ["facility"]
    filter_horizontal = ["amenities"]
    fieldsets = [
        (None, {"fields": ["facility", "slug", "name", "name_en", "kind", "floor", "capacity", "area_m2"]}),
        (_("Description"), {"fields": ["description", "description_en", "amenities", "photo"]}),
        (_("Booking"), {"fields": ["is_bookable", "booking_unit"]}),
        (
            _("Policy overrides (empty = as the facility)"),
            {"fields": _POLICY_FIELDS, "classes": ["collapse"]},
        ),
    ]
