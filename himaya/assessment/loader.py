"""Reading instrument files (one YAML file per version, `data/instruments/`) and loading them
into the database. A file is checked completely before anything is written; an inconsistent
file is refused with a message naming its key and line.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from himaya.assessment import engine

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "data" / "instruments"
META_KEYS = (
    "instrument",
    "version",
    "status",
    "provisional",
    "valid_from",
    "response_standards_version",
    "name",
)
DEFINITION_KEYS = ("tier_a", "dimensions", "derived", "outputs", "levels", "prompts")
STATUSES = ("draft", "active", "retired")


class InstrumentFileError(ValueError):
    """An instrument file is refused; the message names the file, the key and the line."""


@dataclass(frozen=True)
class InstrumentFile:
    code: str
    version: str
    status: str
    provisional: bool
    valid_from: date | None
    response_standards_version: int
    name: dict
    definition: dict
    checksum: str
    source: str


class _Lines:
    """The line of every key of a YAML document, so that errors can point at it."""

    def __init__(self, root: yaml.Node | None):
        self.lines: dict[tuple[str, ...], int] = {}
        if root is not None:
            self._index(root, ())

    def _index(self, node: yaml.Node, path: tuple[str, ...]) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key_path = (*path, str(key_node.value))
                if key_path in self.lines:
                    raise _Located(key_path, "duplicate key", key_node.start_mark.line + 1)
                self.lines[key_path] = key_node.start_mark.line + 1
                self._index(value_node, key_path)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._index(item, (*path, str(index)))

    def line(self, path: tuple[Any, ...]) -> int | None:
        keys = tuple(str(part) for part in path)
        for end in range(len(keys), -1, -1):
            if keys[:end] in self.lines:
                return self.lines[keys[:end]]
        return None


class _Located(Exception):
    def __init__(self, path, message, line):
        super().__init__(message)
        self.path, self.message, self.line = path, message, line


def _fail(name: str, path: tuple[Any, ...], message: str, line: int | None) -> InstrumentFileError:
    where = ".".join(str(p) for p in path) or "(top level)"
    suffix = f" (line {line})" if line else ""
    return InstrumentFileError(f"{name}: {where}: {message}{suffix}")


def read_instrument(path: Path | str, *, text: str | None = None) -> InstrumentFile:
    """Parse and check one instrument file. Refused, naming the key and the line: invalid
    YAML, a duplicate key, a missing or unknown top-level key, a bad status or version, and
    every inconsistency of `engine.check_definition` (a rule naming an unknown dimension,
    levels with a gap...)."""
    path = Path(path)
    name = path.name
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InstrumentFileError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InstrumentFileError(f"{name}: not valid YAML: {exc}") from exc
    try:
        lines = _Lines(root)
    except _Located as exc:
        raise _fail(name, exc.path, exc.message, exc.line) from None
    if not isinstance(data, dict):
        raise _fail(name, (), "expected a mapping", 1)
    for key in data:
        if key not in META_KEYS + DEFINITION_KEYS:
            raise _fail(name, (key,), "unknown key", lines.line((key,)))
    for key in ("instrument", "version", "status", "response_standards_version", "name"):
        if key not in data:
            raise _fail(name, (), f"missing key {key!r}", 1)
    if not isinstance(data["instrument"], str) or not data["instrument"].strip():
        raise _fail(
            name, ("instrument",), "expected the instrument code", lines.line(("instrument",))
        )
    if not isinstance(data["version"], str):
        raise _fail(
            name, ("version",), 'write the version as a string ("0.1")', lines.line(("version",))
        )
    if data["status"] not in STATUSES:
        raise _fail(name, ("status",), "expected draft, active or retired", lines.line(("status",)))
    valid_from = data.get("valid_from")
    if valid_from is not None and not isinstance(valid_from, date):
        raise _fail(name, ("valid_from",), "expected YYYY-MM-DD", lines.line(("valid_from",)))
    standards_version = data["response_standards_version"]
    from himaya.cases import deadlines

    if standards_version != deadlines.load_standards().version:
        raise _fail(
            name,
            ("response_standards_version",),
            f"the response standards in force are version {deadlines.load_standards().version}",
            lines.line(("response_standards_version",)),
        )
    definition = {key: data[key] for key in DEFINITION_KEYS if key in data}
    try:
        engine.check_definition(definition)
        if not isinstance(data["name"], dict) or not all(
            data["name"].get(k) for k in ("ar", "fr", "en")
        ):
            raise engine.DefinitionError(("name",), "expected names in ar, fr and en")
    except engine.DefinitionError as exc:
        raise _fail(name, exc.path, exc.message, lines.line(exc.path)) from None
    # JSON keys are strings: descriptors are stored by str(score) and read back the same way.
    definition = json.loads(json.dumps(definition, default=str))
    checksum = hashlib.sha256(
        json.dumps(
            {k: data[k] for k in data if k != "status"}, sort_keys=True, default=str
        ).encode()
    ).hexdigest()
    return InstrumentFile(
        code=data["instrument"].strip(),
        version=data["version"],
        status=data["status"],
        provisional=bool(data.get("provisional", True)),
        valid_from=valid_from,
        response_standards_version=standards_version,
        name=data["name"],
        definition=definition,
        checksum=checksum,
        source=name,
    )


@dataclass
class LoadReport:
    loaded: list[str]
    unchanged: list[str]


def load_instruments(paths: list[Path] | None = None) -> LoadReport:
    """Load the instrument files (by default every file of `data/instruments/`). All are read
    and checked first; then, in one transaction: a new version is created, a known version
    whose content changed is refused (a published version is immutable), and statuses are
    applied so that each instrument has at most one active version."""
    from himaya.assessment.models import Instrument, InstrumentVersion

    paths = sorted(paths if paths is not None else INSTRUMENTS_DIR.glob("*.yaml"))
    files = [read_instrument(path) for path in paths]
    active: dict[str, str] = {}
    for item in files:
        if item.status == "active":
            if item.code in active:
                raise InstrumentFileError(
                    f"{item.source}: status: {item.code} already has an active version "
                    f"({active[item.code]}); retire one of them"
                )
            active[item.code] = item.version
    report = LoadReport(loaded=[], unchanged=[])
    now = timezone.now()
    with transaction.atomic():
        for item in files:
            instrument, _created = Instrument.objects.get_or_create(
                code=item.code, defaults={"name": item.name}
            )
            if instrument.name != item.name:
                instrument.name = item.name
                instrument.save(update_fields=["name", "updated_at"])
            existing = InstrumentVersion.objects.filter(
                instrument=instrument, version=item.version
            ).first()
            label = f"{item.code} {item.version}"
            if existing is not None and existing.checksum != item.checksum:
                raise InstrumentFileError(
                    f"{item.source}: version {item.version} of {item.code} is already loaded "
                    "with other content; a published version cannot change — give it a new version"
                )
            if item.status == "active":
                InstrumentVersion.objects.filter(instrument=instrument, status="active").exclude(
                    version=item.version
                ).update(status="retired", updated_at=now)
            if existing is None:
                InstrumentVersion.objects.create(
                    instrument=instrument, version=item.version, status=item.status,
                    provisional=item.provisional, valid_from=item.valid_from,
                    response_standards_version=item.response_standards_version,
                    definition=item.definition, checksum=item.checksum, source=item.source,
                    loaded_at=now,
                )  # fmt: skip
                report.loaded.append(label)
            elif existing.status != item.status:
                existing.status = item.status
                existing.save(update_fields=["status", "updated_at"])
                report.loaded.append(label)
            else:
                report.unchanged.append(label)
    return report
