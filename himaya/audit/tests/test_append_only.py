"""The database itself refuses to change or remove audit events (migration 0002)."""

import pytest
from django.db import DatabaseError, connection, transaction

from himaya.audit.models import AuditChainHead, AuditEvent
from himaya.audit.services import audit_record
from himaya.audit.tests.helpers import (
    append_only_triggers_disabled,
    fire_deferred_constraint_checks,
    raw_execute,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return audit_record(actor=None, action="child.read", target_id="t-1")


def _refused(operation) -> str:
    # A savepoint, so PostgreSQL's aborted transaction does not spoil the rest of the test.
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        operation()
    return str(caught.value)


def test_orm_update_is_refused(event):
    message = _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(reason="changed"))
    assert "append-only" in message
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_model_save_of_an_existing_event_is_refused(event):
    event.reason = "changed"
    assert "append-only" in _refused(event.save)


def test_orm_delete_is_refused(event):
    assert "append-only" in _refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    assert "append-only" in _refused(event.delete)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_delete_of_every_row_is_refused(event):
    assert "append-only" in _refused(lambda: raw_execute("DELETE FROM audit_auditevent"))
    assert AuditEvent.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL")
def test_truncate_is_refused_on_postgresql(event):
    fire_deferred_constraint_checks()  # else PostgreSQL refuses for another reason
    assert "append-only" in _refused(lambda: raw_execute("TRUNCATE audit_auditevent"))
    assert AuditEvent.objects.count() == 1


def test_the_chain_head_stays_updatable(event):
    assert AuditChainHead.objects.filter(pk=1).update(last_id=event.id) == 1


def test_bypass_helper_restores_the_triggers(event):
    with append_only_triggers_disabled():
        AuditEvent.objects.filter(pk=event.pk).update(reason="tampered")
    assert "append-only" in _refused(
        lambda: AuditEvent.objects.filter(pk=event.pk).update(reason="again")
    )
