"""Deterministic, idempotent demo data: every app adds its part in its own `demo.py`.

Each `himaya.<app>.demo` module exposes `seed(ctx: DemoContext) -> None`; they run in the order
of INSTALLED_APPS, so an app may rely on the demo data of the apps listed before it. Running
the command again changes nothing but the personas' passwords.
"""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from himaya.core.demo import DemoContext


class Command(BaseCommand):
    help = "Load reference data and the demo organisations, personas and cases."

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True, help="password given to every persona")

    def handle(self, *args, password: str, **options):
        if len(password) < 12:
            raise CommandError("--password must have at least 12 characters.")
        ctx = DemoContext(password=password, stdout=self.stdout)
        with transaction.atomic():
            for config in apps.get_app_configs():
                if not config.name.startswith("himaya."):
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name == f"{config.name}.demo":
                        continue
                    raise
                module.seed(ctx)
        ctx.print_summary()
