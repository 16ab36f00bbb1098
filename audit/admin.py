from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.labels import label_of
from audit.models import AuditEntry


class ActionFilter(admin.SimpleListFilter):
    """The recorded actions by their labels in the reader's language, not their keys (booking.approved)."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        actions = AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
        return [(action, label_of(action)) for action in actions]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created", "action_label", "actor", "target_type", "target_id", "reason"]
    list_filter = [ActionFilter, "target_type", "created"]
    search_fields = ["action", "reason", "actor__email"]
    list_select_related = ["actor", "target_type"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, entry):
        return entry.label
