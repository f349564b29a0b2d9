"""Login, logout and two-factor pages. Thin: parse the form, call `security`, render.

The flow: user name and password → for a user who needs a second factor, a half-logged-in
session (not logged in; `TwoFactorEnforcementMiddleware` keeps it on these pages) → the code,
or enrolment for a role holder who has not enrolled → logged in.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from himaya.accounts import security
from himaya.accounts.access import PUBLIC, access


class LoginForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autofocus": True, "class": "form-control"}
        ),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        max_length=4096,  # bounds the hashing work one request can cause
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control"}
        ),
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("Six-digit code"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=12,
        error_messages={
            "invalid": gettext_lazy("Enter the six-digit code shown by your authenticator app.")
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "class": "form-control",
                "dir": "ltr",
            }
        ),
    )


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _after_login(next_url: str) -> HttpResponse:
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def _render(
    request, template: str, context: dict, refusal: Exception | None = None
) -> HttpResponse:
    """Render a form page; a lock answers 429 with Retry-After."""
    response = render(request, template, context)
    if isinstance(refusal, security.LoginLocked):
        response.status_code = 429
        response["Retry-After"] = str(refusal.retry_after)
    return response


@access(PUBLIC)
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = LoginForm(request.POST if request.method == "POST" else None)
    refusal = None
    if form.is_bound and form.is_valid():
        try:
            user = security.login_check_password(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except security.LoginRefused as exc:
            refusal = exc
            form.add_error(None, exc.message)
        else:
            if security.user_requires_two_factor(user):
                return redirect(
                    security.two_factor_begin(request=request, user=user, next_url=next_url)
                )
            security.login_complete(request=request, user=user, two_factor=False)
            return _after_login(next_url)
    return _render(request, "accounts/login.html", {"form": form, "next": next_url}, refusal)


@access(PUBLIC)  # a half-logged-in session must be able to leave
@require_POST
@csrf_protect
@never_cache
def logout_view(request: HttpRequest) -> HttpResponse:
    security.logout_user(request=request)
    messages.info(request, _("You are logged out."))
    return redirect("login")


def _second_factor_due(request: HttpRequest):
    """(user, logged_in) for whom a code is due in this session, or (None, logged_in)."""
    user = request.user
    if user.is_authenticated:
        if security.two_factor_done(request) or not security.user_requires_two_factor(user):
            return None, True
        return user, True
    return security.two_factor_pending_user(request), False


def _finish_second_factor(request: HttpRequest, user, logged_in: bool) -> HttpResponse:
    next_url = _safe_next(request, security.two_factor_pending_next(request))
    if logged_in:
        security.two_factor_mark_done(request=request)
    else:
        security.login_complete(request=request, user=user, two_factor=True)
    return _after_login(next_url)


@access(PUBLIC)  # also reached half-logged-in; checks who is due itself
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user, logged_in = _second_factor_due(request)
    if user is None:
        return _after_login("") if logged_in else redirect("login")
    if not user.totp_enabled:
        return redirect("two_factor_setup")
    form = CodeForm(request.POST if request.method == "POST" else None)
    refusal = None
    if form.is_bound and form.is_valid():
        try:
            security.login_check_code(request=request, user=user, code=form.cleaned_data["code"])
        except security.LoginRefused as exc:
            refusal = exc
            form.add_error(None, exc.message)
        else:
            return _finish_second_factor(request, user, logged_in)
    return _render(request, "accounts/two_factor_verify.html", {"form": form}, refusal)


@access(PUBLIC)  # also reached half-logged-in; checks who is due itself
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment (QR code + confirming code) and, once on, turning it off with a code.

    Reached fully logged in (optional enrolment, or management), logged in with a role that
    requires two-factor but none set up yet, or half-logged-in right after the password."""
    if request.user.is_authenticated:
        user, logged_in = request.user, True
        complete = security.two_factor_done(request) or not security.user_requires_two_factor(user)
    else:
        user, logged_in, complete = security.two_factor_pending_user(request), False, False
        if user is None:
            return redirect_to_login(request.get_full_path())
    if user.totp_enabled and not complete:
        return redirect("two_factor_verify")

    action = request.POST.get("action") if request.method == "POST" else None
    form = CodeForm(request.POST if action else None)
    refusal = None
    if action == "disable" and user.totp_enabled and form.is_valid():
        try:
            security.two_factor_disable(request=request, user=user, code=form.cleaned_data["code"])
        except security.LoginRefused as exc:
            refusal = exc
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Two-factor login is now off."))
            return redirect("two_factor_setup")
    elif action == "enable" and not user.totp_enabled and form.is_valid():
        secret = security.two_factor_setup_secret(request, user)
        try:
            security.two_factor_enable(
                request=request, user=user, secret=secret, code=form.cleaned_data["code"]
            )
        except security.LoginRefused as exc:
            refusal = exc
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Two-factor login is now on."))
            if complete:
                security.two_factor_mark_done(request=request)
                return redirect("two_factor_setup")
            return _finish_second_factor(request, user, logged_in)

    context = {
        "form": form,
        "enabled": user.totp_enabled,
        "mandatory": security.role_requires_two_factor(user),
        "complete": complete,
    }
    if not user.totp_enabled:
        secret = security.two_factor_setup_secret(request, user)
        uri = security.totp_provisioning_uri(user=user, secret=secret)
        context["secret_groups"] = [secret[i : i + 4] for i in range(0, len(secret), 4)]
        # segno escapes the title and emits only <svg>, <title> and <path>: safe to inline.
        context["qr_svg"] = mark_safe(  # noqa: S308
            security.totp_qr_svg(uri, title=_("QR code to scan with your authenticator app"))
        )
    return _render(request, "accounts/two_factor_setup.html", context, refusal)
