"""Load the service catalogue (panier de services) shipped in `data/service_catalogue.yaml`.

Idempotent: the file's content hash is recorded (core's `ReferenceDataset`), an unchanged file
is skipped. A service that disappears from the file is retired (`active=False`), never deleted,
because referrals and institutions keep the codes they were saved with.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from django.db import transaction

from himaya.core import codes
from himaya.core.models import ReferenceDataset
from himaya.directory.models import Service

CATALOGUE = Path(__file__).resolve().parent / "data" / "service_catalogue.yaml"
DATASET = "directory/service_catalogue"
STAGE_NUMBERS = frozenset({2, 3, 4, 5, 7, 8, 9, 10})
LANGUAGES = ("en", "fr", "ar")


class CatalogueError(Exception):
    """The catalogue file is inconsistent; the message names the entry."""


def parse_catalogue(path: Path = CATALOGUE) -> dict:
    """The catalogue as data, checked: known service codes, known stages, three labels."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("version"), int):
        raise CatalogueError(f"{path.name}: a whole-number `version` is required")
    stages = data.get("stages") or {}
    if set(stages) != STAGE_NUMBERS:
        raise CatalogueError(f"{path.name}: `stages` must name stages {sorted(STAGE_NUMBERS)}")
    seen: set[str] = set()
    for index, row in enumerate(data.get("services") or []):
        where = f"{path.name}: services[{index}]"
        code = row.get("code")
        if not code or code in seen:
            raise CatalogueError(f"{where}: missing or repeated code {code!r}")
        seen.add(code)
        if codes.get("service_type", code) is None:
            raise CatalogueError(f"{where}: {code!r} is not a code of service_type")
        if any(not str(row.get(lang, "")).strip() for lang in LANGUAGES):
            raise CatalogueError(f"{where}: labels en, fr and ar are required")
        if not set(row.get("stages") or []) <= STAGE_NUMBERS:
            raise CatalogueError(f"{where}: unknown stage in {row.get('stages')}")
    if not seen:
        raise CatalogueError(f"{path.name}: no service")
    return data


def stage_labels(path: Path = CATALOGUE) -> dict[int, dict[str, str]]:
    return {int(k): v for k, v in parse_catalogue(path)["stages"].items()}


@transaction.atomic
def load_catalogue(*, force: bool = False, path: Path = CATALOGUE) -> bool:
    """Load the catalogue into `Service`; False when the file was already loaded."""
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    if not force and ReferenceDataset.objects.filter(name=DATASET, sha256=sha).exists():
        return False
    data = parse_catalogue(path)
    present = []
    for order, row in enumerate(data["services"]):
        Service.objects.update_or_create(
            code=row["code"],
            defaults={
                "label_en": row["en"],
                "label_fr": row["fr"],
                "label_ar": row["ar"],
                "stages": sorted(row.get("stages") or []),
                "sort_order": order,
                "active": row.get("active", True),
                "catalogue_version": data["version"],
            },
        )
        present.append(row["code"])
    Service.objects.exclude(code__in=present).update(active=False)
    ReferenceDataset.objects.update_or_create(name=DATASET, defaults={"sha256": sha})
    return True
