from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts import views as account_views
from bookings.api import BookingViewSet, SpaceViewSet
from dongnam import views as dongnam_views
from hall import views as hall_views
from hall.api import BuildingViewSet, FacilityViewSet
from notifications.api import NotificationViewSet
from reports.api import ReportViewSet
from tenants.api import ContractViewSet, OrganizationViewSet, RenewalViewSet

# Admin sign-in goes through allauth, so the admin gets the same rate limits and two-factor step.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "동남전시장 Dongnam"
admin.site.site_title = gettext_lazy("Dongnam administration")

router = DefaultRouter(trailing_slash=True)
router.register("buildings", BuildingViewSet, basename="building")
router.register("facilities", FacilityViewSet, basename="facility")
router.register("spaces", SpaceViewSet, basename="space")
router.register("bookings", BookingViewSet, basename="booking")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("contracts", ContractViewSet, basename="contract")
router.register("renewals", RenewalViewSet, basename="renewal")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("reports", ReportViewSet, basename="report")


def favicon(request):
    """Browsers ask for /favicon.ico before reading the page's <link rel="icon">; a temporary redirect, as the
    file's address changes with its content in production (hashed static names)."""
    return redirect(static_url("favicon.png"))


urlpatterns = [
    path("", hall_views.home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("bookings.urls")),
    path("", include("tenants.urls")),
    path("", include("notifications.urls")),
    path("", include("reports.urls")),
    path("", include("payments.urls")),
    path("", include("papers.urls")),
    # The manager's start page composes bookings and tenants, so the wiring serves it under hall's name.
    path("manage/", include(([path("", dongnam_views.manage_dashboard, name="manage_dashboard")], "hall"))),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start-up script at its own URL (?script), not inline, for the CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema", template_name="api/swagger_ui.html"),
        name="api_docs",
    ),
]

if settings.DEBUG or settings.DONGNAM_ENV == "development":
    # Uploaded photos, served by the development server: `make run` keeps DEBUG off, where static() adds nothing.
    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def handler404(request, exception):
    if _is_api(request):
        return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def handler500(request):
    if _is_api(request):
        return JsonResponse({"code": "server_error", "detail": _("Server error.")}, status=500)
    return defaults.server_error(request)


def handler403(request, exception):
    if _is_api(request):
        return JsonResponse({"code": "permission_denied", "detail": _("You may not do this.")}, status=403)
    return defaults.permission_denied(request, exception)


def handler400(request, exception):
    if _is_api(request):
        return JsonResponse({"code": "bad_request", "detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)
