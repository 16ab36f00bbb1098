from django.contrib import admin

from papers.models import IssuedPaper


@admin.register(IssuedPaper)
class IssuedPaperAdmin(admin.ModelAdmin):
    """Read only: a paper's number and date are fixed by its first download."""

    list_display = ["number", "kind", "booking", "issued_at", "issued_to"]
    list_filter = ["kind"]
    search_fields = ["number", "booking__title"]
    list_select_related = ["booking", "issued_to"]
    raw_id_fields = ["booking", "issued_to"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
