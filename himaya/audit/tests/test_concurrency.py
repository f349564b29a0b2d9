"""Concurrent writers must never fork the chain: each append locks the chain head."""

import threading

import pytest
from django.db import connection

from himaya.audit.models import AuditChainHead, AuditEvent
from himaya.audit.services import audit_chain_verify, audit_record
from himaya.audit.tests.helpers import append_only_triggers_disabled

WRITERS, EVENTS_EACH = 6, 15


@pytest.fixture
def purge_audit_log_after(transactional_db):
    """Committed audit rows would make the end-of-test flush fail (the triggers refuse it):
    remove them first, stepping around the triggers on purpose."""
    yield
    with append_only_triggers_disabled():
        AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer at a time by construction (IMMEDIATE transactions)",
)
def test_concurrent_appends_form_one_chain(purge_audit_log_after):
    start = threading.Barrier(WRITERS)
    failures = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(EVENTS_EACH):
                audit_record(actor=None, action="child.read", target_id=f"w{n}-{i}")
        except Exception as exc:  # noqa: BLE001 (any failure is reported by the main thread)
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    result = audit_chain_verify()
    assert (result.ok, result.checked) == (True, WRITERS * EVENTS_EACH)
    assert AuditEvent.objects.values("prev_hash").distinct().count() == WRITERS * EVENTS_EACH
