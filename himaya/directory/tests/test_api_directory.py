"""GET /api/v1/services/, GET /api/v1/institutions/ (filters), GET and PATCH of one institution."""

import pytest
from rest_framework.test import APIClient

from himaya.accounts.testing import sign_in
from himaya.directory.testing import institution

pytestmark = pytest.mark.django_db


def client_for(user):
    return sign_in(APIClient(), user)


def test_services_catalogue(world):
    response = client_for(world.manager_sale).get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="fr")
    rows = {r["code"]: r for r in response.json()}
    assert rows["shelter"]["stages"] == [3, 8] and rows["shelter"]["label"] == "Hébergement"
    assert client_for(world.outsider).get("/api/v1/services/").status_code == 403


@pytest.mark.parametrize(
    ("query", "expected"),
    [("", {"t-inst-hospital-sale", "t-inst-cape-sale", "t-inst-shelter-rabat", "t-inst-hospital-tanger"}),
     ("province=04.441", {"t-inst-hospital-sale", "t-inst-cape-sale"}),
     ("type=hospital_unit", {"t-inst-hospital-sale", "t-inst-hospital-tanger"}),
     ("service=shelter", {"t-inst-shelter-rabat"}),
     ("service=shelter&has_capacity=true", {"t-inst-shelter-rabat"}),
     ("province=04.421&has_capacity=true", {"t-inst-shelter-rabat"})],
)  # fmt: skip
def test_institution_filters(world, query, expected):
    response = client_for(world.cppe_sale).get(f"/api/v1/institutions/?{query}")
    assert response.status_code == 200
    assert {r["code"] for r in response.json()["results"]} == expected


def test_has_capacity_leaves_out_full_institutions(world):
    shelter = world.institutions["shelter_rabat"]
    shelter.occupancy = 10
    shelter.save()
    response = client_for(world.manager_sale).get(
        "/api/v1/institutions/?service=shelter&has_capacity=true"
    )
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "query",
    ["province=99.999", "type=castle", "service=nope", "has_capacity=maybe", "page_size=500"],
)
def test_bad_filters_are_400(world, query):
    response = client_for(world.manager_sale).get(f"/api/v1/institutions/?{query}")
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error"


def test_list_query_count_is_bounded(world, django_assert_max_num_queries):
    for i in range(20):
        institution(f"bulk-{i}", province="04.441", services=["health", "education"])
    client = client_for(world.manager_sale)
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/institutions/?page_size=200")
    assert len(response.json()["results"]) == 24


def test_detail_fields_and_etag(world):
    inst = world.institutions["hospital_sale"]
    response = client_for(world.provider_hospital_sale).get(f"/api/v1/institutions/{inst.pk}/")
    body = response.json()
    assert response["ETag"] == '"1"'
    for field in ("id", "name", "type", "province", "services", "capacity", "occupancy"):
        assert field in body
    assert (
        body["services"] == ["health", "mental_health"]
        and body["organisation"] == "t-hospital-sale"
    )
    missing = "00000000-0000-4000-8000-000000000000"
    assert client_for(world.manager_sale).get(f"/api/v1/institutions/{missing}/").status_code == 404


def test_patch_by_its_own_users_with_if_match(world):
    inst = world.institutions["hospital_sale"]
    provider = client_for(world.provider_hospital_sale)
    url = f"/api/v1/institutions/{inst.pk}/"
    assert provider.patch(url, {"phone": "1"}, format="json").status_code == 400  # no If-Match
    response = provider.patch(
        url,
        {"phone": "0537999999", "capacity": 12, "occupancy": 3},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200 and response["ETag"] == '"2"'
    assert response.json()["free_places"] == 9
    stale = provider.patch(url, {"phone": "2"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    refused = provider.patch(url, {"province": "01.511"}, format="json", HTTP_IF_MATCH='"2"')
    assert refused.status_code == 400 and "province" in refused.json()["error"]["fields"]
    other = f"/api/v1/institutions/{world.institutions['cape_sale'].pk}/"
    assert (
        provider.patch(other, {"phone": "1"}, format="json", HTTP_IF_MATCH='"1"').status_code == 403
    )
    assert (
        client_for(world.manager_sale)
        .patch(url, {"phone": "1"}, format="json", HTTP_IF_MATCH='"2"')
        .status_code
        == 403
    )
