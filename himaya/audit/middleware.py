"""A request id on every request, so an audit event, an error report and the proxy's access
log of the same request can be matched (DP-25: "outcome: allowed or denied, request id")."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# An incoming id is kept only if it is short and plain: it ends up in the audit log and in
# response headers, so anything else (spaces, CR/LF, markup, long strings) is replaced.
_VALID_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


class RequestIdMiddleware:
    """Sets `request.request_id` (the caller's X-Request-ID when valid, else a new uuid4 hex)
    and echoes it in the X-Request-ID response header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(HEADER, "")
        request.request_id = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response[HEADER] = request.request_id
        return response
