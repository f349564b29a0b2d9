"""Dashboards: figures and charts with their tables, bad filters, scope, the queries of the
national dashboard, the CAPE workload page, and every page in Arabic and French."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from himaya.indicators import aggregates
from himaya.indicators.tests.fixtures import build_world
from himaya.indicators.tests.helpers import statistician

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    w = build_world(personas)
    aggregates.rebuild()
    return w


def test_provincial_dashboard_for_the_committee_member(world, personas, login):
    client = login(personas.cppe_sale)
    response = client.get("/indicators/", {"period": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "data:image/svg+xml" in html  # a chart...
    assert "<table" in html and "&lt;5" in html  # ...with its table, suppressed
    assert "IN01" in html


def test_national_dashboard_reads_only_the_aggregate_tables(world, personas, login):
    client = login(statistician(personas))
    client.get("/indicators/", {"period": "2025"})  # warm the code-list cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/indicators/", {"period": "2025"})
    assert response.status_code == 200
    assert "Rabat" in response.content.decode() or "الرباط" in response.content.decode()
    tables = " ".join(q["sql"].lower() for q in queries.captured_queries)
    assert "indicators_aggregatecell" in tables
    domain = ("cases_", "children_", "audit_auditevent")
    used = [
        t for t in connection.introspection.table_names() if t.startswith(domain) and t in tables
    ]
    assert used == []
    assert len(queries.captured_queries) <= 20


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "2025-14"}, "2025-14"),
        ({"period": "2025", "province": "88.888"}, "88.888"),
        ({"period": "2025", "region": "99"}, "99"),
    ],
)
def test_bad_filters_are_a_400_with_the_message(world, personas, login, params, message):
    response = login(personas.supervisor_sale).get("/indicators/", params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_period_not_computed_is_said_not_shown_as_zero(world, personas, login):
    response = login(personas.supervisor_sale).get("/indicators/", {"period": "2019"})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert "By territory" not in response.content.decode()


def test_other_territory_is_not_found(world, personas, login):
    client = login(personas.cppe_sale)
    assert client.get("/indicators/", {"period": "2025", "province": "01.511"}).status_code == 404
    assert client.get("/indicators/delays/", {"period": "2025", "region": "01"}).status_code == 404


def test_delays_report(world, personas, login):
    response = login(personas.supervisor_sale).get("/indicators/delays/", {"period": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "30.0" in html  # March: A's plan 30 days after the report
    assert "TM05A" in html and "TM04" in html  # report → assessment, now computed
    bad = login(personas.supervisor_sale).get("/indicators/delays/", {"period": "2025-03"})
    assert bad.status_code == 400


def test_cape_workload_for_the_supervisor_only(world, personas, login):
    response = login(personas.supervisor_sale).get("/indicators/cape/")
    assert response.status_code == 200
    assert response.context["caseload"] == [(personas.manager_sale.display_name, 1)]
    assert login(personas.cppe_sale).get("/indicators/cape/").status_code == 403


@pytest.mark.parametrize("language", ["ar", "fr"])
@pytest.mark.parametrize("path", ["/indicators/", "/indicators/delays/", "/indicators/exports/"])
def test_pages_render_in_arabic_and_french(world, personas, login, language, path):
    client = login(personas.supervisor_sale)
    response = client.get(path, {"period": "2025"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
