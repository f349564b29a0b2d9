"""POST /api/v1/children/{id}/merge/ and /unmerge/ (api-contract.md), the merge history and
the likely-duplicates list: error envelope, scope, idempotency, versions."""

import pytest

from himaya.audit.models import AuditEvent
from himaya.cases.models import Case
from himaya.children.models import Child, ChildMerge

pytestmark = pytest.mark.django_db
REASON = "Same mother, same birth date, the CAPE met her twice."


def _url(child, action="merge"):
    return f"/api/v1/children/{child.pk}/{action}/"


def test_merge_then_unmerge_over_the_api(personas, duplicate, login, client):
    survivor = personas.children["sale"]
    dup_case = duplicate.cases.get()
    login(personas.supervisor_sale)
    body = {
        "duplicate_id": str(duplicate.pk),
        "reason": REASON,
        "choices": {"birth_date": "duplicate"},
    }
    response = client.post(_url(survivor), body, content_type="application/json",
                           HTTP_IF_MATCH=f'"{survivor.version}"')  # fmt: skip
    assert response.status_code == 201, response.content
    merge = response.json()
    assert merge["survivor_id"] == str(survivor.pk) and merge["duplicate_id"] == str(duplicate.pk)
    assert merge["repointed"]["cases.Case.child"] == [str(dup_case.pk)]
    assert merge["approved_by"] == personas.supervisor_sale.username
    # The tombstone points to the survivor; it is gone from the list.
    tomb = client.get(f"/api/v1/children/{duplicate.pk}/").json()
    assert tomb["merged_into"] == str(survivor.pk)
    listed = [c["id"] for c in client.get("/api/v1/children/").json()["results"]]
    assert str(duplicate.pk) not in listed and str(survivor.pk) in listed
    history = client.get(f"/api/v1/children/{survivor.pk}/merges/").json()["results"]
    assert [m["id"] for m in history] == [merge["id"]]
    # Merging it again is a conflict.
    again = client.post(_url(survivor), body, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    undo = client.post(_url(survivor, "unmerge"), {"duplicate_id": str(duplicate.pk), "reason": "Two sisters in fact."}, content_type="application/json")  # fmt: skip
    assert (
        undo.status_code == 200 and undo.json()["unmerged_by"] == personas.supervisor_sale.username
    )
    assert client.get(f"/api/v1/children/{duplicate.pk}/").json()["merged_into"] is None
    assert Case.objects.filter(child=duplicate).count() == 1


def test_idempotency_key_replays_the_first_answer(personas, duplicate, login, client):
    login(personas.supervisor_sale)
    body = {"duplicate_id": str(duplicate.pk), "reason": REASON}
    first = client.post(_url(personas.children["sale"]), body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="m-1")  # fmt: skip
    retry = client.post(_url(personas.children["sale"]), body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="m-1")  # fmt: skip
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"
    assert ChildMerge.objects.count() == 1


def test_errors_use_the_envelope_and_change_nothing(personas, duplicate, login, client):
    survivor = personas.children["sale"]
    login(personas.supervisor_sale)

    def post(child, body, **headers):
        return client.post(_url(child), body, content_type="application/json", **headers)

    bad = post(survivor, {"duplicate_id": "nope", "reason": ""})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"duplicate_id", "reason"}
    short = post(survivor, {"duplicate_id": str(duplicate.pk), "reason": "dup"})
    assert short.status_code == 400 and "reason" in short.json()["error"]["fields"]
    assert post(survivor, {"duplicate_id": str(survivor.pk), "reason": REASON}).status_code == 409
    outside = post(
        survivor, {"duplicate_id": str(personas.children["tanger"].pk), "reason": REASON}
    )
    assert outside.status_code == 404 and outside.json()["error"]["code"] == "not_found"
    assert (
        post(
            personas.children["tanger"], {"duplicate_id": str(duplicate.pk), "reason": REASON}
        ).status_code
        == 404
    )
    stale = post(
        survivor, {"duplicate_id": str(duplicate.pk), "reason": REASON}, HTTP_IF_MATCH='"99"'
    )
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "precondition_failed"
    assert (
        client.post(
            "/api/v1/children/00000000-0000-4000-8000-000000000000/merge/",
            "{",
            content_type="application/json",
        ).status_code
        == 400
    )
    assert not ChildMerge.objects.exists()
    assert Child.objects.get(pk=duplicate.pk).merged_into is None


def test_a_case_manager_may_not_merge(personas, duplicate, login, client):
    login(personas.manager_sale)
    response = client.post(_url(personas.children["sale"]), {"duplicate_id": str(duplicate.pk), "reason": REASON}, content_type="application/json")  # fmt: skip
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_likely_duplicates(personas, duplicate, login, client, django_assert_max_num_queries):
    login(personas.supervisor_sale)
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/children/duplicates/").json()
    assert body["results"] == [
        {"child_id": str(duplicate.pk), "candidate_id": str(personas.children["sale"].pk),
         "score": body["results"][0]["score"]}
    ]  # fmt: skip
    assert body["results"][0]["score"] >= 0.6 and body["next"] is None
    page = client.get("/api/v1/children/duplicates/?page_size=1").json()
    assert page["results"] and page["next"]
    rest = client.get(page["next"]).json()
    assert rest["results"] == [] and rest["examined"] == 1
    assert client.get("/api/v1/children/duplicates/?page_size=0").status_code == 400
    login(personas.manager_tanger)
    assert client.get("/api/v1/children/duplicates/").status_code == 403
    assert AuditEvent.objects.exists()


def test_a_report_naming_a_merged_record_goes_to_the_survivor(personas, duplicate, login, client):
    from himaya.cases.tests.test_circuit_end_to_end import report_payload
    from himaya.children.services import child_merge

    survivor = personas.children["sale"]
    child_merge(actor=personas.supervisor_sale, survivor_id=survivor.pk, duplicate_id=duplicate.pk, reason=REASON)  # fmt: skip
    login(personas.reception_sale)
    payload = report_payload(children=[{"child_id": str(duplicate.pk)}])
    response = client.post("/api/v1/reports/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert [c["child_id"] for c in response.json()["cases"]] == [str(survivor.pk)]
