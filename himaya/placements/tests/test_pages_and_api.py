"""The care-arrangement panel of the case page, its actions, and the REST endpoints."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from himaya.accounts.testing import SALE, make_org, sign_in
from himaya.placements.models import CareArrangement

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def eps(personas):
    return make_org("t-eps-sale", "eps", SALE)


def test_the_case_page_shows_the_panel_and_records_an_arrangement(personas, client, login, eps):
    case = personas.cases["sale"]
    login(personas.manager_sale)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    assert "id_care_open_care_type" in page.content.decode()

    url = reverse("placements:open", args=[case.pk])
    refused = client.post(
        url,
        {"care_type": "eps", "legal_basis": "administrative_admission", "start_date": str(TODAY)},
    )
    assert refused.status_code == 400  # no institution named
    assert "id_care_open_provider_org" in refused.content.decode()
    assert not CareArrangement.objects.exists()

    done = client.post(
        url,
        {"care_type": "eps", "legal_basis": "administrative_admission", "start_date": str(TODAY),
         "provider_org": eps.pk, "is_primary": "on"},
    )  # fmt: skip
    assert done.status_code == 302
    arrangement = CareArrangement.objects.get()
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert eps.name in page.content.decode()

    end = reverse("placements:end", args=[case.pk, arrangement.pk])
    stale = client.post(
        end,
        {
            "end_date": str(TODAY),
            "end_reason": "returned_to_family",
            "version": arrangement.version + 5,
        },
    )
    assert stale.status_code == 409
    arrangement.refresh_from_db()
    assert arrangement.active
    ended = client.post(
        end,
        {
            "end_date": str(TODAY),
            "end_reason": "returned_to_family",
            "version": arrangement.version,
        },
    )
    assert ended.status_code == 302
    arrangement.refresh_from_db()
    assert arrangement.end_reason == "returned_to_family"


def test_the_panel_is_read_only_for_those_who_cannot_work_on_the_case(personas, client, login):
    case = personas.cases["sale"]
    login(personas.reception_sale)
    case.stage = "closed"
    case.save(update_fields=["stage"])
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    assert "id_care_open_care_type" not in page.content.decode()


def test_an_arrangement_of_another_case_is_not_found_through_this_one(personas, client, login):
    tanger = personas.cases["tanger"]
    arrangement = CareArrangement.objects.create(
        case=tanger, child=tanger.child, care_type="other", legal_basis="family_agreement",
        start_date=TODAY, recorded_by=personas.manager_tanger,
    )  # fmt: skip
    login(personas.manager_sale)
    url = reverse("placements:end", args=[personas.cases["sale"].pk, arrangement.pk])
    assert (
        client.post(url, {"end_date": str(TODAY), "end_reason": "other", "version": 1}).status_code
        == 404
    )


def test_the_api_records_lists_and_ends_arrangements(personas, eps):
    case = personas.cases["sale"]
    api = APIClient()
    sign_in(api, personas.manager_sale)
    url = reverse("api-case-care-arrangements", args=[case.pk])
    bad = api.post(
        url,
        {
            "care_type": "eps",
            "legal_basis": "administrative_admission",
            "start_date": str(TODAY + timedelta(days=2)),
            "provider_org": eps.code,
        },
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "validation_error"
    assert "start_date" in bad.json()["error"]["fields"]
    unknown = api.post(
        url,
        {
            "care_type": "eps",
            "legal_basis": "administrative_admission",
            "start_date": str(TODAY),
            "provider_org": "nope",
        },
        format="json",
    )
    assert unknown.status_code == 400 and "provider_org" in unknown.json()["error"]["fields"]
    assert not CareArrangement.objects.exists()

    body = {
        "care_type": "eps",
        "legal_basis": "administrative_admission",
        "start_date": str(TODAY),
        "provider_org": eps.code,
    }
    created = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="care-1")
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="care-1")
    assert created.status_code == 201 and again.status_code == 201
    assert again.json()["id"] == created.json()["id"]
    assert CareArrangement.objects.count() == 1
    listed = api.get(url).json()["results"]
    assert [row["provider_org"] for row in listed] == [eps.code]

    end = reverse("api-care-arrangement-end", args=[created.json()["id"]])
    stale = api.post(
        end,
        {"end_date": str(TODAY), "end_reason": "returned_to_family"},
        format="json",
        HTTP_IF_MATCH='"9"',
    )
    assert stale.status_code == 412
    wrong = api.post(end, {"end_date": str(TODAY), "end_reason": "holidays"}, format="json")
    assert wrong.status_code == 400 and "end_reason" in wrong.json()["error"]["fields"]
    ended = api.post(
        end,
        {"end_date": str(TODAY), "end_reason": "returned_to_family"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert ended.status_code == 201 and ended.json()["active"] is False
    again = api.post(
        end, {"end_date": str(TODAY), "end_reason": "returned_to_family"}, format="json"
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"

    other = APIClient()
    sign_in(other, personas.manager_tanger)
    assert other.get(url).status_code == 404
    assert (
        other.post(end, {"end_date": str(TODAY), "end_reason": "other"}, format="json").status_code
        == 404
    )


def test_an_episode_held_by_another_territory_stays_out_of_sight(personas, eps):
    """The same child has a case in Tanger (after a move): its arrangement, carer and case
    number are not shown to Salé's workers."""
    from himaya.accounts.testing import _case

    child = personas.children["sale"]
    tanger_case = _case(
        child, personas.orgs["cape_tanger"], "TNG-2000-000009",
        manager=personas.manager_tanger, opener=personas.manager_tanger,
    )  # fmt: skip
    type(tanger_case).objects.filter(pk=tanger_case.pk).update(province_id="01.511")
    CareArrangement.objects.create(
        case=tanger_case, child=child, care_type="other", legal_basis="family_agreement",
        start_date=TODAY, end_date=TODAY, recorded_by=personas.manager_tanger,
    )  # fmt: skip
    api = APIClient()
    sign_in(api, personas.manager_sale)
    url = reverse("api-case-care-arrangements", args=[personas.cases["sale"].pk])
    assert api.get(url).json()["results"] == []
    sign_in(api, personas.manager_tanger)
    mine = api.get(reverse("api-case-care-arrangements", args=[tanger_case.pk])).json()
    assert len(mine["results"]) == 1
