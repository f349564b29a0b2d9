"""Printable documents of a case: the case file and the report to the King's Prosecutor.

Both are rendered from plain, already-formatted data (no model, no query), so a service can
build the data inside its own scoping and audit (DP-30, DP-31) and this module stays testable
without a database. Every page carries the "Confidential" mark, the case number and the
export watermark (user, date, export id) of DP-32 in its running header and footer.

Rendering is HTML (Django templates, in the recipient's language) to PDF with WeasyPrint;
Pango and HarfBuzz shape Arabic and lay it out right to left. Fonts come from fontconfig
(Amiri for Arabic, DejaVu Sans for Latin): nothing is fetched from the network.
"""

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import weasyprint
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "cases" / "pdf"

# The languages a document can be printed in; the letter goes out in the recipient's.
LANGUAGES = ("ar", "fr", "en")
RTL_LANGUAGES = frozenset({"ar"})


@dataclass(frozen=True)
class CaseFileData:
    """A case as printed: every value already formatted and translated by the caller."""

    number: str
    child_name_ar: str
    child_name_lat: str
    sex_label: str
    birth_date: str | None
    age_label: str
    territory: str
    organisation: str
    stage_label: str
    risk_level_label: str
    opened_at: str
    case_manager: str
    concerns: list[str]
    timeline: list[tuple[str, str]]  # (when, what)
    plan_actions: list[tuple[str, str, str]]  # (service, due, status)
    judicial: list[tuple[str, str]]  # (label, value)
    generated_by: str
    generated_at: str
    export_id: str


@dataclass(frozen=True)
class ProsecutorLetterData:
    """A report to the King's Prosecutor (circuit.md §4.4, §7.1), as printed."""

    number: str
    court: str
    date: str
    sender_org: str
    sender_name: str
    child_name_ar: str
    child_name_lat: str
    birth_date: str | None
    facts: str
    concerns: list[str]
    reference: str | None
    generated_by: str
    generated_at: str
    export_id: str


def render_case_file(data: CaseFileData, *, language: str) -> bytes:
    """The case file as a PDF: identity, stage and level, concerns, plan, judicial track and
    timeline."""
    return _render_pdf("cases/pdf/case_file.html", data, language=language)


def render_prosecutor_letter(data: ProsecutorLetterData, *, language: str) -> bytes:
    """The formal report of a child in danger to the King's Prosecutor at the court of first
    instance, as a PDF in the prosecutor's language (usually Arabic or French)."""
    return _render_pdf("cases/pdf/prosecutor_letter.html", data, language=language)


def _render_pdf(
    template_name: str, data: CaseFileData | ProsecutorLetterData, *, language: str
) -> bytes:
    if language not in LANGUAGES:
        raise ValueError(f"Unsupported document language: {language!r}")
    with translation.override(language):
        html = render_to_string(
            template_name,
            {
                "data": _bidi_isolated(data),
                "meta": data,  # the raw values, for the PDF's metadata (title, author)
                "facts": _text_blocks(data.facts) if isinstance(data, ProsecutorLetterData) else [],
                "language": language,
                "direction": "rtl" if language in RTL_LANGUAGES else "ltr",
                "page_of_pages": _page_of_pages(),
            },
        )
    document = weasyprint.HTML(
        string=html,
        # The stylesheet is linked relative to the templates; only local files may be read,
        # so an export can never reach the network.
        base_url=TEMPLATE_DIR.as_uri() + "/",
        url_fetcher=weasyprint.URLFetcher(allowed_protocols={"file"}),
    )
    return document.write_pdf()


# Unicode bidi isolates (FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE). WeasyPrint has no
# `unicode-bidi: isolate`, but Pango honours the characters, and they are invisible.
_FSI, _PDI = "\u2068", "\u2069"
# Fields printed as paragraphs of their own rather than inside a sentence or a cell.
_BLOCK_TEXT_FIELDS = frozenset({"facts"})


def _isolate[T](value: T) -> T:
    if isinstance(value, str):
        # An empty value stays empty, so `{% if %}` and `|default` still see it as missing.
        # A right-to-left value is left alone: an isolate splits the shaping run, and Arabic
        # translations join letters to the value ("ب%(court)s" must print بسلا, not ب سلا).
        if not value or _starts_right_to_left(value):
            return value
        return f"{_FSI}{value}{_PDI}"  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(_isolate(item) for item in value)  # type: ignore[return-value]
    if isinstance(value, list):
        return [_isolate(item) for item in value]  # type: ignore[return-value]
    return value


def _first_strong_direction(text: str) -> str:
    """The direction ("rtl" or "ltr") of the first letter that has one; "" if none has."""
    for character in text:
        direction = unicodedata.bidirectional(character)
        if direction in ("R", "AL"):
            return "rtl"
        if direction == "L":
            return "ltr"
    return ""


def _starts_right_to_left(text: str) -> bool:
    return _first_strong_direction(text) == "rtl"


def _text_blocks(text: str) -> list[list[tuple[str, str]]]:
    """Free text as paragraphs (split on blank lines) of lines, each line with its direction.

    Staff write the facts in Arabic or in French whatever the letter's language, so each line
    takes the direction of its own first letter (what `dir="auto"` would do, which WeasyPrint
    lacks): a French line keeps its punctuation in place inside an Arabic letter."""
    paragraphs = re.split(r"\n\s*\n", text.strip().replace("\r\n", "\n"))
    return [
        [(_first_strong_direction(line), line) for line in paragraph.split("\n") if line.strip()]
        for paragraph in paragraphs
        if paragraph.strip()
    ]


def _bidi_isolated[D: (CaseFileData, ProsecutorLetterData)](data: D) -> D:
    """The data with every left-to-right or neutral inline value wrapped in a bidi isolate.

    Without it, a value's direction leaks into the translated sentence around it: after
    Arabic words the digits of "2026-11-22" become Arabic numbers, the hyphens stop joining
    them, and the date prints as "22-11-2026"; a date and a time print in reverse order."""
    return dataclasses.replace(
        data,
        **{
            field.name: _isolate(getattr(data, field.name))
            for field in dataclasses.fields(data)
            if field.name not in _BLOCK_TEXT_FIELDS
        },
    )


_PAGE_PLACEHOLDER = re.compile(r"%\((page|pages)\)s")


def _page_of_pages() -> list[tuple[str, str]]:
    """The translated "Page X of Y" split into text and counters, because the numbers exist
    only at layout time (CSS `counter(page)`, `counter(pages)`) while the word order belongs
    to the translation."""
    # Translators: page footer of printed documents; both numbers are filled in at layout.
    pattern = gettext("Page %(page)s of %(pages)s")
    parts: list[tuple[str, str]] = []
    position = 0
    for match in _PAGE_PLACEHOLDER.finditer(pattern):
        if match.start() > position:
            parts.append(("text", pattern[position : match.start()]))
        parts.append((match.group(1), ""))
        position = match.end()
    if position < len(pattern):
        parts.append(("text", pattern[position:]))
    return parts
