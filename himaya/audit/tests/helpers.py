"""Test helpers that step around the append-only triggers on purpose, to simulate tampering."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


def fire_deferred_constraint_checks() -> None:
    """PostgreSQL refuses ALTER TABLE or TRUNCATE on a table with pending trigger events, and
    the foreign-key checks of rows inserted earlier in the test's transaction are deferred:
    run them now (SET CONSTRAINTS ALL IMMEDIATE, then back to DEFERRED)."""
    connection.check_constraints()


@contextmanager
def append_only_triggers_disabled():
    """Lift the triggers of migration 0002 for the duration of the block, then restore them.

    PostgreSQL: DISABLE/ENABLE TRIGGER USER. SQLite has no such switch: the triggers are
    dropped and re-created from their own stored SQL (sqlite_master), so this helper never
    holds a second copy of the trigger definitions that could drift from the migration."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            fire_deferred_constraint_checks()
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            saved = []
        elif vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'"
            )
            saved = cursor.fetchall()
            for name, _sql in saved:
                cursor.execute(f'DROP TRIGGER "{name}"')
        else:
            raise NotImplementedError(vendor)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                fire_deferred_constraint_checks()
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            else:
                for _name, sql in saved:
                    cursor.execute(sql)


def raw_execute(sql: str, params: list | tuple = ()) -> None:
    """Run SQL as a tamperer would, beside the ORM and the audit service."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
