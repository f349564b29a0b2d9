"""Shared test fixtures: every test database holds the reference geography, the code lists
and the assessment instruments."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)
        call_command("load_instruments", verbosity=0)  # the screen at intake reads Tier A


@pytest.fixture(autouse=True)
def _fresh_code_cache():
    """Code labels are cached per process; a test that loads its own lists rolls them back,
    so the cache must not outlive the test."""
    yield
    from himaya.core import codes

    codes.clear_cache()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code run outside a request (services, commands) speaks the default language, Arabic.
    Tests read such messages in English, the source language, so that translating a message
    never breaks the test asserting its meaning; requests still choose their language
    (LocaleMiddleware), and tests of the Arabic and French pages ask for them."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def personas(db):
    """The shared personas of STYLE.md in Salé and Tanger, with one child in each."""
    from himaya.accounts.testing import build_personas

    return build_personas()


@pytest.fixture
def login(client):
    """`login(user)` signs `user` in on the test client, second factor included."""
    from himaya.accounts.testing import sign_in

    def _login(user, the_client=None):
        return sign_in(the_client or client, user)

    return _login


@pytest.fixture
def committed_db(transactional_db):
    """For tests that need real commits (concurrency): the database is emptied after such a
    test, so the audit log is purged around its triggers and the reference data reloaded for
    the tests that follow in the same worker."""
    yield
    from himaya.audit.models import AuditChainHead, AuditEvent
    from himaya.audit.tests.helpers import append_only_triggers_disabled

    with append_only_triggers_disabled():
        AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request, django_db_blocker):
    """Reload the reference data after a transactional test flushed it."""
    yield
    if "transactional_db" in request.fixturenames:
        with django_db_blocker.unblock():
            call_command("load_reference", verbosity=0)
            call_command("load_instruments", verbosity=0)


# Property tests: in CI the examples are derived from the test itself (derandomize), so a
# submission's result does not depend on luck; locally they stay random and keep exploring.
import os  # noqa: E402

from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
