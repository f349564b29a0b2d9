"""Daily escalation of overdue tasks, for cron (see docs/features/circuit.md). Idempotent: a
second run the same day notifies nobody twice."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from himaya.cases.escalation import escalate_overdue


class Command(BaseCommand):
    help = "Notify assignees, supervisors and judicial liaisons of newly overdue tasks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", help="run as of this ISO 8601 time with offset (tests and replays)"
        )

    def handle(self, *args, now: str | None = None, **options):
        when = None
        if now:
            when = parse_datetime(now)
            if when is None or when.tzinfo is None:
                raise CommandError("--now must be an ISO 8601 time with its offset")
        result = escalate_overdue(now=when)
        if options["verbosity"]:
            self.stdout.write(
                f"{result.tasks} overdue task(s) escalated, {result.notifications} notification(s)"
            )
