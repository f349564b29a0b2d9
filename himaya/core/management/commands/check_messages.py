"""CI gate: the ar and fr message catalogues are current and complete.

Refreshes the catalogues from the source (makemessages), then fails listing every message
that has no translation or is marked fuzzy, so no user ever sees an untranslated string.
Needs the dev dependencies (polib), as the other CI gates do."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

IGNORE = [".venv/*", "node_modules/*", ".tools/*", "staticfiles/*", "var/*"]


def catalogue_problems(po_path: Path) -> list[str]:
    catalogue = polib.pofile(str(po_path))
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {entry.msgid}")
        elif entry.msgid_plural:
            expected = int(catalogue.metadata["Plural-Forms"].split("nplurals=")[1].split(";")[0])
            forms = [entry.msgstr_plural.get(i, "") for i in range(expected)]
            if not all(forms):
                problems.append(f"missing plural forms: {entry.msgid}")
        elif not entry.msgstr:
            problems.append(f"untranslated: {entry.msgid}")
    return problems


class Command(BaseCommand):
    help = "Refresh the ar/fr catalogues and fail on any missing or fuzzy translation."

    def add_arguments(self, parser):
        parser.add_argument("--no-refresh", action="store_true", help="only check the files")

    def handle(self, *args, no_refresh: bool = False, **options):
        if not no_refresh:
            call_command(
                "makemessages",
                locale=["ar", "fr"],
                ignore_patterns=IGNORE,
                no_obsolete=True,
                verbosity=0,
            )
        problems = []
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                relative = po_path.relative_to(settings.BASE_DIR)
                problems += [f"{relative}: {problem}" for problem in catalogue_problems(po_path)]
        if problems:
            raise CommandError("Missing translations:\n" + "\n".join(problems))
        self.stdout.write("Message catalogues: every ar and fr message is translated.")
