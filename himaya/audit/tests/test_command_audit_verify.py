from io import StringIO

import pytest
from django.core.management import call_command

from himaya.audit.services import audit_record
from himaya.audit.tests.helpers import append_only_triggers_disabled, raw_execute

pytestmark = pytest.mark.django_db


def _run():
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    return status, out.getvalue(), err.getvalue()


def test_intact_chain_exits_zero():
    for _ in range(3):
        audit_record(actor=None, action="auth.login")

    status, out, err = _run()

    assert (status, out.strip(), err) == (0, "Audit chain intact: 3 events.", "")


def test_broken_chain_exits_one_and_names_the_event():
    for _ in range(4):
        audit_record(actor=None, action="auth.login")
    with append_only_triggers_disabled():
        raw_execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["auth.logout", 2])

    status, out, err = _run()

    assert status == 1
    assert out == ""
    assert err.strip() == (
        "Audit chain BROKEN at event #2: its content does not match its hash: it was edited"
    )


def test_message_is_english_whatever_the_default_language(settings):
    settings.LANGUAGE_CODE = "ar"
    audit_record(actor=None, action="auth.login")
    with append_only_triggers_disabled():
        raw_execute("DELETE FROM audit_auditevent WHERE id = %s", [1])

    status, _out, err = _run()

    assert status == 1
    assert err.strip() == (
        "Audit chain BROKEN at event #1: event #1 recorded by the chain head is missing: "
        "it was deleted"
    )
