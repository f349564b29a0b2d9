"""Aggregate tables of the indicators (indicators.md §1.8, issue 7).

Dashboards, the API and the exports read `AggregateCell` only: small, indexed rows of exact
counts per indicator × period × territory × disaggregation, recomputed by `aggregates.refresh`
(incremental) or `aggregates.rebuild` (everything). Suppression is applied when a cell is
shown, never stored, so one table serves exact and aggregate-only readers alike.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himaya.core.models import BaseModel, Province


class AggregateCell(models.Model):
    """One figure: `numerator` distinct units (and `denominator` for a proportion), or a
    `value` (median, mean) computed on `denominator` records.

    `territory` is "MA" (national), a region code ("04") or a province code ("04.441");
    `breakdown` names the disaggregation ("" for the total, "sex", "sex,age_band");
    `dims` is the canonical key of the cell ("sex=female|age_band=6_11")."""

    id = models.BigAutoField(primary_key=True)
    indicator = models.CharField(max_length=12)
    period = models.CharField(max_length=7)  # 2026 | 2026-Q3 | 2026-11
    territory = models.CharField(max_length=12)
    breakdown = models.CharField(max_length=80, blank=True)
    dims = models.CharField(max_length=300, blank=True)
    numerator = models.PositiveIntegerField(default=0)
    denominator = models.PositiveIntegerField(null=True)
    value = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "territory", "breakdown", "dims"],
                name="aggregate_cell_unique",
            )
        ]
        indexes = [models.Index(fields=["period", "territory", "indicator", "breakdown"])]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.territory} {self.dims}"


class ComputedPeriod(models.Model):
    """A period whose cells have been computed: there, an absent cell means 0."""

    period = models.CharField(max_length=7, primary_key=True)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.period


class RefreshState(models.Model):
    """The watermark of the last aggregate refresh (one row, key "aggregates")."""

    key = models.CharField(max_length=20, primary_key=True)
    refreshed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    periods = models.PositiveIntegerField(default=0)
    full = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.key}@{self.refreshed_at:%Y-%m-%d %H:%M}"


class ProgrammeRecord(BaseModel):
    """A programme figure (Part B) that Himaya does not hold as records yet (committees'
    decisions and milestones, trainings, roll-out): entered by an administrator, dated, with
    its source document, audited. Never edited: a correction is a newer record."""

    indicator = models.CharField(_("indicator"), max_length=12)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reference_date = models.DateField(_("reference date"))
    value = models.PositiveIntegerField(_("value"))
    source_document = models.CharField(_("source document"), max_length=300)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        indexes = [models.Index(fields=["indicator", "province", "-reference_date"])]

    def __str__(self) -> str:
        return f"{self.indicator}={self.value}@{self.reference_date}"


class ExportJob(BaseModel):
    """An export asked for by a user, run in the background (django.tasks), with its
    progress and its stated purpose (audited)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    fmt = models.CharField(max_length=10)  # csv / xlsx / pdf / dhis2 / adx
    params = models.JSONField(default=dict)
    purpose = models.CharField(_("purpose"), max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    filename = models.CharField(max_length=120, blank=True)
    content = models.BinaryField(null=True)
    error = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.fmt} {self.status}"
