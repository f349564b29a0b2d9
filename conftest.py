"""Shared test fixtures: every test database holds the reference geography and code lists."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_code_cache():
    """Code labels are cached per process; a test that loads its own lists rolls them back,
    so the cache must not outlive the test."""
    yield
    from himaya.core import codes

    codes.clear_cache()
