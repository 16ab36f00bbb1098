from django.urls import path

from bookings import views

app_name = "bookings"

urlpatterns = [
    path("", views.space_list, name="space_list"),
    path("<slug:slug>/", views.space_detail, name="space_detail"),
]
