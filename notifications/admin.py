from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from notifications import services
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created",
        "kind",
        "channel",
        "recipient",
        "to_email",
        "status",
        "attempts",
        "due_at",
        "sent_at",
        "sent_as",
        "error",
    ]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["recipient__email", "to_email", "dedupe_key", "last_error"]
    list_select_related = ["recipient"]
    date_hierarchy = "created"
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ["retry_failed"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("last error"))
    def error(self, notification):
        # The whole text is on the notification's page; the list shows its start.
        return Truncator(notification.last_error).chars(80)

    @admin.action(description=_("Retry the selected failed notifications"))
    def retry_failed(self, request, queryset):
        count = 0
        for notification in queryset.filter(status=Notification.Status.FAILED):
            services.retry(notification=notification)
            count += 1
        self.message_user(request, _("%(count)d notifications queued again.") % {"count": count}, messages.SUCCESS)
