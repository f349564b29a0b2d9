from unittest import mock

import pytest
from django.db import OperationalError

from himaya.core import views

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_migration_state(monkeypatch):
    monkeypatch.setattr(views, "_migrations_known_applied", False)


def test_healthy_when_database_answers_and_migrations_applied(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "applied"}
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_unhealthy_when_migrations_are_pending(client):
    with mock.patch.object(views.MigrationExecutor, "migration_plan", return_value=[("x", False)]):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"


def test_unhealthy_when_database_does_not_answer(client):
    cursor = mock.MagicMock()
    cursor.return_value.__enter__.return_value.execute.side_effect = OperationalError("down")
    with mock.patch.object(views.connection, "cursor", cursor):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405
