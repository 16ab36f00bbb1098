from django.urls import path

from papers import views

app_name = "papers"

urlpatterns = [
    path("papers/bookings/<int:pk>/permit.pdf", views.permit, name="permit"),
    path("papers/bookings/<int:pk>/receipt.pdf", views.payment_receipt, name="payment_receipt"),
    path("papers/bookings/<int:pk>/refund-receipt.pdf", views.refund_receipt, name="refund_receipt"),
    path("papers/verify/<str:token>/", views.verify, name="verify"),
]
