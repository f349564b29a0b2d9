"""Bearer-token authentication of the REST API (api-contract.md, Conventions).

A client obtains a token from POST /api/v1/auth/token/ and sends `Authorization: Bearer
<token>`. Only the token's SHA-256 is stored; an expired or revoked token, or one of a
deactivated user, is refused with 401 (never ignored, so a request does not silently fall
back to another scheme).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from himaya.accounts import security

KEYWORD = b"bearer"


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _('Send the token as "Authorization: Bearer <token>".')
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = security.api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid, has expired or was revoked.")
            )
        return token.user, token

    def authenticate_header(self, request) -> str:
        # A value here makes DRF answer 401 (not 403) to an unauthenticated request.
        return "Bearer"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "himaya.api.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Token from POST /api/v1/auth/token/, valid for a few hours.",
        }
