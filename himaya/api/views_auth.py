"""API login: a bearer token for user name, password and — where two-factor applies — the
current TOTP code; and revoking the token in use. The lockout of `accounts.security` is the
token endpoint's throttle (account and address), so no DRF throttle applies here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts import security
from himaya.accounts.access import AUTHENTICATED, PUBLIC
from himaya.api.auth import BearerTokenAuthentication


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)
    otp = serializers.RegexField(
        r"^\s*\d{6}\s*$",
        required=False,
        allow_blank=True,
        max_length=12,
        help_text="Current six-digit TOTP code; required for accounts with two-factor login.",
        error_messages={"invalid": gettext_lazy("Enter the six-digit code.")},
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`.")
    expires_at = serializers.DateTimeField()


_ERROR = inline_serializer(
    "AuthErrorEnvelope",
    fields={
        "error": inline_serializer(
            "AuthError",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField()), required=False
                ),
            },
        )
    },
)


class LoginFailed(exceptions.AuthenticationFailed):
    """401 not_authenticated carrying the refusal's translated message."""


class LoginRateLimited(exceptions.Throttled):
    """429 with Retry-After and our message only (DRF's Throttled appends an English
    sentence about the wait)."""

    def __init__(self, *, wait: int, detail: str) -> None:
        exceptions.APIException.__init__(self, detail)
        self.wait = wait


class TokenObtainView(APIView):
    himaya_access = PUBLIC
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def get_authenticate_header(self, request) -> str:
        return "Bearer"  # keeps refusals at 401, with WWW-Authenticate

    @extend_schema(
        summary="Obtain a bearer token",
        description=(
            "A wrong password and an unknown user get the same 401. Accounts with two-factor "
            "login must send `otp`. Repeated failures lock the account or the address: 429 "
            "with Retry-After."
        ),
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(_ERROR, description="Malformed body (validation_error)."),
            401: OpenApiResponse(
                _ERROR, description="Wrong credentials or code (not_authenticated)."
            ),
            429: OpenApiResponse(
                _ERROR, description="Locked after repeated failures (rate_limited)."
            ),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            issued = security.token_obtain(
                request=request,
                username=data["username"],
                password=data["password"],
                otp=data.get("otp", ""),
            )
        except security.LoginLocked as exc:
            raise LoginRateLimited(wait=exc.retry_after, detail=exc.message) from None
        except security.LoginRefused as exc:
            raise LoginFailed(exc.message) from None
        body = TokenResponseSerializer(
            {"token": issued.key, "expires_at": issued.token.expires_at}
        ).data
        return Response(body, status=status.HTTP_200_OK, headers={"Cache-Control": "no-store"})


class TokenRevokeView(APIView):
    """Revoke the token this request is made with (an API client's logout)."""

    himaya_access = AUTHENTICATED
    authentication_classes = [BearerTokenAuthentication]  # only a token can be revoked

    @extend_schema(
        summary="Revoke the bearer token in use",
        request=None,
        responses={204: None, 401: OpenApiResponse(_ERROR, description="No valid token.")},
        tags=["auth"],
    )
    def post(self, request):
        security.api_token_revoke(request=request, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
