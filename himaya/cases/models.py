"""The protection circuit: reports, cases, their workflow, deadlines, the parallel emergency and
judicial tracks, the case plan, follow-ups, transfers and closure (domain/circuit.md).

Designed for a million children on file: every list a user waits for filters on the user's
scope (province, organisation, assignee) and orders by an indexed column, read with keyset
pagination. State changes go through `services.py` only; `CaseEvent` is the append-only
timeline of everything that happened to a case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Organisation
from himaya.children.models import Child
from himaya.core.models import BaseModel, Commune, Province, VersionedModel

USER = settings.AUTH_USER_MODEL


class NumberSequence(models.Model):
    """Counters behind human numbers (one row per prefix and year). Incremented by a single
    atomic UPSERT, so two concurrent reports never get the same number."""

    key = models.CharField(max_length=40, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.last}"


class Report(VersionedModel):
    """A signalement: how a concern about one or more children reached the system (stage 1)."""

    number = models.CharField(max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=40)
    external_reference = models.CharField(_("external reference"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received at"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    receiving_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="reports_received"
    )
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    incident_commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # reporter identity: category reporter_identity [R]
    reporter_anonymous = models.BooleanField(_("anonymous reporter"), default=False)
    reporter_type = models.CharField(_("reporter type"), max_length=40, default="anonymous")
    reporter_name = models.CharField(_("reporter's name"), max_length=200, blank=True)
    reporter_relationship = models.CharField(
        _("reporter's relationship or function"), max_length=200, blank=True
    )
    reporter_phone = models.CharField(_("reporter's phone"), max_length=40, blank=True)
    narrative = models.TextField(_("narrative"))
    concerns = models.JSONField(
        _("concerns"), default=list
    )  # codes of concern_category / concern_subcategory
    immediate_danger_flags = models.JSONField(
        _("immediate-danger flags"), default=list
    )  # Tier A codes answered yes
    offence_suspected = models.BooleanField(_("offence against the child suspected"), default=False)
    status = models.CharField(max_length=20, default="accepted")

    class Meta:
        indexes = [models.Index(fields=["province", "-received_at"])]

    def __str__(self) -> str:
        return self.number


class Case(VersionedModel):
    """One child's protection episode, from opening to closure."""

    number = models.CharField(_("case number"), max_length=20, unique=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")
    first_report = models.ForeignKey(Report, on_delete=models.PROTECT, null=True, related_name="+")
    reports = models.ManyToManyField(Report, related_name="cases", blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    case_manager = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evaluator = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entry_route = models.CharField(max_length=20, default="administrative")
    stage = models.CharField(_("stage"), max_length=20, default="reception")
    t0 = models.DateTimeField(help_text="start of every case clock")
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    triage_level = models.PositiveSmallIntegerField(
        _("triage level")
    )  # never changed after opening
    risk_level = models.PositiveSmallIntegerField(
        _("risk level")
    )  # current level (manual until assessments)
    offence_suspected = models.BooleanField(default=False)
    emergency_status = models.CharField(max_length=10, default="none")
    judicial_status = models.CharField(max_length=20, default="none")
    assigned_at = models.DateTimeField(null=True, blank=True)
    plan_approved_at = models.DateTimeField(null=True, blank=True)
    # Stage 2 step 5 (circuit.md §4.2, data-protection.md §3): the information given to the
    # child and the caregivers, and the child's first views (or why they could not be heard).
    information_given = models.TextField(blank=True)
    first_child_views = models.TextField(blank=True)
    first_views_not_obtained_reason = models.CharField(max_length=40, blank=True)
    plan_child_views = models.TextField(blank=True)
    plan_caregiver_views = models.TextField(blank=True)
    plan_views_not_obtained_reason = models.CharField(max_length=40, blank=True)
    caregiver_consent = models.CharField(max_length=10, blank=True)  # yes / no / unknown
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(max_length=40, blank=True)
    closure = models.JSONField(
        default=dict, blank=True
    )  # goals_outcome, living_situation, education_status, child_views, note
    # Assignment of the current transfer, if any (the receiving side must accept).
    pending_transfer = models.ForeignKey(
        "Transfer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["province", "organisation", "-opened_at"]),
            models.Index(fields=["organisation", "stage", "-opened_at"]),
            models.Index(fields=["case_manager", "stage"]),
            models.Index(fields=["evaluator", "stage"]),
            models.Index(fields=["child", "-opened_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    def assigned_user_ids(self) -> set[int]:
        return {uid for uid in (self.case_manager_id, self.evaluator_id) if uid}


class CaseConcern(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="concern_rows")
    category = models.CharField(max_length=10)
    subcategory = models.CharField(max_length=10, blank=True)
    primary = models.BooleanField(default=False)
    offence_answer = models.CharField(max_length=10, blank=True)  # yes / no for "D" sub-categories
    status = models.CharField(max_length=10, default="active")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(primary=True), name="one_primary_concern_per_case"
            )
        ]

    def __str__(self) -> str:
        return self.subcategory or self.category


class CaseEvent(models.Model):
    """The case timeline: every change, newest first on screen. Append-only."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    kind = models.CharField(max_length=40)  # transition, assigned, task_done, safety_action, ...
    transition = models.CharField(max_length=4, blank=True)  # T1..T10
    from_stage = models.CharField(max_length=20, blank=True)
    to_stage = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "-at"])]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"


# Task kinds that may be open several times on one case (one per hearing, one per measure).
REPEATABLE_TASK_KINDS = ("hearing_reminder", "measure_expiry")


class Task(BaseModel):
    """Something due on a case: a deadline of the response standards or a mandatory judicial
    step. `blocking_closure` tasks must be done or waived (with a reason) before closure."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        WAIVED = "waived", _("Waived")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(max_length=40)  # code of task_type
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    blocking_closure = models.BooleanField(default=False)
    waiver_reason = models.CharField(max_length=40, blank=True)
    waiver_note = models.TextField(blank=True)
    waived_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Daily escalation of overdue work (services.escalate_overdue): the highest escalation
    # level already notified and the local day of the last notification, so that a second run
    # the same day notifies nobody twice.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"]),
            models.Index(fields=["case", "status"]),
            # The daily escalation scans open tasks by due date only.
            models.Index(fields=["due_at"], condition=Q(status="open"), name="task_open_due"),
        ]
        constraints = [
            # One open task per kind, except reminders that exist once per hearing or measure.
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(status="open") & ~Q(kind__in=REPEATABLE_TASK_KINDS),
                name="one_open_task_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}@{self.case_id}"


class EmergencyEpisode(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="emergencies")
    opened_at = models.DateTimeField()
    trigger_flags = models.JSONField(default=list)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=10, default="active")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"emergency {self.status}"


class SafetyAction(BaseModel):
    episode = models.ForeignKey(EmergencyEpisode, on_delete=models.PROTECT, related_name="actions")
    action_type = models.CharField(max_length=40)  # code of safety_action_type
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=20, blank=True
    )  # done / refused / not_available / not_needed
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.action_type


class JudicialReferral(BaseModel):
    """A report to the prosecutor (signalement au parquet). [J]"""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="judicial_referrals")
    referral_type = models.CharField(max_length=30, default="offence_report")
    court = models.CharField(max_length=200)
    sent_at = models.DateTimeField()
    reference = models.CharField(max_length=100, blank=True)
    made_by = models.CharField(max_length=20, default="us")  # us / other_body
    transmission = models.CharField(max_length=30, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=30, default="pending")  # judicial_referral_outcome
    outcome_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.referral_type} {self.reference}"


class JudicialMeasure(BaseModel):
    """A judicial decision or measure (arts 471, 481, supervised liberty, 513, kafala, placement). [J]"""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="judicial_measures")
    measure_type = models.CharField(max_length=40)
    legal_basis = models.CharField(max_length=200, blank=True)
    decided_at = models.DateField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    # JI02: the date the CAPE's follow-up cell received the decision (None: not recorded).
    received_on = models.DateField(_("date the CAPE received the decision"), null=True, blank=True)
    institution = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, default="active")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.measure_type


class Hearing(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hearings")
    scheduled_at = models.DateTimeField()
    kind = models.CharField(max_length=20, default="hearing")
    child_present = models.BooleanField(null=True)
    outcome_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"hearing {self.scheduled_at:%Y-%m-%d}"


class PlanAction(VersionedModel):
    """An action of the case plan: a service from the basket, who delivers it, by when."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plan_actions")
    goal = models.CharField(_("goal"), max_length=300)
    service = models.CharField(_("service"), max_length=40)  # code of service_type
    responsible_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        max_length=20, default="planned"
    )  # planned / referred / in_progress / done / cancelled
    referred_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["case", "status"])]

    def __str__(self) -> str:
        return self.service


class FollowUp(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="follow_ups")
    happened_at = models.DateTimeField()
    kind = models.CharField(max_length=30)  # code of follow_up_contact_type
    child_seen = models.BooleanField()
    notes = models.TextField(blank=True)
    new_concern = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["case", "-happened_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.happened_at:%Y-%m-%d}"


class Transfer(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")
    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    from_province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    to_province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=40)
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, default="requested"
    )  # requested / accepted / rejected / cancelled
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    response_due_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["to_organisation", "status"])]

    def __str__(self) -> str:
        return f"transfer {self.status}"


class SupervisedLibertyReport(BaseModel):
    """A quarterly report of a supervised-liberty measure to the juvenile judge (circuit.md §7.1,
    R5). Recording it completes the measure's open `ls_report` task. [J]"""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="ls_reports")
    measure = models.ForeignKey(JudicialMeasure, on_delete=models.PROTECT, related_name="reports")
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    sent_on = models.DateField(_("sent on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    compliance = models.CharField(max_length=20, blank=True)  # satisfactory / concerns / breach
    recommendation = models.CharField(max_length=20, blank=True)  # continue / modify / end
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["case", "-period_end"])]

    def __str__(self) -> str:
        return f"LS report {self.period_start}–{self.period_end}"


class CaseLink(BaseModel):
    """A link between two cases (circuit.md §4.2 `linked_cases`, §8.2, §5.5). Stored once in each
    direction, so that a case lists its links with one indexed query."""

    class Kind(models.TextChoices):
        SAME_REPORT = "same_report", _("Same report")
        SIBLING = "sibling", _("Sibling")
        SAME_HOUSEHOLD = "same_household", _("Same household")
        PREVIOUS_EPISODE = "previous_episode", _("Previous episode")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="links")
    other = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "other", "kind"], name="one_link_per_kind"),
            models.CheckConstraint(condition=~Q(case=models.F("other")), name="link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.case_id} → {self.other_id}"
