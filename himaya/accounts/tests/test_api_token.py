"""POST /api/v1/auth/token/ and bearer authentication (api-contract.md, Conventions)."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from himaya.accounts.models import ApiToken, User
from himaya.accounts.tests.factories import PASSWORD, code, enrol, make_user, wrong_code
from himaya.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REVOKE_URL = "/api/v1/auth/token/revoke/"
PROTECTED_URL = "/api/v1/provinces/"


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def obtain(api, **body):
    return api.post(TOKEN_URL, body, format="json")


def bearer(key: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_token_for_a_right_password(api):
    user = make_user("amal", role="case_manager")
    response = obtain(api, username="amal", password=PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    stored = ApiToken.objects.get(user=user)
    assert stored.key_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in stored.key_hash
    assert (
        timedelta(hours=11, minutes=59) < stored.expires_at - timezone.now() <= timedelta(hours=12)
    )
    assert "+" in body["expires_at"][19:] or body["expires_at"].endswith("Z")  # offset given
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="auth.token")
    assert (event.actor_username, event.interface) == ("amal", "api")


def test_wrong_password_and_unknown_user_get_the_same_401(api):
    make_user("amal", role="case_manager")
    wrong = obtain(api, username="amal", password="not-the-password-at-all")
    unknown = obtain(api, username="nobody-by-this-name", password="not-the-password-at-all")
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {"error": {"code": "not_authenticated", "message": "Wrong username or password."}}
    )
    assert wrong["WWW-Authenticate"] == "Bearer"
    assert (
        AuditEvent.objects.filter(
            action="auth.login_failed", outcome="denied", interface="api"
        ).count()
        == 2
    )
    assert not ApiToken.objects.exists()


def test_locked_account_gets_429_with_retry_after(api):
    make_user("amal", role="case_manager")
    statuses = [
        obtain(api, username="amal", password="not-the-password-at-all").status_code
        for _ in range(5)
    ]
    assert statuses == [401, 401, 401, 401, 429]
    response = obtain(api, username="amal", password=PASSWORD)  # right password, still locked
    assert response.status_code == 429
    assert response.json() == {
        "error": {
            "code": "rate_limited",
            "message": "Too many failed attempts. Try again in 15 minutes.",
        }
    }
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"username", "password"}),
        ({"username": "amal"}, {"password"}),
        ({"username": "amal", "password": PASSWORD, "otp": "12ab56"}, {"otp"}),
        ({"username": ["amal"], "password": PASSWORD}, {"username"}),
    ],
)
def test_malformed_body_is_a_400_with_fields(api, body, fields):
    make_user("amal", role="case_manager")
    response = obtain(api, **body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == fields
    assert not AuditEvent.objects.filter(action="auth.login_failed").exists()  # nothing counted


def test_body_that_is_not_json_is_a_400(api):
    response = api.post(TOKEN_URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    listed = api.post(TOKEN_URL, ["amal"], format="json")
    assert listed.status_code == 400


def test_two_factor_user_must_send_a_valid_code(api):
    user = make_user("chief", role="supervisor")
    secret = enrol(user)
    missing = obtain(api, username="chief", password=PASSWORD)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "not_authenticated"
    assert "code is required" in missing.json()["error"]["message"]

    wrong = obtain(api, username="chief", password=PASSWORD, otp=wrong_code(secret))
    assert wrong.status_code == 401
    assert User.objects.get(pk=user.pk).failed_logins == 1  # counted

    ok = obtain(api, username="chief", password=PASSWORD, otp=code(secret))
    assert ok.status_code == 200
    assert User.objects.get(pk=user.pk).failed_logins == 0
    replay = obtain(api, username="chief", password=PASSWORD, otp=code(secret))
    assert replay.status_code == 401


def test_mandatory_role_without_enrolment_gets_no_token(api):
    make_user("chief", role="auditor")
    response = obtain(api, username="chief", password=PASSWORD, otp="123456")
    assert response.status_code == 401
    assert "set it up on the web" in response.json()["error"]["message"]


def test_optional_two_factor_applies_to_the_api_too(api):
    user = make_user("amal", role="case_manager")
    secret = enrol(user)
    assert obtain(api, username="amal", password=PASSWORD).status_code == 401
    assert obtain(api, username="amal", password=PASSWORD, otp=code(secret)).status_code == 200


def test_bearer_token_authenticates_a_request(api):
    make_user("amal", role="case_manager")
    key = obtain(api, username="amal", password=PASSWORD).json()["token"]
    assert api.get(PROTECTED_URL).status_code == 401
    response = bearer(key).get(PROTECTED_URL)
    assert response.status_code == 200
    assert response.wsgi_request.user.username == "amal"


@pytest.mark.parametrize("spoil", ["expired", "revoked", "inactive", "unknown", "malformed"])
def test_unusable_token_gets_401_with_the_envelope(api, spoil):
    user = make_user("amal", role="case_manager")
    key = obtain(api, username="amal", password=PASSWORD).json()["token"]
    header = f"Bearer {key}"
    if spoil == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif spoil == "revoked":
        ApiToken.objects.update(revoked_at=timezone.now())
    elif spoil == "inactive":
        User.objects.filter(pk=user.pk).update(is_active=False)
    elif spoil == "unknown":
        header = "Bearer " + "x" * 43
    else:
        header = f"Bearer {key} extra"
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(PROTECTED_URL)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "not_authenticated" and error["message"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_revoke_ends_the_token_in_use(api):
    make_user("amal", role="case_manager")
    key = obtain(api, username="amal", password=PASSWORD).json()["token"]
    client = bearer(key)
    assert client.post(REVOKE_URL).status_code == 204
    assert ApiToken.objects.get().revoked_at is not None
    assert client.get(PROTECTED_URL).status_code == 401
    assert client.post(REVOKE_URL).status_code == 401
    assert (
        AuditEvent.objects.filter(action="auth.token_revoked", actor_username="amal").count() == 1
    )


def test_revoke_needs_a_token(api):
    assert api.post(REVOKE_URL).status_code == 401


def test_schema_documents_the_bearer_scheme_and_the_token_endpoint(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Token from POST /api/v1/auth/token/, valid for a few hours.",
    }
    operation = schema["paths"][TOKEN_URL]["post"]
    assert set(operation["responses"]) >= {"200", "400", "401", "429"}
    assert operation.get("security", []) in ([], [{}])  # no credentials needed
    provinces = schema["paths"][PROTECTED_URL]["get"]
    assert {"bearerAuth": []} in provinces["security"]
