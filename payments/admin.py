"""Online payments in the admin: to look up, never to edit (money changes only through payments.services)."""

from django.contrib import admin

from payments.models import TossOrder, TossRefund


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TossOrder)
class TossOrderAdmin(ReadOnlyAdmin):
    list_display = ["order_id", "booking", "amount", "status", "toss_status", "method", "approved_at", "created"]
    list_filter = ["status", "method"]
    search_fields = ["order_id", "payment_key", "booking__title"]
    list_select_related = ["booking"]
    date_hierarchy = "created"


@admin.register(TossRefund)
class TossRefundAdmin(ReadOnlyAdmin):
    list_display = ["order", "booking", "kind", "amount", "status", "attempts", "next_attempt_at", "done_at"]
    list_filter = ["status", "kind"]
    search_fields = ["order__order_id", "order__payment_key", "booking__title"]
    list_select_related = ["order", "booking"]
