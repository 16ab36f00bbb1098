from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from accounts.models import PersonalToken, User

# allauth names its model and fields in English only; the admin shows them in the reader's language. Set on the
# loaded model, not in its declared options, so no migration of allauth's app follows from it.
Authenticator._meta.verbose_name = _("authenticator")
Authenticator._meta.verbose_name_plural = _("authenticators")
for _name, _label in {
    "user": _("user"),
    "type": _("type"),
    "created_at": _("created"),
    "last_used_at": _("last used"),
}.items():
    Authenticator._meta.get_field(_name).verbose_name = _label

# knox registers its default token model; ours replaces it (KNOX_TOKEN_MODEL).
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "language", "is_staff", "is_superuser", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "language", "managed_facilities"]
    search_fields = ["email", "name"]
    # tenants.admin adds the user's memberships (accounts knows nothing of organizations).
    inlines = []
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["name", "language", "phone", "phone_verified_at"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})]


@admin.register(PersonalToken)
class PersonalTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "token_key", "user", "created", "last_used", "expiry"]
    list_filter = ["created", "last_used"]
    search_fields = ["name", "token_key", "user__email"]
    readonly_fields = ["digest", "token_key", "user", "created", "last_used"]
    fields = ["name", "user", "token_key", "digest", "created", "last_used", "expiry"]

    def has_add_permission(self, request):
        # Tokens are created by their owners on the account page, where the secret is shown once.
        return False
