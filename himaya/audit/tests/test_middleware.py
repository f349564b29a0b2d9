import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from himaya.audit.middleware import RequestIdMiddleware


def _through_middleware(**headers):
    seen = {}

    def view(request):
        seen["request_id"] = request.request_id
        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().get("/", headers=headers))
    return seen["request_id"], response


def test_new_id_when_none_is_given():
    request_id, response = _through_middleware()
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert response["X-Request-ID"] == request_id


def test_two_requests_get_two_ids():
    assert _through_middleware()[0] != _through_middleware()[0]


def test_valid_incoming_id_is_kept():
    request_id, response = _through_middleware(**{"X-Request-ID": "abc-DEF-12345678"})
    assert request_id == "abc-DEF-12345678"
    assert response["X-Request-ID"] == "abc-DEF-12345678"


@pytest.mark.parametrize(
    "bad",
    ["short", "x" * 65, "has space inside", "<script>alert(1)</script>", "abcdefgh\n", "ab_cdefgh"],
)
def test_invalid_incoming_id_is_replaced(bad):
    request_id, response = _through_middleware(**{"X-Request-ID": bad})
    assert request_id != bad
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
