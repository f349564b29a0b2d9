"""The child's identity: one record per child in the whole system (circuit.md §1, §4.2).

Identity may be unknown or estimated ("unknown boy, about 12, found at the station") and be
completed later. Related adults are `Person` rows linked through `ChildPerson`. Name keys
(`ChildNameKey`) make the duplicate search an indexed lookup at a million children."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Organisation
from himaya.core.models import BaseModel, Commune, Province, VersionedModel


class Child(VersionedModel):
    identity_status = models.CharField(_("identity"), max_length=10, default="known")
    first_name_ar = models.CharField(_("first name (Arabic script)"), max_length=100, blank=True)
    last_name_ar = models.CharField(_("last name (Arabic script)"), max_length=100, blank=True)
    first_name_lat = models.CharField(_("first name (Latin script)"), max_length=100, blank=True)
    last_name_lat = models.CharField(_("last name (Latin script)"), max_length=100, blank=True)
    known_as = models.CharField(_("known as (alias)"), max_length=150, blank=True)
    sex = models.CharField(_("sex"), max_length=10, default="unknown")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_estimated = models.BooleanField(_("birth date estimated"), default=False)
    birth_date_precision = models.CharField(max_length=10, default="exact")
    age_estimation_method = models.CharField(max_length=30, blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=150, blank=True)
    nationality = models.CharField(_("nationality"), max_length=12, default="unknown")
    migrant_status = models.CharField(_("migrant status"), max_length=30, default="unknown")
    civil_registration_status = models.CharField(
        _("civil registration"), max_length=30, default="unknown"
    )
    disability = models.CharField(_("disability"), max_length=10, default="unknown")  # [H]
    languages = models.JSONField(_("languages"), default=list, blank=True)
    education_status = models.CharField(_("schooling"), max_length=30, default="unknown")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    current_address = models.CharField(_("current address"), max_length=300, blank=True)  # [L]
    # The organisation holding the child's current case (changes only through a transfer).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="children_held"
    )
    # data category: health [H] — shown only with Perm.DATA_HEALTH
    health_notes = models.TextField(_("health and disability notes"), blank=True)
    # Set on the losing record of a merge: it becomes a read-only tombstone that points to the
    # survivor, out of lists and searches, never deleted (circuit.md §8.1, DP-59).
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_children"
    )

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        indexes = [
            models.Index(fields=["province", "organisation", "-created_at"]),
            models.Index(fields=["organisation", "-created_at"]),
        ]

    def __str__(self) -> str:
        return str(self.id)

    @property
    def display_name(self) -> str:
        arabic = " ".join(filter(None, [self.first_name_ar, self.last_name_ar]))
        latin = " ".join(filter(None, [self.first_name_lat, self.last_name_lat]))
        return " / ".join(filter(None, [arabic, latin])) or self.known_as or "—"

    def assigned_user_ids(self) -> set[int]:
        """The case managers and evaluators of this child's cases (assignment-based scope). A
        tombstone's cases now hang on the survivor: those who work them may follow the pointer."""
        from django.apps import apps

        cases = apps.get_model("cases", "Case").objects.filter(
            child_id=self.merged_into_id or self.pk
        )
        ids = set()
        for manager, evaluator in cases.values_list("case_manager_id", "evaluator_id"):
            ids.update(uid for uid in (manager, evaluator) if uid)
        return ids


class ChildNameKey(models.Model):
    """Phonetic keys of a child's names in both scripts (see `matching.search_keys`)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="name_keys")
    key = models.CharField(max_length=60)

    class Meta:
        indexes = [models.Index(fields=["key"])]
        constraints = [
            models.UniqueConstraint(fields=["child", "key"], name="child_name_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class Person(BaseModel):
    """A related adult (parent, relative, caregiver, alleged perpetrator)."""

    name_ar = models.CharField(_("name (Arabic script)"), max_length=200, blank=True)
    name_lat = models.CharField(_("name (Latin script)"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)  # [L]
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return self.name_lat or self.name_ar


class ChildPerson(BaseModel):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="relations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relations")
    relationship = models.CharField(_("relationship"), max_length=30)
    lives_with_child = models.BooleanField(_("lives with the child"), default=False)
    is_primary_caregiver = models.BooleanField(_("primary caregiver"), default=False)
    is_legal_representative = models.BooleanField(_("legal representative"), default=False)
    is_alleged_perpetrator = models.BooleanField(_("alleged perpetrator"), default=False)  # [P]
    perpetrator_has_access = models.BooleanField(default=False)  # [P]

    def __str__(self) -> str:
        return f"{self.relationship} of {self.child_id}"


class ChildAlias(BaseModel):
    """Another name under which the child is known: the names of a record merged into this one
    (DP-57: earlier names are kept so that later searches still find the child). Its phonetic
    keys are indexed with the child's own (`services.index_names`)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="aliases")
    first_name_ar = models.CharField(max_length=100, blank=True)
    last_name_ar = models.CharField(max_length=100, blank=True)
    first_name_lat = models.CharField(max_length=100, blank=True)
    last_name_lat = models.CharField(max_length=100, blank=True)
    known_as = models.CharField(max_length=150, blank=True)
    # The merge that brought the alias; an unmerge removes what its merge added.
    merge = models.ForeignKey(
        "ChildMerge", on_delete=models.PROTECT, null=True, blank=True, related_name="aliases"
    )

    def __str__(self) -> str:
        return " ".join(filter(None, [self.first_name_lat, self.last_name_lat])) or self.known_as


class ChildMerge(BaseModel):
    """One audited merge of a duplicate record into a survivor (DP-59) and, once undone, its
    unmerge (DP-60). It holds everything needed to restore the state before the merge: the
    field-by-field choices with the survivor's values before, and the id of every re-pointed
    record. Rows are never deleted."""

    survivor = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_absorbed")
    duplicate = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_lost")
    reason = models.TextField(_("reason"))
    evidence = models.TextField(_("evidence"), blank=True)
    # {field: {"before": survivor value before, "after": value written}} — only the fields
    # taken from the duplicate.
    choices = models.JSONField(default=dict, blank=True)
    # {"app_label.Model.field": [ids]} — the records moved from the duplicate to the survivor.
    repointed = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField()
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unmerge_reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["survivor", "-merged_at"])]
        constraints = [
            # A duplicate is merged into one survivor at a time.
            models.UniqueConstraint(
                fields=["duplicate"],
                condition=models.Q(unmerged_at__isnull=True),
                name="child_merge_one_active_per_duplicate",
            ),
            models.CheckConstraint(
                condition=~models.Q(survivor=models.F("duplicate")),
                name="child_merge_not_into_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.duplicate_id} → {self.survivor_id}"

    @property
    def active(self) -> bool:
        return self.unmerged_at is None


class ChildMergeRequest(BaseModel):
    """DP-59: a case manager asks that a record be merged into the one they work on; a
    supervisor of the survivor's scope approves it (by merging, after comparing) or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    survivor = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    duplicate = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    merge = models.ForeignKey(
        ChildMerge, on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["survivor", "duplicate"],
                condition=models.Q(status="pending"),
                name="child_merge_request_one_pending_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.duplicate_id} → {self.survivor_id} ({self.status})"
