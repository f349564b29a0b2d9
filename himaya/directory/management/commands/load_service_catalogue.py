"""Load (or refresh) the service catalogue shipped with the directory."""

from django.core.management.base import BaseCommand, CommandError

from himaya.directory.catalogue import CatalogueError, load_catalogue


class Command(BaseCommand):
    help = "Load the service catalogue (panier de services); an unchanged file is skipped."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="reload an unchanged file")

    def handle(self, *args, force: bool = False, **options):
        try:
            loaded = load_catalogue(force=force)
        except CatalogueError as exc:
            raise CommandError(str(exc)) from None
        if options["verbosity"]:
            self.stdout.write(f"service catalogue: {'loaded' if loaded else 'unchanged'}")
