from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from accounts.models import PersonalToken, User

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
        (_("Personal info"), {"fields": ["name", "language"]}),
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
