"""Care arrangements and placement: where and with whom a child lives, and on what legal basis
(circuit.md §4.8 and §6.2). A parallel record of the case, not a stage: it can be opened at any
stage but `closed`, and its history belongs to the child across episodes.

Writes go through `services.py` only. A child has at most one active *primary* arrangement at
any date (the primary arrangements of a child never overlap); the residential ones (emergency
shelter, EPS, CPE) block closure (§5.4 check 3) and count towards an institution's occupancy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Organisation
from himaya.cases.models import Case, JudicialMeasure
from himaya.children.models import Child, Person
from himaya.core.models import BaseModel, VersionedModel

USER = settings.AUTH_USER_MODEL

# care_type codes (codes.md §6) and the rules that hang on them (circuit.md §6.2)
RESIDENTIAL = ("emergency_shelter", "eps", "cpe")  # provider organisation required; block closure
FAMILY_BASED = ("kinship", "kafala", "foster")  # a carer (person) required
NEEDS_JUDICIAL_DECISION = ("cpe", "kafala")  # always on a judicial decision
REVIEW_EVERY = {"emergency_shelter": "7d", **dict.fromkeys(("eps", "cpe", *FAMILY_BASED), "3M")}


class CareArrangement(VersionedModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="care_arrangements")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="care_arrangements")
    care_type = models.CharField(_("type of care"), max_length=30)  # code of care_type
    provider_org = models.ForeignKey(
        Organisation,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_arrangements",
    )
    carer = models.ForeignKey(
        Person, verbose_name=_("carer"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="care_arrangements",
    )  # fmt: skip
    legal_basis = models.CharField(_("legal basis"), max_length=30)  # code of care_legal_basis
    judicial_measure = models.ForeignKey(
        JudicialMeasure, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    start_date = models.DateField(_("start date"))
    planned_end_date = models.DateField(_("planned end date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=30, blank=True)
    is_primary = models.BooleanField(_("where the child mainly lives"), default=True)
    next_review_due = models.DateField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            # the child's current arrangement; an institution's occupancy (active rows only)
            models.Index(fields=["child", "end_date"]),
            models.Index(
                fields=["provider_org", "care_type"],
                condition=Q(end_date__isnull=True),
                name="care_active_by_provider",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="care_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.care_type} {self.start_date}"

    @property
    def active(self) -> bool:
        return self.end_date is None


class CareEvent(BaseModel):
    """Something that happened in an arrangement: admission, leave, runaway and return,
    transfer, discharge. A runaway alerts the case manager and the supervisors."""

    class Type(models.TextChoices):
        ADMISSION = "admission", _("Admission")
        LEAVE = "leave", _("Leave")
        RUNAWAY = "runaway", _("Runaway")
        RETURN = "return_from_runaway", _("Return after a runaway")
        TRANSFER = "transfer", _("Transfer")
        DISCHARGE = "discharge", _("Discharge")

    arrangement = models.ForeignKey(
        CareArrangement, on_delete=models.PROTECT, related_name="events"
    )
    event_type = models.CharField(max_length=30, choices=Type.choices)
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["arrangement", "at"])]

    def __str__(self) -> str:
        return self.event_type


class PlacementReview(BaseModel):
    """The periodic review of an arrangement, with the child's views (circuit.md §6.2)."""

    class Recommendation(models.TextChoices):
        CONTINUE = "continue", _("Continue")
        CHANGE = "change", _("Change the arrangement")
        END = "end", _("End the arrangement")

    arrangement = models.ForeignKey(
        CareArrangement, on_delete=models.PROTECT, related_name="reviews"
    )
    reviewed_on = models.DateField()
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    child_seen = models.BooleanField()
    child_views = models.TextField(blank=True)
    views_not_obtained_reason = models.CharField(max_length=40, blank=True)
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices)
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"review {self.reviewed_on}"
