import uuid
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from himaya.audit.models import AuditEvent
from himaya.audit.services import audit_record
from himaya.audit.tests.factories import make_auditor, make_outsider, make_user, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("himaya.audit.tests.urls")]
URL = "/api/v1/audit/"
FIELDS = {
    "id",
    "at",
    "actor",
    "role",
    "organisation",
    "action",
    "target_type",
    "target_id",
    "child_id",
    "reason",
    "outcome",
    "ip_address",
    "request_id",
}


@pytest.fixture
def auditor(client):
    user = make_auditor()
    sign_in(client, user)
    return user


def test_auditor_gets_the_envelope(client, auditor):
    worker = make_user("manager.sale", role="case_manager")
    child = uuid.uuid4()
    audit_record(
        actor=worker,
        action="child.read",
        target_type="child",
        target_id=str(child),
        child_id=child,
        reason="hearing today",
    )

    response = client.get(URL, {"target": str(child)})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "next"}
    assert body["next"] is None
    [row] = body["results"]
    assert set(row) == FIELDS
    assert row["actor"] == "manager.sale"
    assert row["role"] == "case_manager"
    assert row["child_id"] == str(child)
    assert row["reason"] == "hearing today"
    assert row["outcome"] == "allowed"
    assert datetime.fromisoformat(row["at"]).utcoffset() is not None  # ISO 8601 with offset


def test_filters(client, auditor):
    alice = make_user("alice", role="case_manager")
    audit_record(actor=alice, action="child.read", target_id="t-1")
    audit_record(actor=alice, action="child.update", target_id="t-2")

    def targets(**params):
        return [row["target_id"] for row in client.get(URL, params).json()["results"]]

    assert targets(actor="alice", action="child.update") == ["t-2"]
    assert targets(actor="alice") == ["t-2", "t-1"]
    assert targets(since="2000-01-01T00:00:00Z", action="child.read") == ["t-1"]
    assert targets(since="2999-01-01T00:00:00+01:00") == []


def test_keyset_pagination_follows_next(client, auditor, django_assert_max_num_queries):
    for n in range(7):
        audit_record(actor=None, action="child.read", target_id=f"t-{n}")

    seen, url, params = [], URL, {"action": "child.read", "page_size": 3}
    while url:
        with django_assert_max_num_queries(14):
            body = client.get(url, params).json()
        seen += [row["target_id"] for row in body["results"]]
        url, params = body["next"], None
        if url:
            assert parse_qs(urlsplit(url).query)["page_size"] == ["3"]

    assert seen == [f"t-{n}" for n in range(6, -1, -1)]


def test_reading_is_audited(client, auditor):
    shown = audit_record(actor=None, action="child.read", target_id="t-1")

    client.get(URL, {"target": "t-1"})

    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.actor, event.interface) == ("audit.search", auditor, "api")
    assert event.data["filters"] == {"target": "t-1"}
    assert event.data["result_ids"] == [shown.id]


def test_non_auditor_is_refused_and_audited(client):
    outsider = make_outsider()
    sign_in(client, outsider)

    response = client.get(URL)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.outcome) == (outsider, "audit.search", "denied")


def test_anonymous_gets_401(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-02-30T10:00:00Z"}, "until"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "201"}, "page_size"),
        ({"page_size": "many"}, "page_size"),
        ({"child": "not-a-uuid"}, "child"),
        ({"action": "Child Read"}, "action"),
        ({"action": "DROP child.read"}, "action"),
        ({"before": "0"}, "before"),
        ({"since": "2026-11-20T10:00:00Z", "until": "2026-11-19T10:00:00Z"}, "until"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(client, auditor, params, field):
    response = client.get(URL, params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert not AuditEvent.objects.filter(action="audit.search").exists()


def test_page_size_up_to_200_is_accepted(client, auditor):
    assert client.get(URL, {"page_size": "200"}).status_code == 200


def test_schema_describes_the_endpoint(client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(urlconf="himaya.audit.tests.urls").get_schema(public=True)
    operation = schema["paths"][URL]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"target", "actor", "since", "until", "action", "child", "page_size", "before"} <= names
    response_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert response_schema["$ref"].endswith("/AuditEventPage")
    assert {"400", "401", "403"} <= set(operation["responses"])
