from django.urls import path

from payments import manage_views, views

app_name = "payments"

urlpatterns = [
    path("payments/booking/<int:pk>/pay/", views.pay, name="pay"),
    # The addresses Toss's checkout returns to and Toss's webhook calls (registered in Toss's developer centre).
    path("payments/toss/success/", views.toss_success, name="toss_success"),
    path("payments/toss/fail/", views.toss_fail, name="toss_fail"),
    path("payments/toss/webhook/", views.toss_webhook, name="toss_webhook"),
    path("manage/payments/online/", manage_views.online_payments, name="online_payments"),
    path("manage/payments/online/refunds/<int:pk>/retry/", manage_views.retry_refund, name="retry_refund"),
]
