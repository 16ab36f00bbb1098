from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from accounts import phone as phone_numbers
from accounts import services
from accounts.forms import PersonalTokenForm, PhoneCodeForm, PhoneNumberForm, ProfileForm
from accounts.models import PersonalToken, User
from common import solapi


def _profile_context(request, **extra):
    memberships = request.user.memberships.select_related("organization").order_by("organization__name")
    return {
        "memberships": memberships,
        "tokens": PersonalToken.objects.filter(user=request.user),
        "managed_facilities": request.user.managed_facilities.order_by("position"),
        "profile_form": ProfileForm(instance=request.user),
        "token_form": PersonalTokenForm(),
        "messaging_on": solapi.is_configured(),
        "phone_display": phone_numbers.display(request.user.phone),
        **extra,
    }


@login_required
def profile(request):
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            services.update_profile(
                user=request.user,
                name=form.cleaned_data["name"],
                language=form.cleaned_data["language"],
                reminders_enabled=form.cleaned_data["reminders_enabled"],
            )
            # The confirmation is read on the next page, which is already in the newly chosen language.
            translation.activate(request.user.language)
            messages.success(request, _("Your account was saved."))
            response = redirect("accounts:profile")
            # The same cookie as Django's language switch sets, with the same (production: Secure) flags.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                request.user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
            return response
        return render(request, "accounts/profile.html", _profile_context(request, profile_form=form), status=400)
    return render(request, "accounts/profile.html", _profile_context(request))


@login_required
@require_POST
def create_token(request):
    form = PersonalTokenForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/profile.html", _profile_context(request, token_form=form), status=400)
    try:
        token, plain = services.create_personal_token(user=request.user, name=form.cleaned_data["name"])
    except services.AccountError as error:
        form.add_error(None, error.message)
        return render(request, "accounts/profile.html", _profile_context(request, token_form=form), status=400)
    # The plain token is shown on this response only; it is not stored anywhere.
    return render(request, "accounts/profile.html", _profile_context(request, new_token=plain, new_token_obj=token))


@login_required
@require_http_methods(["GET", "POST"])
def revoke_token(request, token_key):
    """GET: what revoking the token does, to confirm (another user's token is unknown: 404). POST: revoke it."""
    if request.method == "GET":
        token = services.personal_token_of(user=request.user, token_key=token_key)
        if token is None:
            raise Http404
        return render(request, "accounts/revoke_token_confirm.html", {"token": token})
    if services.revoke_personal_token(user=request.user, token_key=token_key):
        messages.success(request, _("The token was revoked; it no longer works."))
    else:
        messages.error(request, _("No such token."))
    return redirect("accounts:profile")


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the signed-in user's account."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in User.Language.values:
        services.update_profile(user=request.user, name=request.user.name, language=language)
    next_url = request.POST.get("next")
    if next_url and not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect("home")
    return response


def _phone_page(request, *, number_form=None, code_form=None, status=200):
    verification = phone_numbers.pending(request.user)
    context = {
        "messaging_on": solapi.is_configured(),
        "phone_display": phone_numbers.display(request.user.phone),
        "number_form": number_form or PhoneNumberForm(),
        "code_form": code_form or PhoneCodeForm(),
        "verification": verification,
        "pending_display": phone_numbers.display(verification.phone) if verification else "",
    }
    return render(request, "accounts/phone.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def phone_number(request):
    """Add or change the mobile number: GET shows the steps; POST sends a code to the number entered."""
    if request.method == "GET":
        return _phone_page(request)
    form = PhoneNumberForm(request.POST)
    if not form.is_valid():
        return _phone_page(request, number_form=form, status=400)
    try:
        verification = phone_numbers.request_code(
            user=request.user, raw_phone=form.cleaned_data["phone"], request=request
        )
    except phone_numbers.PhoneError as error:
        form.add_error("phone", error.message)
        return _phone_page(request, number_form=form, status=error.status)
    messages.success(
        request, _("A code was sent to %(number)s.") % {"number": phone_numbers.display(verification.phone)}
    )
    return redirect(reverse("accounts:phone") + "#code-heading")


@login_required
@require_POST
def confirm_phone_number(request):
    form = PhoneCodeForm(request.POST)
    if not form.is_valid():
        return _phone_page(request, code_form=form, status=400)
    try:
        user = phone_numbers.confirm_code(user=request.user, code=form.cleaned_data["code"])
    except phone_numbers.PhoneError as error:
        form.add_error("code", error.message)
        return _phone_page(request, code_form=form, status=error.status)
    messages.success(
        request, _("Your mobile number %(number)s is verified.") % {"number": phone_numbers.display(user.phone)}
    )
    return redirect(reverse("accounts:profile") + "#phone-heading")


@login_required
@require_POST
def remove_phone_number(request):
    phone_numbers.remove_phone(user=request.user)
    messages.success(request, _("Your mobile number was removed; no more KakaoTalk or text messages are sent to it."))
    return redirect(reverse("accounts:profile") + "#phone-heading")
