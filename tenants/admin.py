from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import UserAdmin
from tenants.models import (
    Invitation,
    LeasableUnit,
    LeaseContract,
    Membership,
    Organization,
    RenewalDocument,
    RenewalRequest,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class UserMembershipInline(admin.TabularInline):
    """A user's organizations, on the user's admin page."""

    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]


# The user admin lives in accounts, below tenants; the memberships are added to it from here.
UserAdmin.inlines = [*UserAdmin.inlines, UserMembershipInline]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "kind", "business_number_display", "representative", "email"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "business_number", "representative", "email"]
    inlines = [MembershipInline]

    @admin.display(description=_("business registration number"))
    def business_number_display(self, obj):
        return obj.business_number_display


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


@admin.register(LeaseContract)
class LeaseContractAdmin(admin.ModelAdmin):
    list_display = ["unit", "organization", "start_date", "end_date", "monthly_rent", "status", "renews"]
    list_filter = ["status", "unit__facility", "end_date"]
    search_fields = ["organization__name", "organization__business_number", "unit__code"]
    list_select_related = ["unit__facility", "organization", "renews"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["renews", "unit"]
    date_hierarchy = "end_date"


class RenewalDocumentInline(admin.TabularInline):
    model = RenewalDocument
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "created"]
    fields = readonly_fields


@admin.register(RenewalRequest)
class RenewalRequestAdmin(admin.ModelAdmin):
    list_display = ["contract", "term_months", "status", "proposed_rent", "created", "decided_at", "accepted_at"]
    list_filter = ["status", "contract__unit__facility", "term_months"]
    search_fields = ["contract__organization__name", "contract__unit__code", "note"]
    list_select_related = ["contract__unit__facility", "contract__organization"]
    raw_id_fields = ["contract", "new_contract"]
    inlines = [RenewalDocumentInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "invited_by", "created", "accepted_at", "revoked_at"]
    list_filter = ["role", "accepted_at", "revoked_at"]
    search_fields = ["email", "organization__name"]
    list_select_related = ["organization", "invited_by"]
