"""The login page: success and failure are audited, and a wrong password cannot be told
apart from an unknown user (DP-50)."""

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.sessions.models import Session
from django.urls import reverse

from himaya.accounts.tests.factories import PASSWORD, make_user
from himaya.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

WRONG = "Wrong username or password."


def post_login(client, username, password, **extra):
    return client.post(
        reverse("login"),
        {"username": username, "password": password, **extra},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def alert(response) -> str:
    match = re.search(
        r'<div class="alert alert-danger" role="alert">(.*?)</div>', response.content.decode(), re.S
    )
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


@pytest.mark.parametrize(
    ("language", "marker"), [("ar", 'dir="rtl"'), ("fr", 'lang="fr"'), ("en", 'lang="en"')]
)
def test_login_page_renders_in_each_language(client, language, marker):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert marker in html
    assert 'name="username"' in html and 'name="password"' in html
    assert 'autocomplete="current-password"' in html
    assert "<script>" not in html  # CSP: no inline script


def test_success_logs_in_resets_counter_and_is_audited(client):
    user = make_user("amal", role="case_manager", failed_logins=3)
    response = post_login(client, "amal", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.failed_logins == 0
    event = AuditEvent.objects.get(action="auth.login")
    assert (event.outcome, event.actor_username, event.interface) == ("allowed", "amal", "web")


def test_login_cycles_the_session_key(client):
    make_user("amal", role="case_manager")
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    post_login(client, "amal", PASSWORD)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_wrong_password_and_unknown_user_get_the_same_answer_and_are_audited(client):
    make_user("amal", role="case_manager")
    wrong_password = post_login(client, "amal", "not-the-password-at-all")
    unknown_user = post_login(client, "nobody-by-this-name", "not-the-password-at-all")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert alert(wrong_password) == alert(unknown_user) == WRONG
    assert "_auth_user_id" not in client.session

    events = AuditEvent.objects.filter(action="auth.login_failed").order_by("id")
    assert [(e.outcome, e.actor_username, e.data["username"]) for e in events] == [
        ("denied", "amal", "amal"),
        ("denied", "", "nobody-by-this-name"),
    ]


def test_unknown_user_costs_a_password_hash_like_a_wrong_password(client, monkeypatch):
    make_user("amal", role="case_manager")
    calls = []
    original = MD5PasswordHasher.encode
    monkeypatch.setattr(
        MD5PasswordHasher,
        "encode",
        lambda self, *a, **k: calls.append(1) or original(self, *a, **k),
    )
    post_login(client, "amal", "not-the-password-at-all")
    wrong_password_hashes = len(calls)
    calls.clear()
    post_login(client, "nobody-by-this-name", "not-the-password-at-all")
    assert wrong_password_hashes == len(calls) == 1


def test_audit_keeps_the_typed_username_at_most_150_characters(client):
    post_login(client, "x" * 150, "not-the-password-at-all")
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.data["username"] == "x" * 150
    # A longer name is refused by the form before any password check or count.
    response = post_login(client, "y" * 151, "not-the-password-at-all")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 1


def test_inactive_user_gets_the_wrong_credentials_message(client):
    make_user("gone", role="case_manager", is_active=False)
    assert alert(post_login(client, "gone", PASSWORD)) == WRONG
    assert "_auth_user_id" not in client.session


def test_next_is_followed_only_on_this_site(client):
    make_user("amal", role="case_manager")
    response = post_login(client, "amal", PASSWORD, next="/notifications/")
    assert response.url == "/notifications/"
    client.logout()
    response = post_login(client, "amal", PASSWORD, next="https://evil.example/")
    assert response.url == reverse("home")


def test_logout_is_a_post_that_ends_the_session_and_is_audited(client):
    make_user("amal", role="case_manager")
    post_login(client, "amal", PASSWORD)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.logout", actor_username="amal").count() == 1
