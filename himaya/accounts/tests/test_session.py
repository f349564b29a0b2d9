"""Idle sessions end (DP-50: 30 minutes, SESSION_IDLE_SECONDS); an active one is renewed by
every request (SESSION_SAVE_EVERY_REQUEST)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from himaya.accounts.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client):
    make_user("amal", role="case_manager")
    response = client.post(reverse("login"), {"username": "amal", "password": PASSWORD})
    assert response.status_code == 302
    return client


def stored(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_idle_timeout_is_thirty_minutes_by_default():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_session_idle_beyond_its_age_is_logged_out(logged_in):
    # Last request SESSION_COOKIE_AGE + 1 s ago: its expiry lies in the past.
    Session.objects.filter(session_key=logged_in.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = logged_in.get(reverse("home"))
    assert not response.wsgi_request.user.is_authenticated
    page = logged_in.get(reverse("two_factor_setup"))  # a page that needs a login
    assert page.status_code == 302
    assert page.url.startswith(reverse("login"))


def test_active_session_is_kept_and_renewed(logged_in):
    key = logged_in.session.session_key
    # A request one minute before expiry renews the full idle period.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )
    response = logged_in.get(reverse("home"))
    assert response.wsgi_request.user.is_authenticated
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    assert logged_in.get(reverse("two_factor_setup")).status_code == 200
