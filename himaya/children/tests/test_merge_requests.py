"""DP-59: a case manager asks for a merge; a supervisor of the record's scope merges (which
answers the request) or declines it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from himaya.accounts.models import Notification
from himaya.audit.models import AuditEvent
from himaya.cases.services import Conflict
from himaya.children import selectors, services
from himaya.children.models import ChildMergeRequest

pytestmark = pytest.mark.django_db
REASON = "Same mother, same birth date, the CAPE met her twice."


def _ask(personas, duplicate, **kwargs):
    values = {"actor": personas.manager_sale, "child_id": personas.children["sale"].pk,
              "duplicate_id": duplicate.pk, "reason": REASON, **kwargs}  # fmt: skip
    return services.child_merge_request(**values)


def test_request_then_merge_answers_it(personas, duplicate):
    asked = _ask(personas, duplicate)
    assert Notification.objects.filter(
        user=personas.supervisor_sale, kind="child_merge_request"
    ).exists()
    assert selectors.merge_requests_pending(personas.supervisor_sale) == [asked]
    assert AuditEvent.objects.filter(action="child.merge_request").count() == 2
    merge = services.child_merge(
        actor=personas.supervisor_sale, survivor_id=personas.children["sale"].pk,
        duplicate_id=duplicate.pk, reason=REASON,
    )  # fmt: skip
    asked.refresh_from_db()
    assert asked.status == "approved" and asked.merge == merge
    assert (
        merge.requested_by == personas.manager_sale
        and merge.approved_by == personas.supervisor_sale
    )
    assert Notification.objects.filter(
        user=personas.manager_sale, kind="child_merge_approved"
    ).exists()
    assert selectors.merge_requests_pending(personas.supervisor_sale) == []


def test_decline(personas, duplicate):
    asked = _ask(personas, duplicate)
    with pytest.raises(ValidationError) as error:
        services.child_merge_request_decline(
            actor=personas.supervisor_sale, request_id=asked.pk, reason="no"
        )
    assert "reason" in error.value.message_dict
    services.child_merge_request_decline(actor=personas.supervisor_sale, request_id=asked.pk, reason="Two sisters, checked with the school.")  # fmt: skip
    asked.refresh_from_db()
    assert asked.status == "declined" and asked.decided_by == personas.supervisor_sale
    assert Notification.objects.filter(
        user=personas.manager_sale, kind="child_merge_declined"
    ).exists()
    with pytest.raises(Conflict):
        services.child_merge_request_decline(actor=personas.supervisor_sale, request_id=asked.pk, reason="Two sisters, checked again.")  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.child_merge_request_decline(actor=personas.manager_sale, request_id=asked.pk, reason="Two sisters, checked again.")  # fmt: skip


def test_who_may_ask_and_about_what(personas, duplicate):
    with pytest.raises(Http404):  # another territory's record
        _ask(personas, duplicate, actor=personas.manager_tanger)
    with pytest.raises(PermissionDenied):  # no such right
        _ask(personas, duplicate, actor=personas.reception_sale)
    with pytest.raises(PermissionDenied):  # in the organisation, not assigned
        _ask(personas, duplicate, actor=personas.evaluator_sale)
    with pytest.raises(ValidationError) as error:
        _ask(personas, duplicate, duplicate_id="00000000-0000-4000-8000-000000000000")
    assert "duplicate_id" in error.value.message_dict
    with pytest.raises(Conflict):
        _ask(personas, personas.children["sale"])
    _ask(personas, duplicate)
    with pytest.raises(Conflict) as refused:
        _ask(personas, duplicate)
    assert refused.value.guard == "already_requested"
    assert ChildMergeRequest.objects.count() == 1


def test_request_pages_and_api(personas, duplicate, login, client):
    survivor = personas.children["sale"]
    login(personas.manager_sale)
    page = client.get(f"/children/{survivor.pk}/merge-request/")
    assert page.status_code == 200 and f'value="{duplicate.pk}"' in page.content.decode()
    assert client.post(f"/children/{survivor.pk}/merge-request/", {"duplicate_id": str(duplicate.pk), "reason": "x"}).status_code == 400  # fmt: skip
    assert client.post(f"/children/{survivor.pk}/merge-request/", {"duplicate_id": str(duplicate.pk), "reason": REASON}).status_code == 302  # fmt: skip
    again = client.post(f"/api/v1/children/{survivor.pk}/merge-requests/", {"duplicate_id": str(duplicate.pk), "reason": REASON}, content_type="application/json")  # fmt: skip
    assert again.status_code == 409 and again.json()["error"]["fields"]["guard"] == [
        "already_requested"
    ]
    asked = ChildMergeRequest.objects.get()
    login(personas.supervisor_sale)
    listing = client.get("/children/duplicates/").content.decode()
    assert f"/children/{survivor.pk}/merge/{duplicate.pk}/?request={asked.pk}" in listing
    assert client.get("/api/v1/merge-requests/").json()["results"][0]["id"] == str(asked.pk)
    merged = client.post(
        f"/children/{survivor.pk}/merge/{duplicate.pk}/?request={asked.pk}",
        {"reason": REASON, "survivor_version": survivor.version, "duplicate_version": duplicate.version, "merge_request": str(asked.pk)},
    )  # fmt: skip
    assert merged.status_code == 302
    asked.refresh_from_db()
    assert asked.status == "approved"
    declined = client.post(f"/api/v1/merge-requests/{asked.pk}/decline/", {"reason": "Too late now, merged."}, content_type="application/json")  # fmt: skip
    assert declined.status_code == 409 and declined.json()["error"]["fields"]["guard"] == [
        "request_decided"
    ]


def test_decline_page(personas, duplicate, login, client):
    asked = _ask(personas, duplicate)
    login(personas.supervisor_sale)
    assert client.get(f"/children/merge-requests/{asked.pk}/decline/").status_code == 200
    assert client.post(f"/children/merge-requests/{asked.pk}/decline/", {"reason": "Two sisters, checked."}).status_code == 302  # fmt: skip
    asked.refresh_from_db()
    assert asked.status == "declined"
