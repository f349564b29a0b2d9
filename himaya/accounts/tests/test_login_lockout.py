"""Lockout (DP-50): an account after 5 consecutive failures, an address after 20 failures in
15 minutes. A locked attempt checks nothing, not even a right password."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from himaya.accounts import security
from himaya.accounts.models import LoginFailure, User
from himaya.accounts.tests.factories import PASSWORD, make_user
from himaya.accounts.tests.test_login import WRONG, alert, post_login
from himaya.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LOCKED_15 = "Too many failed attempts. Try again in 15 minutes."


def fail(client, username, times, **extra):
    return [
        client.post(
            reverse("login"),
            {"username": username, "password": "not-the-password-at-all"},
            HTTP_ACCEPT_LANGUAGE="en",
            **extra,
        )
        for _ in range(times)
    ]


def test_account_locks_after_five_failures_with_a_clear_message(client):
    make_user("amal", role="case_manager")
    responses = fail(client, "amal", 5)
    assert [alert(r) for r in responses[:4]] == [WRONG] * 4
    assert responses[4].status_code == 429
    assert alert(responses[4]) == LOCKED_15
    assert int(responses[4]["Retry-After"]) == 15 * 60
    user = User.objects.get(username="amal")
    assert user.locked_until is not None
    assert timedelta(minutes=14) < user.locked_until - timezone.now() <= timedelta(minutes=15)
    locked = AuditEvent.objects.get(action="auth.locked")
    assert (locked.actor_username, locked.data["scope"]) == ("amal", "account")


def test_locked_account_refuses_the_right_password_without_checking_it(client, monkeypatch):
    make_user("amal", role="case_manager")
    fail(client, "amal", 5)
    failures_before = AuditEvent.objects.filter(action="auth.login_failed").count()
    monkeypatch.setattr(security, "authenticate", lambda *a, **k: pytest.fail("password checked"))
    response = post_login(client, "amal", PASSWORD)
    assert response.status_code == 429
    assert alert(response) == LOCKED_15
    assert "_auth_user_id" not in client.session
    # A refused attempt records nothing: it neither extends the lock nor floods the log.
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == failures_before


def test_account_unlocks_when_the_window_has_passed(client):
    make_user("amal", role="case_manager")
    fail(client, "amal", 5)
    User.objects.filter(username="amal").update(locked_until=timezone.now() - timedelta(seconds=1))
    response = post_login(client, "amal", PASSWORD)
    assert response.status_code == 302
    user = User.objects.get(username="amal")
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_success_resets_the_count_of_consecutive_failures(client):
    make_user("amal", role="case_manager")
    fail(client, "amal", 4)
    assert post_login(client, "amal", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    assert [alert(r) for r in fail(client, "amal", 4)] == [WRONG] * 4
    assert not User.objects.get(username="amal").is_locked()


def test_unknown_username_locks_like_an_account_so_lockout_reveals_nothing(client):
    responses = fail(client, "nobody-by-this-name", 6)
    assert [alert(r) for r in responses] == [WRONG] * 4 + [LOCKED_15] * 2
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    assert alert(fail(client, "nobody-by-this-name", 1)[0]) == WRONG


def test_address_is_refused_after_twenty_failures_in_the_window(client):
    make_user("amal", role="case_manager")
    # Four tries each on five names: no account reaches its own threshold.
    for index in range(5):
        fail(client, f"guess-{index}", 4, REMOTE_ADDR="203.0.113.9")
    response = client.post(
        reverse("login"),
        {"username": "amal", "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 429
    assert alert(response) == LOCKED_15
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="auth.locked")
    assert event.data["scope"] == "address"
    assert event.ip_address == "203.0.113.9"

    # Another address is not affected.
    other = client.post(
        reverse("login"), {"username": "amal", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    assert other.status_code == 302


def test_address_may_try_again_once_the_window_has_passed(client):
    make_user("amal", role="case_manager")
    now = timezone.now()
    LoginFailure.objects.bulk_create(
        LoginFailure(
            ip_address="203.0.113.9", username=f"guess-{i}", at=now - timedelta(minutes=10)
        )
        for i in range(20)
    )
    response = client.post(
        reverse("login"),
        {"username": "amal", "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
        REMOTE_ADDR="203.0.113.9",
    )
    assert alert(response) == "Too many failed attempts. Try again in 5 minutes."
    LoginFailure.objects.update(at=now - timedelta(minutes=16))
    response = client.post(
        reverse("login"), {"username": "amal", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 302


@translation.override("en")
def test_lock_message_counts_down_in_minutes():
    now = timezone.now()
    assert security.LoginLocked(now + timedelta(seconds=61), now).message == (
        "Too many failed attempts. Try again in 2 minutes."
    )
    assert security.LoginLocked(now + timedelta(seconds=30), now).message == (
        "Too many failed attempts. Try again in 1 minute."
    )
