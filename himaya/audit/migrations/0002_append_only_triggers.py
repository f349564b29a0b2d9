"""Audit events are append-only in the database itself (DP-26): UPDATE, DELETE and TRUNCATE of
audit_auditevent raise "audit events are append-only", whatever the code that tries.

This is a safety net under the application, not the access control DP-26 asks for: in
production the application's database role must also hold INSERT only on this table (a
deployment grant), since the table owner can drop a trigger. audit_auditchainhead is not
protected: audit_record updates it on every append.

SQLite: Django rebuilds a table for most ALTERs and the rebuild silently drops its triggers,
so a later migration that alters AuditEvent must create these triggers again (the test
`test_append_only.py` fails if they are gone).
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only';
    END;
    $$
    """,
    # TRUNCATE of an empty table changes nothing, and is what `manage.py flush` and Django's
    # transactional tests issue for every table at once: refuse it only when rows exist.
    """
    CREATE OR REPLACE FUNCTION audit_event_no_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM audit_auditevent) THEN
            RAISE EXCEPTION 'audit events are append-only';
        END IF;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_event_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
    """
    CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_no_truncate()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_event_no_update_delete ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_event_no_truncate()",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]

# SQLite has no TRUNCATE: "DELETE FROM t" without WHERE fires the DELETE trigger per row.
SQLITE_FORWARD = [
    """
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END
    """,
    """
    CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]

STATEMENTS = {
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_REVERSE),
    "sqlite": (SQLITE_FORWARD, SQLITE_REVERSE),
}


def _run(schema_editor, index: int) -> None:
    # Other databases get no trigger: the hash chain still reveals any change.
    statements = STATEMENTS.get(schema_editor.connection.vendor)
    if statements:
        for sql in statements[index]:
            schema_editor.execute(sql)


def create_triggers(apps, schema_editor):
    _run(schema_editor, 0)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
