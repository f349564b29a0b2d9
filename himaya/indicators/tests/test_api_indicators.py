"""GET /api/v1/indicators/ and /api/v1/indicators/{code}/ (api-contract.md)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from himaya.indicators import aggregates
from himaya.indicators.tests.fixtures import build_world
from himaya.indicators.tests.helpers import statistician

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    w = build_world(personas)
    aggregates.rebuild()
    return w


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def rows(response):
    return {tuple(sorted(r["dimensions"].items())): r["value"] for r in response.json()["rows"]}


@pytest.fixture
def ji02_pending(monkeypatch):
    """No indicator is pending in this build: make one so, to test how pending ones are served."""
    from dataclasses import replace

    from himaya.indicators.registry import INDICATORS

    monkeypatch.setitem(INDICATORS, "JI02", replace(INDICATORS["JI02"], pending="needs the CAPE"))


def test_definitions_list_computed_and_pending(world, personas, ji02_pending):
    response = api(personas.cppe_sale).get("/api/v1/indicators/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    by_code = {d["code"]: d for d in response.json()}
    assert by_code["IN01"]["available"] is True and by_code["IN01"]["unit"] == "report"
    assert by_code["JI02"]["available"] is False and "CAPE" in by_code["JI02"]["pending"]
    assert by_code["TM04"]["available"] is True and by_code["SG01"]["available"] is True


def test_committee_member_sees_suppressed_figures_of_its_province(world, personas):
    response = api(personas.cppe_sale).get(
        "/api/v1/indicators/IN01/", {"period": "2025", "province": "04.441", "by": "channel"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "IN01" and body["period"] == "2025" and body["suppressed"] is True
    values = rows(response)
    assert values[()] == 5  # the total
    assert values[(("channel", "2511"),)] == "<5"  # 2
    assert values[(("channel", "school"),)] == "<5"  # 1
    assert values[(("channel", "health"),)] == 0  # zero is shown


def test_secondary_suppression_on_a_read(world, personas):
    # IN02 by sex in Salé: female 2, male 1, unknown 0, total 3 → the total is hidden too
    response = api(personas.cppe_sale).get(
        "/api/v1/indicators/IN02/", {"period": "2025", "by": "sex"}
    )
    values = rows(response)
    assert values[()] == "<5" and values[(("sex", "female"),)] == "<5"
    assert values[(("sex", "unknown"),)] == 0


def test_supervisor_reads_exact_figures(world, personas):
    response = api(personas.supervisor_sale).get(
        "/api/v1/indicators/IN01/", {"period": "2025", "by": "channel"}
    )
    assert response.json()["suppressed"] is False
    assert rows(response)[(("channel", "2511"),)] == 2


def test_statistician_reads_national_and_regional_figures(world, personas):
    client = api(statistician(personas))
    national = client.get("/api/v1/indicators/IN01/", {"period": "2025"})
    assert rows(national)[()] == 6
    region = client.get("/api/v1/indicators/TM01/", {"period": "2025", "region": "04"})
    assert region.status_code == 200
    assert rows(region)[()] == "<5"  # 1 of 2: numerator 1–4 and base under 5


def test_sex_by_age_band_grid(world, personas):
    response = api(personas.supervisor_sale).get(
        "/api/v1/indicators/IN02/", {"period": "2025", "by": "age_band,sex"}
    )
    assert response.status_code == 200
    values = rows(response)
    assert values[(("age_band", "6_11"), ("sex", "female"))] == 1
    assert len(values) == 1 + 3 * 5  # total + every combination, zeros included


@pytest.mark.parametrize(
    ("code", "params", "field"),
    [
        ("XX99", {"period": "2025"}, "code"),
        ("JI02", {"period": "2025"}, "code"),  # pending (made so by the fixture)
        ("IN01", {"period": "2025-13"}, "period"),
        ("IN01", {"period": ""}, "period"),
        ("IN01", {"period": "2019"}, "period"),  # valid but never computed
        ("IN01", {"period": "2025", "province": "99.999"}, "province"),
        ("IN01", {"period": "2025", "region": "77"}, "region"),
        ("IN01", {"period": "2025", "by": "colour"}, "by"),
        ("IN01", {"period": "2025", "by": "sex"}, "by"),  # reports have no sex
        ("IN02", {"period": "2025", "by": "sex,concern"}, "by"),  # combination not kept
        ("IN02", {"period": "2025-02", "by": "sex"}, "by"),  # months keep totals only
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(
    world, personas, code, params, field, ji02_pending
):
    response = api(personas.supervisor_sale).get(f"/api/v1/indicators/{code}/", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"] and error["fields"][field][0]


def test_other_territory_is_not_found(world, personas):
    client = api(personas.cppe_sale)
    assert (
        client.get("/api/v1/indicators/IN01/", {"period": "2025", "province": "01.511"}).status_code
        == 404
    )
    assert (
        client.get("/api/v1/indicators/IN01/", {"period": "2025", "region": "01"}).status_code
        == 404
    )
    assert (
        client.get("/api/v1/indicators/IN01/", {"period": "2025", "region": "MA"}).status_code
        == 404
    )


def test_roles_without_aggregates_are_refused(world, personas):
    assert api(personas.manager_sale).get("/api/v1/indicators/").status_code == 403
    response = api(personas.auditor).get("/api/v1/indicators/IN01/", {"period": "2025"})
    assert response.status_code == 403


def test_reads_touch_the_aggregate_tables_only(world, personas, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(statistician(personas))
    client.get("/api/v1/indicators/IN02/", {"period": "2025", "by": "sex"})  # warm caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/indicators/IN02/", {"period": "2025", "by": "sex"})
    assert response.status_code == 200
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "indicators_aggregatecell" in tables
    for forbidden in ("cases_case", "cases_report", "children_child"):
        assert forbidden not in tables
    assert len(queries.captured_queries) <= 8
