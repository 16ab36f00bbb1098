from django.contrib import admin

from tenants.models import LeasableUnit, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "kind", "business_number_display", "representative", "email"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "business_number", "representative", "email"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "joined"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__email", "user__name", "organization__name"]
    autocomplete_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]


@admin.register(LeasableUnit)
class LeasableUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "facility", "floor", "area_m2", "monthly_rent", "maintenance_fee", "deposit"]
    list_filter = ["facility", "floor"]
    search_fields = ["code", "description"]
    list_select_related = ["facility"]
