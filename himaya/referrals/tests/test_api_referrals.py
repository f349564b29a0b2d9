"""The referral endpoints of the contract, end to end over HTTP with the personas."""

import pytest
from rest_framework.test import APIClient

from himaya.accounts.testing import sign_in
from himaya.audit.models import AuditEvent
from himaya.referrals.models import Referral

pytestmark = pytest.mark.django_db


def client_for(user):
    return sign_in(APIClient(), user)


def create(world, user=None, **body):
    payload = {"institution": str(world.institutions["hospital_sale"].pk), "service": "health",
               "note": "Consultation pédiatrique."}  # fmt: skip
    payload.update(body)
    return client_for(user or world.manager_sale).post(
        f"/api/v1/cases/{world.cases['sale'].pk}/referrals/", payload, format="json"
    )


def test_create_answers_201_with_the_referral(world):
    response = create(world)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "sent" and body["service"] == "health"
    assert body["institution"] == "t-inst-hospital-sale"
    assert body["case_number"] == world.cases["sale"].number


def test_create_is_idempotent(world):
    client = client_for(world.manager_sale)
    url = f"/api/v1/cases/{world.cases['sale'].pk}/referrals/"
    body = {"institution": str(world.institutions["hospital_sale"].pk), "service": "health"}
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"] and Referral.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({"service": "shelter"}, "institution"), ({"service": "nope"}, "service"),
     ({"institution": "not-a-uuid"}, "institution"), ({"due_on": "2001-01-01"}, "due_on"),
     ({"urgency": "tomorrow"}, "urgency")],
)  # fmt: skip
def test_bad_input_is_a_400_naming_the_field_and_creates_nothing(world, body, field):
    response = create(world, **body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"]
    assert not Referral.objects.exists()


def test_outside_the_allowed_area_is_refused_with_a_clear_message(world):
    response = client_for(world.manager_sale).post(
        f"/api/v1/cases/{world.cases['sale'].pk}/referrals/",
        {"institution": str(world.institutions["hospital_tanger"].pk), "service": "health"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "outside the area" in response.json()["error"]["fields"]["institution"][0]


def test_other_territory_404_and_wrong_role_403(world):
    assert create(world, user=world.manager_tanger).status_code == 404
    assert create(world, user=world.provider_hospital_sale).status_code == 403
    assert create(world, user=world.evaluator_sale).status_code == 403  # not assigned: no right


def test_provider_inbox_lists_only_its_organisations_referrals_with_the_packet(world):
    create(world)
    create(world, institution=str(world.institutions["cape_sale"].pk), service="mental_health")
    response = client_for(world.provider_hospital_sale).get("/api/v1/referrals/?direction=incoming")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["institution"] for r in rows] == ["t-inst-hospital-sale"]
    row = rows[0]
    assert set(row["packet"]) == {
        "child",
        "service",
        "urgency",
        "note",
        "referring_worker",
        "extra",
    }
    assert row["packet"]["child"]["name_lat"] == "Amina El Idrissi"
    assert "case" not in row and "case_number" not in row
    text = response.content.decode()
    assert "asthma" not in text and world.cases["sale"].number not in text


def test_provider_list_filters_by_status_and_is_audited(world):
    create(world)
    client = client_for(world.provider_hospital_sale)
    assert client.get("/api/v1/referrals/?status=accepted").json()["results"] == []
    assert len(client.get("/api/v1/referrals/?status=sent").json()["results"]) == 1
    assert client.get("/api/v1/referrals/?status=bogus").status_code == 400
    assert client.get("/api/v1/referrals/?direction=sideways").status_code == 400
    assert client.get("/api/v1/referrals/?direction=outgoing").status_code == 403
    assert AuditEvent.objects.filter(action="referral.inbox_read").exists()


def test_outgoing_list_for_the_case_team_and_not_for_others(world):
    create(world)
    rows = (
        client_for(world.manager_sale)
        .get("/api/v1/referrals/?direction=outgoing")
        .json()["results"]
    )
    assert len(rows) == 1 and rows[0]["case_number"] == world.cases["sale"].number
    assert client_for(world.manager_tanger).get("/api/v1/referrals/").json()["results"] == []
    assert client_for(world.cppe_sale).get("/api/v1/referrals/").status_code == 403


def test_list_query_count_is_bounded(world, django_assert_max_num_queries):
    for _ in range(3):
        create(world)
        Referral.objects.update(status="refused")
    client = client_for(world.provider_hospital_sale)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/referrals/?direction=incoming")
    assert len(response.json()["results"]) == 3


def test_accept_decline_complete_over_http(world):
    rid = create(world).json()["id"]
    provider = client_for(world.provider_hospital_sale)
    response = provider.post(f"/api/v1/referrals/{rid}/complete/", {"outcome": "x"}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    assert provider.post(f"/api/v1/referrals/{rid}/accept/").json()["status"] == "accepted"
    response = provider.post(f"/api/v1/referrals/{rid}/complete/", {}, format="json")
    assert response.status_code == 400 and "outcome" in response.json()["error"]["fields"]
    response = provider.post(
        f"/api/v1/referrals/{rid}/complete/", {"outcome": "Vu."}, format="json"
    )
    assert response.json()["status"] == "completed"


def test_decline_without_reason_is_400_and_with_reason_200(world):
    rid = create(world).json()["id"]
    provider = client_for(world.provider_hospital_sale)
    response = provider.post(f"/api/v1/referrals/{rid}/decline/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    response = provider.post(f"/api/v1/referrals/{rid}/decline/", {"reason": ""}, format="json")
    assert response.status_code == 400
    assert Referral.objects.get(pk=rid).status == "sent"
    response = provider.post(
        f"/api/v1/referrals/{rid}/decline/", {"reason": "no_capacity"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "service_unavailable"


def test_another_organisations_referral_is_404_for_every_provider_route(world):
    rid = create(
        world, institution=str(world.institutions["cape_sale"].pk), service="mental_health"
    ).json()["id"]
    provider = client_for(world.provider_hospital_sale)
    assert provider.get(f"/api/v1/referrals/{rid}/").status_code == 404
    for action, body in (
        ("accept", {}),
        ("decline", {"reason": "no_capacity"}),
        ("complete", {"outcome": "x"}),
    ):
        assert (
            provider.post(f"/api/v1/referrals/{rid}/{action}/", body, format="json").status_code
            == 404
        )
    assert Referral.objects.get(pk=rid).status == "sent"


def test_detail_gives_the_packet_to_the_provider_and_the_referral_to_the_team(world):
    rid = create(world).json()["id"]
    as_provider = client_for(world.provider_hospital_sale).get(f"/api/v1/referrals/{rid}/").json()
    assert "packet" in as_provider and "case" not in as_provider
    as_team = client_for(world.manager_sale).get(f"/api/v1/referrals/{rid}/").json()
    assert as_team["case"] == str(world.cases["sale"].pk) and "packet" not in as_team
    assert client_for(world.manager_tanger).get(f"/api/v1/referrals/{rid}/").status_code == 404


def test_cancel_over_http(world):
    rid = create(world).json()["id"]
    team = client_for(world.manager_sale)
    assert team.post(f"/api/v1/referrals/{rid}/cancel/", {}, format="json").status_code == 400
    response = team.post(
        f"/api/v1/referrals/{rid}/cancel/", {"reason": "Déménagement"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert (
        client_for(world.manager_tanger)
        .post(f"/api/v1/referrals/{rid}/cancel/", {"reason": "x"}, format="json")
        .status_code
        == 404
    )
