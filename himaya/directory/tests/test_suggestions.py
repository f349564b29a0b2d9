"""Suggestions on fixed coordinates and capacities: which institutions, in which order, why.

Origin (34.00, -6.80) in Salé. One degree of latitude is π·R/180 = 111.195 km (R = 6371.0088),
so 0.02° north is 2.224 km, 0.05° north 5.560 km; 0.10° west at 34° N is
111.195 · cos 34° · 0.10 = 9.218 km."""

import math

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from himaya.accounts.testing import sign_in
from himaya.core.models import Province
from himaya.directory.catalogue import load_catalogue
from himaya.directory.selectors import haversine_km, suggest_institutions
from himaya.directory.testing import institution

ORIGIN = (34.00, -6.80)


@pytest.fixture
def grid(db):
    load_catalogue()
    rows = {
        "full": {"province": "04.441", "services": ["shelter"], "capacity": 10, "occupancy": 10, "latitude": 34.01, "longitude": -6.80},
        "one_free": {"province": "04.441", "services": ["shelter"], "capacity": 10, "occupancy": 9, "latitude": 34.05, "longitude": -6.80},
        "uncounted": {"province": "04.441", "services": ["shelter"], "latitude": 34.02, "longitude": -6.80},
        "rabat_west": {"province": "04.421", "services": ["shelter"], "capacity": 3, "occupancy": 0, "latitude": 34.00, "longitude": -6.90},
        "no_coordinates": {"province": "04.441", "services": ["shelter"], "capacity": 5, "occupancy": 0},
        "other_service": {"province": "04.441", "services": ["health"], "latitude": 34.001, "longitude": -6.80},
        "other_region": {"province": "01.511", "services": ["shelter"], "latitude": 34.003, "longitude": -6.80},
        "inactive": {"province": "04.441", "services": ["shelter"], "active": False, "latitude": 34.004, "longitude": -6.80},
        "boys_only": {"province": "04.441", "services": ["shelter"], "sexes": "male", "latitude": 34.03, "longitude": -6.80},
        "teens": {"province": "04.441", "services": ["shelter"], "age_min": 12, "age_max": 17, "latitude": 34.04, "longitude": -6.80},
    }  # fmt: skip
    return {code: institution(code, **values) for code, values in rows.items()}


def codes_of(found):
    return [s.institution.code for s in found]


def test_nearest_first_with_free_capacity_only_in_the_region(grid):
    found = suggest_institutions(
        service="shelter", province=Province.objects.get(pk="04.441"), origin=ORIGIN
    )
    assert codes_of(found) == [
        "uncounted",
        "boys_only",
        "teens",
        "one_free",
        "rabat_west",
        "no_coordinates",
    ]
    distances = {s.institution.code: s.distance_km for s in found}
    assert distances["uncounted"] == pytest.approx(2.224, abs=0.001)
    assert distances["one_free"] == pytest.approx(5.560, abs=0.001)
    assert distances["rabat_west"] == pytest.approx(9.218, abs=0.001)
    assert distances["no_coordinates"] is None
    assert {s.institution.code: s.free_places for s in found}["one_free"] == 1


def test_the_child_age_and_sex_narrow_the_suggestions(grid):
    province = Province.objects.get(pk="04.441")
    found = suggest_institutions(
        service="shelter", province=province, origin=ORIGIN, age=8, sex="female"
    )
    assert codes_of(found) == ["uncounted", "one_free", "rabat_west", "no_coordinates"]


def test_each_suggestion_says_why(grid):
    with translation.override("en"):
        found = suggest_institutions(
            service="shelter", province=Province.objects.get(pk="04.441"), origin=ORIGIN
        )
    by_code = {s.institution.code: s.reasons for s in found}
    assert "Offers Shelter." in by_code["one_free"]
    assert "1 free places of 10." in by_code["one_free"]
    assert "5.6 km away." in by_code["one_free"]
    assert "In the same territory." in by_code["one_free"]
    assert any("same region" in r for r in by_code["rabat_west"])
    assert "Capacity not counted: takes every child referred." in by_code["uncounted"]
    assert "Distance unknown (no coordinates)." in by_code["no_coordinates"]


def test_without_origin_more_free_places_come_first(grid):
    found = suggest_institutions(service="shelter", province=Province.objects.get(pk="04.441"))
    assert set(codes_of(found)) == {
        "uncounted", "boys_only", "teens", "one_free", "rabat_west", "no_coordinates"
    }  # fmt: skip
    free = [s.free_places for s in found if s.free_places is not None]
    assert free == sorted(free, reverse=True)


@pytest.mark.django_db
def test_api_suggestions(grid, personas):
    client = sign_in(APIClient(), personas.manager_sale)
    response = client.get(
        "/api/v1/institutions/suggestions/?service=shelter&province=04.441&lat=34&lon=-6.8"
    )
    assert response.status_code == 200
    body = response.json()
    assert [r["institution"]["code"] for r in body["results"]][:2] == ["uncounted", "boys_only"]
    assert body["results"][0]["reasons"] and body["origin"] == [34.0, -6.8]
    for query, field in (("service=nope&province=04.441", "service"), ("service=shelter", "province"),
                         ("service=shelter&province=04.441&lat=91&lon=0", "lat"),
                         ("service=shelter&province=04.441&lat=34", "lon"),
                         ("service=shelter&province=04.441&age=30", "age")):  # fmt: skip
        response = client.get(f"/api/v1/institutions/suggestions/?{query}")
        assert response.status_code == 400 and field in response.json()["error"]["fields"], query
    assert (
        sign_in(APIClient(), personas.outsider)
        .get("/api/v1/institutions/suggestions/?service=shelter&province=04.441")
        .status_code
        == 403
    )


def test_haversine_known_distance():
    # Paris (Notre-Dame) to London (Charing Cross): 343.5 km.
    assert haversine_km(48.8530, 2.3499, 51.5074, -0.1278) == pytest.approx(343.5, abs=1.0)


coordinate = st.tuples(st.floats(-89.9, 89.9), st.floats(-179.9, 179.9))


@given(coordinate, coordinate, coordinate)
def test_haversine_is_a_distance(a, b, c):
    ab, ba = haversine_km(*a, *b), haversine_km(*b, *a)
    assert ab == pytest.approx(ba, abs=1e-6)
    assert haversine_km(*a, *a) == pytest.approx(0, abs=1e-6)
    assert 0 <= ab <= math.pi * 6371.0088 + 1e-6
    assert ab <= haversine_km(*a, *c) + haversine_km(*c, *b) + 1e-6
