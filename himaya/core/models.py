"""Reference data every app stands on: territories of Morocco and the coded value lists.

Territories are keyed by their HCP code (the official code of the Haut-Commissariat au Plan),
so other systems and the API exchange codes, never our internal ids.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def active_language() -> str:
    """The active language reduced to one of ar / fr / en (Arabic when none is active)."""
    language = (get_language() or "ar").split("-")[0]
    return language if language in {"ar", "fr", "en"} else "ar"


class BaseModel(models.Model):
    """UUID identity (the API exposes UUIDs) and creation/update times (aware, UTC in DB)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(BaseModel):
    """An editable aggregate. `version` grows by one on every write made by its service;
    a write that carries an older version is refused (HTTP 412 / form error), never applied."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class BilingualNameMixin:
    """Territories carry an Arabic and a French name; English pages use the French one."""

    name_fr: str
    name_ar: str

    @property
    def name(self) -> str:
        return self.name_ar if active_language() == "ar" else self.name_fr

    def __str__(self) -> str:
        return self.name


class Region(BilingualNameMixin, models.Model):
    code = models.CharField(_("HCP code"), max_length=2, primary_key=True)
    name_fr = models.CharField(_("name in French"), max_length=120)
    name_ar = models.CharField(_("name in Arabic"), max_length=120)
    population_2024 = models.PositiveIntegerField(_("population (2024 census)"))
    households_2024 = models.PositiveIntegerField(_("households (2024 census)"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Province(BilingualNameMixin, models.Model):
    """A prefecture or province — the territory of a child protection system (DTIPE).

    The 8 prefectures of arrondissements of Casablanca lie inside the prefecture of Casablanca
    (`parent`) and have their own committees, so they are territories of their own."""

    class Type(models.TextChoices):
        PREFECTURE = "prefecture", _("Prefecture")
        PROVINCE = "province", _("Province")
        PREFECTURE_OF_ARRONDISSEMENTS = (
            "prefecture_of_arrondissements",
            _("Prefecture of arrondissements"),
        )

    code = models.CharField(_("HCP code"), max_length=12, primary_key=True)
    name_fr = models.CharField(_("name in French"), max_length=120)
    name_ar = models.CharField(_("name in Arabic"), max_length=120)
    type = models.CharField(_("type"), max_length=32, choices=Type.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provinces")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="subdivisions"
    )
    population_2024 = models.PositiveIntegerField(_("population (2024 census)"))
    households_2024 = models.PositiveIntegerField(_("households (2024 census)"))
    # Three letters that start the human case numbers of this territory (SAL-2026-000123).
    # NULL (not "") until the reference data is loaded: several unset prefixes must not collide.
    case_prefix = models.CharField(max_length=3, unique=True, null=True)  # noqa: DJ001

    class Meta:
        ordering = ["code"]
        verbose_name = _("province or prefecture")
        verbose_name_plural = _("provinces and prefectures")


class Commune(BilingualNameMixin, models.Model):
    class Type(models.TextChoices):
        URBAN = "urban", _("Urban")
        RURAL = "rural", _("Rural")

    code = models.CharField(_("HCP code"), max_length=14, primary_key=True)
    name_fr = models.CharField(_("name in French"), max_length=120)
    name_ar = models.CharField(_("name in Arabic"), max_length=120)
    type = models.CharField(_("type"), max_length=8, choices=Type.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")
    cercle_code = models.CharField(max_length=14, blank=True)
    population_2024 = models.PositiveIntegerField(_("population (2024 census)"), null=True)
    households_2024 = models.PositiveIntegerField(_("households (2024 census)"), null=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")


class CodeList(models.Model):
    """One coded value list (`code:<name>` in the domain files), loaded from a versioned file."""

    name = models.SlugField(max_length=64, primary_key=True)
    version = models.PositiveIntegerField()
    label_en = models.CharField(max_length=200)
    label_fr = models.CharField(max_length=200)
    label_ar = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return getattr(self, f"label_{active_language()}")


class Code(models.Model):
    """A value of a code list. Codes are never renamed, reused or deleted: a code that is no
    longer wanted is retired (`active=False`) and stays valid for the records that used it.
    `locked` codes drive business rules and cannot be retired."""

    code_list = models.ForeignKey(CodeList, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(max_length=64)
    label_en = models.CharField(max_length=300)
    label_fr = models.CharField(max_length=300)
    label_ar = models.CharField(max_length=300)
    sort_order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    locked = models.BooleanField(default=False)
    ar_to_verify = models.BooleanField(default=False)
    parent_code = models.CharField(max_length=64, blank=True)
    attrs = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["code_list", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["code_list", "code"], name="code_unique_in_list")
        ]

    def __str__(self) -> str:
        return f"{self.code_list_id}:{self.code}"

    @property
    def label(self) -> str:
        return getattr(self, f"label_{active_language()}")


class ReferenceDataset(models.Model):
    """Which version (content hash) of each shipped data file is loaded, so that loading the
    reference data again skips the files that did not change."""

    name = models.CharField(max_length=120, primary_key=True)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}@{self.sha256[:12]}"
