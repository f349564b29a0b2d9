import uuid
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import RequestFactory

from himaya.accounts.models import Membership
from himaya.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from himaya.audit.services import AuditChainError, audit_chain_verify, audit_record, event_hash
from himaya.audit.tests.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db


def _request(path="/children/", **meta):
    request = RequestFactory().get(path, **meta)
    request.request_id = "req-12345678"
    return request


def test_events_link_into_a_chain():
    first = audit_record(actor=None, action="auth.login_failed")
    second = audit_record(actor=None, action="auth.login_failed")
    third = audit_record(actor=None, action="auth.login_failed")

    assert [first.id, second.id, third.id] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    head = AuditChainHead.objects.get()
    assert (head.last_id, head.last_hash) == (3, third.hash)


def test_hash_covers_every_field_and_the_previous_hash():
    event = audit_record(actor=None, action="child.read", target_id="abc", data={"n": 1})
    stored = AuditEvent.objects.values().get(pk=event.pk)
    assert event_hash(stored) == event.hash
    assert event_hash({**stored, "target_id": "abd"}) != event.hash
    assert event_hash({**stored, "data": {"n": 2}}) != event.hash
    assert event_hash({**stored, "prev_hash": "1" * 64}) != event.hash


def test_actor_roles_organisation_and_request_are_recorded():
    ministry = make_organisation("ministry-a")
    user = make_user("auditor.one", role="auditor", organisation=ministry)
    Membership.objects.create(
        user=user, organisation=ministry, role="statistician", scope="national"
    )
    child_id = uuid.uuid4()

    event = audit_record(
        actor=user,
        action="child.read",
        target_type="child",
        target_id=str(child_id),
        child_id=str(child_id),
        reason="hearing today",
        request=_request(REMOTE_ADDR="10.1.2.3"),
    )

    event.refresh_from_db()
    assert event.actor == user
    assert event.actor_username == "auditor.one"
    assert event.role == "auditor,statistician"
    assert (event.organisation_id, event.organisation_code) == (ministry.id, "ministry-a")
    assert event.child_id == child_id
    assert event.ip_address == "10.1.2.3"
    assert event.request_id == "req-12345678"
    assert event.interface == "web"
    assert event.outcome == "allowed"
    assert event.at.tzinfo is not None


def test_anonymous_actor_is_recorded_without_user():
    event = audit_record(actor=AnonymousUser(), action="auth.login_failed", outcome="denied")
    assert event.actor is None
    assert event.actor_username == ""
    assert event.role == ""
    assert event.interface == "cli"


def test_interface_follows_the_path_unless_given():
    assert (
        audit_record(actor=None, action="a.b", request=_request("/api/v1/children/")).interface
        == "api"
    )
    assert audit_record(actor=None, action="a.b", request=_request("/children/")).interface == "web"
    assert audit_record(actor=None, action="a.b", interface="api").interface == "api"


def test_forwarded_for_is_ignored_unless_trusted(settings):
    request = _request(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7")
    assert audit_record(actor=None, action="a.b", request=request).ip_address == "10.0.0.1"

    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    # The right-most entry is the one our own proxy appended; the client wrote the rest.
    assert audit_record(actor=None, action="a.b", request=request).ip_address == "192.0.2.7"


def test_ipv6_addresses_keep_the_chain_verifiable():
    audit_record(actor=None, action="a.b", request=_request(REMOTE_ADDR="2001:DB8:0:0:0:0:0:1"))
    audit_record(actor=None, action="a.b", request=_request(REMOTE_ADDR="::ffff:192.0.2.1"))
    audit_record(actor=None, action="a.b", request=_request(REMOTE_ADDR="not-an-ip"))

    assert list(AuditEvent.objects.order_by("id").values_list("ip_address", flat=True)) == [
        "2001:db8::1",
        "192.0.2.1",
        None,
    ]
    assert audit_chain_verify().ok


def test_data_round_trips_through_the_database_with_the_same_hash():
    audit_record(
        actor=None,
        action="org.update",
        data={
            "changes": {"name_fr": ["Ancien", "Nouveau"], "ratio": [0.1, 1e20]},
            "when": datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
            "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "arabic": "حماية",
        },
    )
    event = AuditEvent.objects.get()
    assert event.data["when"] == "2026-11-20T09:30:00Z"
    assert event.data["changes"]["ratio"] == ["0.1", "1e+20"]
    assert audit_chain_verify().ok


@pytest.mark.parametrize("action", ["", None, 42, "Child.Read", "child", "child read", "x" * 61])
def test_bad_actions_are_refused(action):
    with pytest.raises(ValueError):
        audit_record(actor=None, action=action)
    assert not AuditEvent.objects.exists()


def test_bad_outcome_and_interface_are_refused():
    with pytest.raises(ValueError):
        audit_record(actor=None, action="a.b", outcome="maybe")
    with pytest.raises(ValueError):
        audit_record(actor=None, action="a.b", interface="fax")
    with pytest.raises(ValueError):
        audit_record(actor=None, action="a.b", target_id="x" * 65)


def test_head_missing_with_events_refuses_to_restart_the_chain():
    audit_record(actor=None, action="a.b")
    AuditChainHead.objects.all().delete()

    with pytest.raises(AuditChainError):
        audit_record(actor=None, action="a.b")


def test_audit_event_rolls_back_with_the_write_it_belongs_to():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="child.create")
        raise RuntimeError("the write failed after its audit event")

    assert not AuditEvent.objects.exists()
    assert audit_record(actor=None, action="child.create").id == 1
