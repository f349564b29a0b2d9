"""`manage.py audit_verify`: check the audit hash chain (DP-26); exit status 1 when broken.

Meant for a daily job that alerts on failure. It only reads (it records no event), so it may
run against a read replica.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from django.utils import translation

from himaya.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 and name the first broken event if any."

    def handle(self, *args, **options) -> None:
        result = audit_chain_verify()
        with translation.override("en"):  # operators' output, like Django's own commands
            if result.ok:
                self.stdout.write(f"Audit chain intact: {result.checked} events.")
                return
            where = f" at event #{result.first_broken_id}" if result.first_broken_id else ""
            self.stderr.write(f"Audit chain BROKEN{where}: {result.problem}")
        sys.exit(1)
