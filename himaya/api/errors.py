"""The error envelope of api-contract.md: every 4xx is {"error": {"code", "message", "fields"?}}.

Codes: validation_error 400 · not_authenticated 401 · permission_denied 403 · not_found 404 ·
conflict 409 · precondition_failed 412 · rate_limited 429. Messages are in the request's
language (Accept-Language), because they come from translated strings.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    """A transition or business rule refuses the request (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the current state of the record."


class PreconditionFailed(exceptions.APIException):
    """The If-Match version is stale: another edit came first (412)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = "The record was changed by someone else; reload it and try again."


_CODES = {
    400: "validation_error",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _default_message(status_code: int) -> str:
    return {
        400: _("The request is not valid."),
        401: _("Authentication is required."),
        403: _("You do not have permission to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("The request conflicts with the current state of the record."),
        412: _("The record was changed by someone else; reload it and try again."),
        415: _("Send the request body as JSON."),
        429: _("Too many requests; try again later."),
    }.get(status_code, _("The request could not be processed."))


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(key): [str(item) for item in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    return {}


def exception_handler(exc, context):
    """Map domain exceptions to the envelope: Django's ValidationError → 400 with the fields
    named; a domain exception with `api_code` "conflict" → 409 (with the unmet guard), or
    "precondition_failed" → 412."""
    api_code = getattr(exc, "api_code", None)
    if api_code == "conflict":
        body = {
            "code": "conflict",
            "message": str(getattr(exc, "message", "")) or _default_message(409),
        }
        if getattr(exc, "guard", ""):
            body["fields"] = {"guard": [exc.guard]}
        return Response({"error": body}, status=409)
    if api_code == "precondition_failed":
        return Response(
            {"error": {"code": "precondition_failed", "message": _default_message(412)}}, status=412
        )
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django logs it and answers 500
    if response.status_code == 403 and isinstance(
        exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed
    ):
        response.status_code = 401
    code = _CODES.get(response.status_code, "error")
    body: dict = {"code": code, "message": _default_message(response.status_code)}
    detail = getattr(exc, "detail", None)
    if isinstance(detail, dict | list) and response.status_code == 400:
        fields = (
            _flatten(detail)
            if isinstance(detail, dict)
            else {"non_field_errors": [str(d) for d in detail]}
        )
        body["fields"] = fields
    elif detail is not None and response.status_code not in (404,):
        body["message"] = str(detail)
    return Response({"error": body}, status=response.status_code, headers=_keep_headers(response))


def _keep_headers(response) -> dict[str, str]:
    return {k: v for k, v in response.items() if k in {"Retry-After", "WWW-Authenticate", "Allow"}}
