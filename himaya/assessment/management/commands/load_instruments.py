"""Load (or refresh) the assessment instruments of himaya/assessment/data/instruments/."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from himaya.assessment.loader import InstrumentFileError, load_instruments


class Command(BaseCommand):
    help = (
        "Load the assessment instrument files (one YAML file per version). An inconsistent "
        "file is refused with its key and line; a loaded version never changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="files to load (default: the shipped ones)")

    def handle(self, *args, files=(), **options):
        try:
            report = load_instruments([Path(f) for f in files] if files else None)
        except InstrumentFileError as exc:
            raise CommandError(str(exc)) from None
        if options["verbosity"]:
            self.stdout.write(
                f"instruments: {len(report.loaded)} loaded ({', '.join(report.loaded) or '-'}), "
                f"{len(report.unchanged)} unchanged"
            )
