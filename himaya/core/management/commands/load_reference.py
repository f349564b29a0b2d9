"""Load (or refresh) the territories and code lists shipped with Himaya."""

from django.core.management.base import BaseCommand, CommandError

from himaya.core.reference import ReferenceDataError, load_code_lists, load_geography


class Command(BaseCommand):
    help = "Load the reference geography and the code lists; unchanged files are skipped."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="reload even unchanged files")

    def handle(self, *args, force: bool = False, **options):
        try:
            geo = load_geography(force=force)
            report = load_code_lists(force=force)
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from None
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            f"geography: {'loaded' if geo else 'unchanged'}; code lists: "
            f"{len(report.loaded)} loaded, {len(report.skipped)} unchanged"
        )
