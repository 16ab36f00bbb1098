from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created", "action", "actor", "target_type", "target_id", "reason"]
    list_filter = ["action", "target_type", "created"]
    search_fields = ["action", "reason", "actor__email"]
    list_select_related = ["actor", "target_type"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
