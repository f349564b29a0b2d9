"""Recompute the aggregate tables of the indicators: the years touched since the last run
(cron: every few minutes), or everything with --rebuild."""

from django.core.management.base import BaseCommand

from himaya.indicators import aggregates


class Command(BaseCommand):
    help = "Refresh the indicator aggregates (incremental), or rebuild them all with --rebuild."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute every period")

    def handle(self, *args, rebuild: bool = False, **options):
        state = aggregates.rebuild() if rebuild else aggregates.refresh()
        kind = "rebuilt" if state.full else "refreshed"
        self.stdout.write(f"aggregates {kind}: {state.periods} periods in {state.duration_ms} ms")
