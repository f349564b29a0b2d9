import pytest
from django.utils import translation

from himaya.audit import services
from himaya.audit.models import AuditChainHead, AuditEvent
from himaya.audit.services import audit_chain_verify, audit_record, event_hash
from himaya.audit.tests.helpers import append_only_triggers_disabled, raw_execute

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The problems are worded in the active language; these tests read the English."""
    with translation.override("en"):
        yield


@pytest.fixture
def five_events():
    return [
        audit_record(actor=None, action="child.read", target_id=f"target-{n}", data={"n": n})
        for n in range(1, 6)
    ]


def _forge(event_id: int, prev_hash: str, hash_: str | None = None) -> AuditEvent:
    """Insert a row behind the audit service's back, with a well-formed hash by default."""
    template = AuditEvent.objects.values().get(pk=1)
    values = {**template, "id": event_id, "prev_hash": prev_hash, "reason": "forged"}
    values["hash"] = hash_ or event_hash(values)
    return AuditEvent.objects.create(**values)


def test_empty_log_is_intact():
    assert audit_chain_verify() == services.VerifyResult(ok=True, checked=0)


def test_intact_chain_verifies(five_events):
    result = audit_chain_verify()
    assert (result.ok, result.checked) == (True, 5)
    assert (result.first_broken_id, result.problem) == (None, "")


def test_verification_streams_in_chunks(five_events, monkeypatch):
    monkeypatch.setattr(services, "VERIFY_CHUNK_SIZE", 2)
    assert audit_chain_verify().checked == 5


def test_edited_row_is_named(five_events):
    with append_only_triggers_disabled():
        raw_execute("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["covered up", 3])

    result = audit_chain_verify()
    assert not result.ok
    assert result.first_broken_id == 3
    assert result.checked == 2
    assert "edited" in result.problem


def test_edited_hash_field_is_named(five_events):
    with append_only_triggers_disabled():
        raw_execute("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["a" * 64, 2])

    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id) == (False, 2)


def test_row_rewritten_with_a_recomputed_hash_breaks_the_next_link(five_events):
    row = AuditEvent.objects.values().get(pk=3)
    new_hash = event_hash({**row, "reason": "covered up"})
    with append_only_triggers_disabled():
        raw_execute(
            "UPDATE audit_auditevent SET reason = %s, hash = %s WHERE id = %s",
            ["covered up", new_hash, 3],
        )

    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id) == (False, 4)
    assert "#3" in result.problem


def test_deleted_row_is_found(five_events):
    with append_only_triggers_disabled():
        raw_execute("DELETE FROM audit_auditevent WHERE id = %s", [3])

    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id, result.checked) == (False, 4, 2)
    assert result.problem == "event #3 before it is missing: it was deleted"


def test_deleted_first_row_is_found(five_events):
    with append_only_triggers_disabled():
        raw_execute("DELETE FROM audit_auditevent WHERE id = %s", [1])

    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id) == (False, 2)


def test_deleted_last_rows_are_found_against_the_head(five_events):
    with append_only_triggers_disabled():
        raw_execute("DELETE FROM audit_auditevent WHERE id >= %s", [4])

    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id, result.checked) == (False, 4, 3)
    assert "#4 to #5" in result.problem


def test_replaced_row_is_found(five_events):
    """Delete event 3 and insert a forged event 3 that links correctly to event 2."""
    with append_only_triggers_disabled():
        raw_execute("DELETE FROM audit_auditevent WHERE id = %s", [3])
    _forge(3, prev_hash=five_events[1].hash)

    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id) == (False, 4)


def test_inserted_row_with_a_bad_hash_is_named(five_events):
    _forge(6, prev_hash=five_events[-1].hash, hash_="b" * 64)

    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id) == (False, 6)


def test_inserted_row_with_a_well_formed_hash_is_found_past_the_head(five_events):
    _forge(6, prev_hash=five_events[-1].hash)

    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id, result.checked) == (False, 6, 5)
    assert "inserted" in result.problem


def test_inserted_row_far_past_the_head_is_named(five_events):
    _forge(40, prev_hash="c" * 64)

    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id) == (False, 40)


def test_head_mismatch_is_found(five_events):
    AuditChainHead.objects.filter(pk=1).update(last_hash="f" * 64)

    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id, result.checked) == (False, 5, 5)
    assert result.problem == "the chain head does not match this event"


def test_missing_head_is_found(five_events):
    AuditChainHead.objects.all().delete()

    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id) == (False, 1)
    assert result.problem == "the chain head is missing"
