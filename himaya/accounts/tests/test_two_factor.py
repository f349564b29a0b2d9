"""Two-factor login (DP-50): mandatory for supervisors, administrators and auditors, optional
for others; TOTP codes are checked once, wrong codes count as failed logins, and nothing but
the two-factor pages is reachable before the second factor."""

import re
import time

import pyotp
import pytest
from django.urls import reverse

from himaya.accounts import security
from himaya.accounts.models import User
from himaya.accounts.testing import sign_in
from himaya.accounts.tests.factories import PASSWORD, code, enrol, make_user, wrong_code
from himaya.accounts.tests.test_login import alert, post_login
from himaya.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

WRONG_CODE = "The code is not valid. Use the current code from your authenticator app."
MANDATORY = ["supervisor", "administrator", "auditor"]


def setup_secret(client) -> str:
    return client.session[security.SESSION_SETUP_SECRET]["secret"]


def post_code(client, url_name, value, **data):
    return client.post(reverse(url_name), {"code": value, **data}, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("role", MANDATORY)
def test_mandatory_role_without_enrolment_goes_to_enrolment_and_nowhere_else(client, role):
    make_user("chief", role=role)
    response = post_login(client, "chief", PASSWORD)
    assert response.url == reverse("two_factor_setup")
    assert "_auth_user_id" not in client.session  # half-logged-in: not logged in
    for url in (reverse("home"), reverse("notifications")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == reverse("two_factor_setup")
    assert client.get(reverse("two_factor_setup")).status_code == 200
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200


@pytest.mark.parametrize("role", MANDATORY)
def test_mandatory_role_enrolled_goes_to_the_code_step(client, role):
    user = make_user("chief", role=role)
    enrol(user)
    response = post_login(client, "chief", PASSWORD)
    assert response.url == reverse("two_factor_verify")
    assert client.get(reverse("home")).url == reverse("two_factor_verify")
    # The password alone cannot replace the enrolled factor.
    assert client.get(reverse("two_factor_setup")).url == reverse("two_factor_verify")


def test_enrolment_with_a_valid_code_completes_the_login(client):
    user = make_user("chief", role="supervisor")
    post_login(client, "chief", PASSWORD)
    page = client.get(reverse("two_factor_setup"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("<main", 1)[1]
    secret = setup_secret(client)
    assert secret[:4] in html
    # A reload shows the same secret.
    client.get(reverse("two_factor_setup"))
    assert setup_secret(client) == secret

    response = post_code(client, "two_factor_setup", code(secret), action="enable")
    assert response.status_code == 302
    assert response.url == reverse("home")
    user.refresh_from_db()
    assert user.totp_enabled and user.totp_secret == secret and user.totp_last_step > 0
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[security.SESSION_TWO_FACTOR_OK] is True
    assert security.SESSION_SETUP_SECRET not in client.session
    assert client.get(reverse("home")).status_code == 200
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["auth.two_factor_enabled", "auth.login"]


def test_enrolment_refuses_a_wrong_code_and_counts_it(client):
    user = make_user("chief", role="supervisor")
    post_login(client, "chief", PASSWORD)
    client.get(reverse("two_factor_setup"))
    response = post_code(
        client, "two_factor_setup", wrong_code(setup_secret(client)), action="enable"
    )
    assert response.status_code == 200
    assert alert(response) == WRONG_CODE
    user.refresh_from_db()
    assert (user.totp_enabled, user.failed_logins) == (False, 1)
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert (event.actor_username, event.data["reason"]) == ("chief", "code")
    assert client.get(reverse("home")).url == reverse("two_factor_setup")


def test_code_step_logs_in_and_a_replayed_code_is_refused(client):
    user = make_user("chief", role="auditor")
    secret = enrol(user)
    used = code(secret)
    post_login(client, "chief", PASSWORD)
    response = post_code(client, "two_factor_verify", used)
    assert response.url == reverse("home")
    assert client.session[security.SESSION_TWO_FACTOR_OK] is True
    assert AuditEvent.objects.get(action="auth.login").data == {"two_factor": True}

    client.post(reverse("logout"))
    post_login(client, "chief", PASSWORD)
    replay = post_code(client, "two_factor_verify", used)
    assert replay.status_code == 200
    assert alert(replay) == WRONG_CODE
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=user.pk).failed_logins == 1
    # The next code is accepted (and the login resets the counter).
    assert post_code(client, "two_factor_verify", code(secret, steps_ahead=1)).url == reverse(
        "home"
    )
    assert User.objects.get(pk=user.pk).failed_logins == 0


def test_wrong_codes_lock_the_account_even_though_the_password_was_right(client):
    user = make_user("chief", role="administrator")
    secret = enrol(user)
    post_login(client, "chief", PASSWORD)
    bad = wrong_code(secret)
    for _ in range(4):
        assert alert(post_code(client, "two_factor_verify", bad)) == WRONG_CODE
    # A new password step does not reset the counter: only a completed login does.
    client.post(reverse("logout"))
    post_login(client, "chief", PASSWORD)
    locked = post_code(client, "two_factor_verify", bad)
    assert locked.status_code == 429
    assert alert(locked) == "Too many failed attempts. Try again in 15 minutes."
    # While locked, even the right code is not checked.
    assert post_code(client, "two_factor_verify", code(secret)).status_code == 429
    assert "_auth_user_id" not in client.session


def test_totp_match_step_accepts_one_step_of_drift_and_only_later_steps():
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    now = time.time()
    step = int(now // 30)
    totp = pyotp.TOTP(secret)
    for offset in (-1, 0, 1):
        assert (
            security.totp_match_step(secret, totp.at(now + 30 * offset), after_step=0, for_time=now)
            == step + offset
        )
    assert security.totp_match_step(secret, totp.at(now - 60), after_step=0, for_time=now) is None
    assert security.totp_match_step(secret, totp.at(now), after_step=step, for_time=now) is None
    assert security.totp_match_step(secret, "abc123", after_step=0, for_time=now) is None


def test_case_manager_may_enable_two_factor_and_then_needs_it(client):
    user = make_user("amal", role="case_manager")
    assert post_login(client, "amal", PASSWORD).url == reverse("home")  # no second factor yet
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    secret = setup_secret(client)
    response = post_code(client, "two_factor_setup", code(secret), action="enable")
    assert response.url == reverse("two_factor_setup")
    user.refresh_from_db()
    assert user.totp_enabled

    client.post(reverse("logout"))
    assert post_login(client, "amal", PASSWORD).url == reverse("two_factor_verify")
    assert client.get(reverse("home")).url == reverse("two_factor_verify")
    assert post_code(client, "two_factor_verify", code(secret, steps_ahead=1)).url == reverse(
        "home"
    )

    # Turning it off needs a current code.
    assert (
        alert(post_code(client, "two_factor_setup", wrong_code(secret), action="disable"))
        == WRONG_CODE
    )
    user.refresh_from_db()
    assert user.totp_enabled


def test_case_manager_disables_two_factor_with_a_code(client):
    user = make_user("amal", role="case_manager")
    secret = enrol(user)
    post_login(client, "amal", PASSWORD)
    post_code(client, "two_factor_verify", code(secret))
    response = post_code(client, "two_factor_setup", code(secret, steps_ahead=1), action="disable")
    assert response.url == reverse("two_factor_setup")
    user.refresh_from_db()
    assert (user.totp_enabled, user.totp_secret) == (False, "")
    assert (
        AuditEvent.objects.filter(action="auth.two_factor_disabled", actor_username="amal").count()
        == 1
    )
    assert client.get(reverse("home")).status_code == 200


def test_mandatory_role_cannot_disable_two_factor(client):
    user = make_user("chief", role="supervisor")
    secret = enrol(user)
    post_login(client, "chief", PASSWORD)
    post_code(client, "two_factor_verify", code(secret))
    page = client.get(reverse("two_factor_setup"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="disable"' not in page
    response = post_code(client, "two_factor_setup", code(secret, steps_ahead=1), action="disable")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.totp_enabled


def test_logged_in_user_given_a_mandatory_role_must_pass_two_factor(client):
    """A session opened before the role was granted (or by force_login) has no second factor:
    the middleware sends pages to the two-factor step and answers the API with 401."""
    user = make_user("chief", role="supervisor")
    client.force_login(user)
    assert client.get(reverse("home")).url == reverse("two_factor_setup")
    api = client.get("/api/v1/provinces/")
    assert api.status_code == 401
    assert api.json()["error"]["code"] == "not_authenticated"
    secret = enrol(user)
    assert client.get(reverse("home")).url == reverse("two_factor_verify")
    assert post_code(client, "two_factor_verify", code(secret)).url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.get("/api/v1/provinces/").status_code == 200


def test_signed_in_helper_passes_the_middleware(client):
    sign_in(client, make_user("chief", role="supervisor"))
    assert client.get(reverse("home")).status_code == 200


def test_half_finished_login_expires(client):
    make_user("chief", role="supervisor")
    post_login(client, "chief", PASSWORD)
    session = client.session
    session[security.SESSION_PENDING]["since"] -= security.TWO_FACTOR_PENDING_MINUTES * 60 + 1
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("two_factor_verify")).url == reverse("login")


def test_two_factor_pages_send_strangers_to_login(client):
    assert client.get(reverse("two_factor_verify")).url == reverse("login")
    setup = client.get(reverse("two_factor_setup"))
    assert setup.status_code == 302 and setup.url.startswith(reverse("login"))


def test_qr_code_encodes_an_otpauth_uri_for_the_issuer():
    user = User(username="chief")
    uri = security.totp_provisioning_uri(user=user, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    assert (
        uri.startswith("otpauth://totp/Himaya:chief?")
        and "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" in uri
    )
    svg = security.totp_qr_svg(uri, title="QR <code>")
    assert svg.startswith("<svg") and "QR &lt;code&gt;" in svg and "<script" not in svg
    assert re.search(r"<path [^>]*d=", svg)
