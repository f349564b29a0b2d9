"""Danger assessment (domain/assessment.md): instruments as versioned data, and assessments
that keep the version they were scored with forever.

Instrument versions come from the YAML files of `data/instruments/`, loaded by
`manage.py load_instruments`; a loaded version is never changed (a changed file needs a new
version). Assessments are written only by `services.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from himaya.cases.models import Case
from himaya.children.models import Child
from himaya.core.models import BaseModel

USER = settings.AUTH_USER_MODEL


def pick_label(labels: dict | None, language: str | None = None) -> str:
    """A label of the instrument's data in the active language (then French, then English)."""
    if not labels:
        return ""
    language = (language or get_language() or "ar")[:2]
    return labels.get(language) or labels.get("fr") or labels.get("en") or ""


class Instrument(BaseModel):
    code = models.CharField(max_length=40, unique=True)
    name = models.JSONField(default=dict)  # {"ar", "fr", "en"}

    def __str__(self) -> str:
        return self.code


class InstrumentVersion(BaseModel):
    """One version of an instrument: its items, anchors, labels and decision rules
    (`definition`), exactly as loaded from its file (`checksum`)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    provisional = models.BooleanField(default=True)
    valid_from = models.DateField(null=True, blank=True)
    response_standards_version = models.PositiveIntegerField()
    definition = models.JSONField()
    checksum = models.CharField(max_length=64)
    source = models.CharField(max_length=200)  # the file it was loaded from
    loaded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instrument", "version"], name="one_row_per_version"),
            models.UniqueConstraint(
                fields=["instrument"],
                condition=Q(status="active"),
                name="one_active_version_per_instrument",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.code} {self.version}"

    def level_label(self, level: int | None) -> str:
        for rule in self.definition["levels"]:
            if rule["level"] == level:
                return pick_label(rule["label"])
        return ""


class Assessment(BaseModel):
    """A full assessment, reassessment or closing assessment of one child's case, scored with
    one instrument version. C, L and the computed level are computed once, when it is
    recorded, and never recomputed with another version."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full assessment")
        REASSESSMENT = "reassessment", _("Reassessment")
        CLOSING = "closing", _("Closing assessment")

    class Override(models.TextChoices):
        NONE = "none", _("No override")
        UP = "up", _("Raised")
        DOWN = "down", _("Lowered")

    class OverrideStatus(models.TextChoices):
        NOT_APPLICABLE = "not_applicable", _("Not applicable")
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="assessments")
    instrument_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    flags = models.JSONField(default=list)  # Tier A codes answered yes
    flag_notes = models.JSONField(default=dict, blank=True)  # code → justification
    scores = models.JSONField(default=dict)  # dimension code → score
    score_notes = models.JSONField(default=dict, blank=True)  # dimension code → evidence
    consequence = models.SmallIntegerField(null=True)
    likelihood = models.SmallIntegerField(null=True)
    derived = models.JSONField(default=dict)  # every derived value (C, L, M...)
    level_computed = models.PositiveSmallIntegerField()
    level_requested = models.PositiveSmallIntegerField()  # the assessor's final level
    level_final = models.PositiveSmallIntegerField()  # what applies now (computed while pending)
    override_direction = models.CharField(
        max_length=4, choices=Override.choices, default=Override.NONE
    )
    override_reason = models.TextField(blank=True)
    override_status = models.CharField(
        max_length=20, choices=OverrideStatus.choices, default=OverrideStatus.NOT_APPLICABLE
    )
    approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    child_views = models.TextField(blank=True)
    caregiver_views = models.TextField(blank=True)
    needs = models.JSONField(default=dict, blank=True)  # domain → note (education, health...)
    sources = models.JSONField(default=list, blank=True)  # child interview, caregivers, school...
    assessor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["case", "-completed_at"]),
            models.Index(fields=["override_status", "completed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.level_final}"

    @property
    def pending(self) -> bool:
        return self.override_status == self.OverrideStatus.PENDING

    @property
    def api_status(self) -> str:
        return "pending_approval" if self.pending else "final"
