from django.contrib import admin

from bookings.models import ReductionApplication, ReductionCategory


@admin.register(ReductionCategory)
class ReductionCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "facility", "code", "percent", "evidence_required", "active", "position"]
    list_filter = ["facility", "evidence_required", "active"]
    list_editable = ["percent", "active", "position"]
    search_fields = ["name", "name_en", "code"]
    list_select_related = ["facility"]


@admin.register(ReductionApplication)
class ReductionApplicationAdmin(admin.ModelAdmin):
    """Read only: applications are decided on the managers' page, which tells the applicant and audits it."""

    list_display = ["organization", "category", "status", "created", "decided_at", "valid_until"]
    list_filter = ["status", "category__facility"]
    search_fields = ["organization__name", "organization__name_en", "category__name"]
    list_select_related = ["organization", "category__facility"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
