from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.create_token, name="create_token"),
    path("profile/tokens/<str:token_key>/revoke/", views.revoke_token, name="revoke_token"),
    path("profile/phone/", views.phone_number, name="phone"),
    path("profile/phone/confirm/", views.confirm_phone_number, name="confirm_phone"),
    path("profile/phone/remove/", views.remove_phone_number, name="remove_phone"),
]
