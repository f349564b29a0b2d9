"""Rebuild every indicator aggregate from the case tables (same figures as the refresh)."""

from django.core.management.base import BaseCommand

from himaya.indicators import aggregates


class Command(BaseCommand):
    help = "Rebuild all indicator aggregates from scratch."

    def handle(self, *args, **options):
        state = aggregates.rebuild()
        self.stdout.write(f"aggregates rebuilt: {state.periods} periods in {state.duration_ms} ms")
