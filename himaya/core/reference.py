"""Load the reference data shipped in `himaya/core/data/` into the database.

Geography comes from the HCP files (`data/geo/*.csv`), code lists from one YAML file per list
(`data/codes/*.yaml`). Loading is idempotent: a file whose content hash is already recorded is
skipped, so a second run costs one query per file. A code that disappears from its file is
retired, never deleted (codes.md §0); a locked code cannot disappear.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction

from himaya.core import codes as code_api
from himaya.core.models import Code, CodeList, Commune, Province, ReferenceDataset, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
GEO_DIR = DATA_DIR / "geo"
CODES_DIR = DATA_DIR / "codes"
LANGUAGES = ("en", "fr", "ar")
CODE_KEYS = {"code", "en", "fr", "ar", "locked", "ar_to_verify", "parent", "attrs"}


class ReferenceDataError(Exception):
    """A shipped data file is inconsistent; the message names the file and the entry."""


@dataclass
class LoadReport:
    loaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _sha256(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _unchanged(name: str, sha: str, force: bool) -> bool:
    return not force and ReferenceDataset.objects.filter(name=name, sha256=sha).exists()


def _mark_loaded(name: str, sha: str) -> None:
    ReferenceDataset.objects.update_or_create(name=name, defaults={"sha256": sha})


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _int_or_none(value: str) -> int | None:
    return int(value) if value.strip() else None


def _upsert(model, rows: Iterable[dict], fields: list[str]) -> None:
    """Insert new rows and update changed ones, in bulk, keyed by primary key."""
    rows = list(rows)
    existing = model.objects.in_bulk([row["pk"] for row in rows])
    to_create, to_update = [], []
    for row in rows:
        values = {name: row[name] for name in fields}
        current = existing.get(row["pk"])
        if current is None:
            to_create.append(model(pk=row["pk"], **values))
        elif any(getattr(current, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(current, name, value)
            to_update.append(current)
    model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=500)


def load_geography(*, force: bool = False) -> bool:
    """Regions, the 83 territories (75 prefectures/provinces + 8 prefectures of arrondissements
    of Casablanca) and the 1,503 communes. Returns whether anything was (re)loaded."""
    paths = [GEO_DIR / "regions.csv", GEO_DIR / "provinces.csv", GEO_DIR / "communes.csv"]
    prefixes_path = GEO_DIR / "case_prefixes.csv"
    sha = _sha256(*paths, prefixes_path)
    if _unchanged("geo", sha, force):
        return False
    regions, provinces, communes = (_read_csv(path) for path in paths)
    prefixes = {row["code"]: row["prefix"] for row in _read_csv(prefixes_path)}
    with transaction.atomic():
        _upsert(
            Region,
            (
                {
                    "pk": r["code"],
                    "name_fr": r["name_fr"],
                    "name_ar": r["name_ar"],
                    "population_2024": int(r["population_2024"]),
                    "households_2024": int(r["households_2024"]),
                }
                for r in regions
            ),
            ["name_fr", "name_ar", "population_2024", "households_2024"],
        )
        province_fields = [
            "name_fr",
            "name_ar",
            "type",
            "region_id",
            "population_2024",
            "households_2024",
        ]
        _upsert(
            Province,
            (
                {
                    "pk": p["code"],
                    "name_fr": p["name_fr"],
                    "name_ar": p["name_ar"],
                    "type": p["type"],
                    "region_id": p["region_code"],
                    "population_2024": int(p["population_2024"]),
                    "households_2024": int(p["households_2024"]),
                    "case_prefix": prefixes[p["code"]],
                }
                for p in provinces
            ),
            [*province_fields, "case_prefix"],
        )
        # Prefectures of arrondissements (06.141.01.x0) lie inside their prefecture (06.141).
        _upsert(
            Province,
            (
                {"pk": p["code"], "parent_id": ".".join(p["code"].split(".")[:2])}
                for p in provinces
                if p["type"] == Province.Type.PREFECTURE_OF_ARRONDISSEMENTS
            ),
            ["parent_id"],
        )
        _upsert(
            Commune,
            (
                {
                    "pk": c["code"],
                    "name_fr": c["name_fr"],
                    "name_ar": c["name_ar"],
                    "type": c["type"],
                    "province_id": c["province_code"],
                    "cercle_code": c["cercle_code"],
                    "population_2024": _int_or_none(c["population_2024"]),
                    "households_2024": _int_or_none(c["households_2024"]),
                }
                for c in communes
            ),
            [
                "name_fr",
                "name_ar",
                "type",
                "province_id",
                "cercle_code",
                "population_2024",
                "households_2024",
            ],
        )
        _mark_loaded("geo", sha)
    return True


def parse_code_file(path: Path) -> dict:
    """Read and check one code-list file; every problem names the file and the entry."""
    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ReferenceDataError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{where}: expected a mapping with list, version, labels, codes")
    if data.get("list") != path.stem:
        raise ReferenceDataError(
            f"{where}: 'list' must be {path.stem!r}, found {data.get('list')!r}"
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ReferenceDataError(f"{where}: 'version' must be a positive integer")
    labels = data.get("labels") or {}
    if not all(isinstance(labels.get(lang), str) and labels[lang].strip() for lang in LANGUAGES):
        raise ReferenceDataError(f"{where}: 'labels' needs non-empty en, fr and ar")
    entries = data.get("codes")
    if not isinstance(entries, list) or not entries:
        raise ReferenceDataError(f"{where}: 'codes' must be a non-empty list")
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ReferenceDataError(f"{where}: entry {index} is not a mapping")
        code = entry.get("code")
        if not isinstance(code, str | int) or isinstance(code, bool) or not str(code).strip():
            raise ReferenceDataError(f"{where}: entry {index} has no code")
        code = entry["code"] = str(code)
        if not code.isascii():
            raise ReferenceDataError(f"{where}: code {code!r} must be ASCII")
        if code in seen:
            raise ReferenceDataError(f"{where}: code {code!r} appears twice")
        seen.add(code)
        unknown = set(entry) - CODE_KEYS
        if unknown:
            raise ReferenceDataError(f"{where}: code {code!r} has unknown keys {sorted(unknown)}")
        for lang in LANGUAGES:
            if not isinstance(entry.get(lang), str) or not entry[lang].strip():
                raise ReferenceDataError(f"{where}: code {code!r} has no {lang} label")
        if not isinstance(entry.get("attrs", {}), dict):
            raise ReferenceDataError(f"{where}: code {code!r}: attrs must be a mapping")
    return data


def _json_safe(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def _store_code_list(data: dict) -> None:
    name = data["list"]
    code_list, _created = CodeList.objects.update_or_create(
        name=name,
        defaults={
            "version": data["version"],
            **{f"label_{lang}": data["labels"][lang] for lang in LANGUAGES},
        },
    )
    existing = {c.code: c for c in Code.objects.filter(code_list=code_list)}
    in_file = set()
    fields = [
        "label_en",
        "label_fr",
        "label_ar",
        "sort_order",
        "active",
        "locked",
        "ar_to_verify",
        "parent_code",
        "attrs",
    ]
    to_create, to_update = [], []
    for order, entry in enumerate(data["codes"], start=1):
        in_file.add(entry["code"])
        values = {
            "label_en": entry["en"].strip(),
            "label_fr": entry["fr"].strip(),
            "label_ar": entry["ar"].strip(),
            "sort_order": order * 10,
            "active": True,
            "locked": bool(entry.get("locked", False)),
            "ar_to_verify": bool(entry.get("ar_to_verify", False)),
            "parent_code": str(entry.get("parent", "") or ""),
            "attrs": {k: _json_safe(v) for k, v in (entry.get("attrs") or {}).items()},
        }
        current = existing.get(entry["code"])
        if current is None:
            to_create.append(Code(code_list=code_list, code=entry["code"], **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            to_update.append(current)
    for code, current in existing.items():
        if code not in in_file and current.active:
            if current.locked:
                raise ReferenceDataError(
                    f"{name}.yaml: locked code {code!r} cannot be removed (business rules use it)"
                )
            current.active = False  # retired: stays valid for the records that used it
            to_update.append(current)
    Code.objects.bulk_create(to_create)
    if to_update:
        Code.objects.bulk_update(to_update, fields)


def load_code_lists(*, force: bool = False, directory: Path = CODES_DIR) -> LoadReport:
    """Load every `<list>.yaml` of `directory`; all files are checked before any is stored."""
    report = LoadReport()
    parsed = []
    for path in sorted(directory.glob("*.yaml")):
        data = parse_code_file(path)
        parsed.append((path, data, _sha256(path)))
    subcategory_parents = None
    for _path, data, _sha in parsed:
        if data["list"] == "concern_category":
            subcategory_parents = {entry["code"] for entry in data["codes"]}
    for _path, data, _sha in parsed:
        if data["list"] == "concern_subcategory" and subcategory_parents is not None:
            for entry in data["codes"]:
                if entry.get("parent") not in subcategory_parents:
                    raise ReferenceDataError(
                        f"concern_subcategory.yaml: code {entry['code']!r} names unknown "
                        f"category {entry.get('parent')!r}"
                    )
    with transaction.atomic():
        for _path, data, sha in parsed:
            dataset = f"codes:{data['list']}"
            if _unchanged(dataset, sha, force):
                report.skipped.append(data["list"])
                continue
            _store_code_list(data)
            _mark_loaded(dataset, sha)
            report.loaded.append(data["list"])
    if report.loaded:
        transaction.on_commit(code_api.clear_cache)
        code_api.clear_cache()
    return report
