"""Two-factor enforcement for every request (DP-50).

Place after AuthenticationMiddleware. Until the second factor is passed in this session, a
user who needs it — between password and code (not logged in yet), or logged in with a role
that requires two-factor but no code checked in this session — reaches only the two-factor
pages, login, logout, static files, the health check and the language switch. Pages redirect
to the two-factor step; the API answers 401 with the error envelope.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from himaya.accounts import security

# URL names reachable before the second factor. Anything added here is reachable with a
# password alone: keep it to pages that show nothing of anyone's data.
ALLOWED_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "two_factor_setup",
        "two_factor_verify",
        "set_language",
        "javascript-catalog",
        "healthz",
    }
)


class TwoFactorEnforcementMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._allowed_without_second_factor(request):
            return self.get_response(request)
        target = security.two_factor_redirect(request)
        if target is None:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "error": {
                        "code": "not_authenticated",
                        "message": _("Two-factor login must be completed first."),
                    }
                },
                status=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return redirect(target)

    @staticmethod
    def _allowed_without_second_factor(request: HttpRequest) -> bool:
        path = request.path_info
        if settings.STATIC_URL and path.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return False
        return match.url_name in ALLOWED_URL_NAMES
