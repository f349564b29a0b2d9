"""Writes of the protection circuit. Every service checks the actor's permission, validates,
locks the case, writes, bumps `version`, and records the audit event and the timeline event in
the same transaction (DESIGN.md rule 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import Organisation, User
from himaya.accounts.permissions import (
    ROLE_PERMISSIONS,
    Perm,
    has_perm,
    memberships,
    territory_covers,
)
from himaya.audit.services import audit_record
from himaya.cases import deadlines, workflow
from himaya.cases.models import (
    Case,
    CaseConcern,
    CaseEvent,
    CaseLink,
    EmergencyEpisode,
    FollowUp,
    Hearing,
    JudicialMeasure,
    JudicialReferral,
    NumberSequence,
    PlanAction,
    Report,
    SafetyAction,
    SupervisedLibertyReport,
    Task,
    Transfer,
)
from himaya.children.models import Child
from himaya.core import codes
from himaya.core.models import Province


class Conflict(Exception):
    """A transition or business rule refuses the request (HTTP 409); nothing was changed."""

    api_code = "conflict"

    def __init__(self, message: str, *, guard: str = ""):
        super().__init__(message)
        self.message = message
        self.guard = guard


class StaleVersion(Exception):
    """The case changed since the caller read it (HTTP 412); nothing was changed."""

    api_code = "precondition_failed"


# --- numbering -----------------------------------------------------------------------------------


def next_number(key: str) -> int:
    """The next value of the counter `key`, atomically: one UPSERT ... RETURNING statement,
    so concurrent transactions never read the same value (PostgreSQL and SQLite ≥ 3.35)."""
    table = NumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, last) VALUES (%s, 1) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (key) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [key],
        )
        return cursor.fetchone()[0]


def case_number_for(province: Province, year: int) -> str:
    return f"{province.case_prefix}-{year}-{next_number(f'case:{province.case_prefix}:{year}'):06d}"


# --- helpers -------------------------------------------------------------------------------------


def _event(
    case: Case, actor, kind: str, *, transition="", from_stage="", to_stage="", reason="", **data
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, at=timezone.now(), actor=actor, kind=kind, transition=transition,
        from_stage=from_stage, to_stage=to_stage, reason=reason, data=data,
    )  # fmt: skip


def _audit(actor, action: str, case: Case, request=None, **data) -> None:
    audit_record(
        actor=actor, action=action, target_type="case", target_id=str(case.pk), child_id=case.child_id,
        request=request, data=data,
    )  # fmt: skip


def _lock(case_id, *, version: int | None = None) -> Case:
    case = Case.objects.select_for_update().select_related("child", "province").get(pk=case_id)
    if version is not None and case.version != version:
        raise StaleVersion
    return case


def _save(case: Case, fields: list[str]) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at"])


def _require(actor, perm: Perm, case: Case | None = None) -> None:
    if not has_perm(actor, perm, case):
        raise PermissionDenied


def _acting_roles(actor, case: Case) -> set[str]:
    """The roles the actor holds over this case's organisation and territory."""
    return {
        m.role
        for m in memberships(actor)
        if m.organisation_id == case.organisation_id and territory_covers(m, case)
    }


def _valid_code(list_name: str, value: str, field_name: str) -> None:
    if not codes.is_valid(list_name, value):
        raise ValidationError({field_name: _("Choose a value from the list.")})


def _not_future(value: datetime, field_name: str) -> None:
    if value > timezone.now() + timedelta(minutes=5):
        raise ValidationError({field_name: _("This time is in the future.")})


# --- deadlines -----------------------------------------------------------------------------------


def refresh_deadlines(case: Case, *, now: datetime | None = None) -> None:
    """Bring the deadline tasks of the case in line with the response standards (data) and
    the case's levels and history. Judicial tasks are managed by their own rules."""
    now = now or timezone.now()
    assessed = (
        case.tasks.filter(kind="full_assessment", status="done")
        .order_by("-done_at")
        .values_list("done_at", flat=True)
        .first()
    )
    last_assessed = (
        case.tasks.filter(kind__in=["full_assessment", "reassessment"], status="done")
        .order_by("-done_at")
        .values_list("done_at", flat=True)
        .first()
    )
    seen = list(
        case.follow_ups.filter(child_seen=True)
        .order_by("happened_at")
        .values_list("happened_at", flat=True)
    )
    reassessment = (
        case.tasks.filter(kind="reassessment", status="open")
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    clock = deadlines.CaseClock(
        t0=case.t0,
        triage_level=case.triage_level,
        current_level=case.risk_level if assessed else None,
        emergency_active=case.emergency_status == "active",
        assigned_at=case.assigned_at,
        first_child_seen_at=seen[0] if seen else None,
        full_assessment_at=assessed,
        plan_approved_at=case.plan_approved_at,
        last_child_seen_at=seen[-1] if seen else None,
        last_assessment_at=last_assessed,
        reassessment_triggered_at=reassessment,
        closed=case.stage == "closed",
    )
    wanted = {
        d.kind: d
        for d in deadlines.case_deadlines(
            clock, now=now, standards=deadlines.load_standards(), holidays=deadlines.load_holidays()
        )
    }
    birthday = _birthday_reassessment(case, since=last_assessed or case.t0)
    if birthday is not None and case.stage != "closed":
        current = wanted.get("reassessment")
        if current is None or current.due_at > birthday:
            wanted["reassessment"] = deadlines.Deadline(
                "reassessment", birthday, None, now > birthday
            )
    open_tasks = {
        t.kind: t for t in case.tasks.filter(status="open", kind__in=deadlines.DEADLINE_KINDS)
    }
    for kind, task in open_tasks.items():
        deadline = wanted.get(kind)
        if deadline is None or case.stage == "closed":
            task.status, task.done_at = Task.Status.CANCELLED, now
            task.save(update_fields=["status", "done_at", "updated_at"])
        elif deadline.done_at:
            task.status, task.done_at = Task.Status.DONE, deadline.done_at
            task.save(update_fields=["status", "done_at", "updated_at"])
        elif task.due_at != deadline.due_at:
            task.due_at = deadline.due_at
            task.save(update_fields=["due_at", "updated_at"])
    for kind, deadline in wanted.items():
        if kind in open_tasks or deadline.done_at or case.stage == "closed":
            continue
        if (
            kind in ("follow_up", "reassessment")  # rolling: the next one is never done
            or not case.tasks.filter(kind=kind, status__in=["done", "waived"]).exists()
        ):
            Task.objects.create(
                case=case, kind=kind, due_at=deadline.due_at, assignee=case.case_manager
            )


def _birthday_reassessment(case: Case, *, since: datetime) -> datetime | None:
    """The next reassessment due 90 days before the child turns 16 (art. 513) or 18
    (majority), not yet covered by an assessment (circuit.md §8.4). Estimated birth dates count
    from 31 December of their year."""
    child = case.child
    if child.birth_date is None:
        return None
    estimated = child.birth_date_estimated
    alerts = deadlines.birthday_reassessment_dates(
        child.birth_date, benefit_of_doubt_year_only=estimated
    )
    for age, day in zip(deadlines.load_standards().judicial.birthdays, alerts, strict=True):
        birthday = deadlines.birthday_on(
            child.birth_date, age, benefit_of_doubt_year_only=estimated
        )
        # Due while the birthday is still ahead of the last assessment (already late when the
        # 90 days before it have begun).
        if timezone.make_aware(datetime.combine(birthday, datetime.min.time())) > since:
            return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=9)))
    return None


def _open_judicial_task(case: Case, kind: str, due_at: datetime) -> None:
    if not case.tasks.filter(kind=kind, status="open").exists():
        Task.objects.create(
            case=case, kind=kind, due_at=due_at, blocking_closure=True, assignee=case.case_manager
        )


def evaluate_judicial_triggers(case: Case, *, now: datetime | None = None) -> None:
    """R1: an offence against the child suspected → report to the prosecutor, due the same day.
    R2: a DIF.* concern for a child under 16 → judicial protection request, due in 7 days."""
    now = now or timezone.now()
    holidays = deadlines.load_holidays()
    if case.offence_suspected:
        _open_judicial_task(
            case, "report_to_prosecutor", deadlines.prosecutor_report_due(now, holidays=holidays)
        )
    if case.concern_rows.filter(category="DIF", status="active").exists():
        age = _age_on(case.child, timezone.localdate())
        if age is None or age < 16:
            _open_judicial_task(
                case,
                "judicial_protection_request",
                deadlines.protection_request_due(now, holidays=holidays),
            )


def _age_on(child: Child, day: date) -> int | None:
    """Age in whole years; an estimated birth date counts from 31 December of its year so that
    an uncertain age never counts against the child's protection as a minor (circuit.md §8.1)."""
    if child.birth_date is None:
        return None
    born = date(child.birth_date.year, 12, 31) if child.birth_date_estimated else child.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# --- reports -------------------------------------------------------------------------------------


@dataclass
class ChildInput:
    """A child named in a report: a known child (`child_id`) or identity to register."""

    child_id: object | None = None
    first_name_ar: str = ""
    last_name_ar: str = ""
    first_name_lat: str = ""
    last_name_lat: str = ""
    known_as: str = ""
    sex: str = "unknown"
    birth_date: date | None = None
    estimated_age: int | None = None
    mother_name: str = ""


@dataclass
class ReportInput:
    received_at: datetime
    channel: str
    province: Province
    narrative: str
    concerns: list[str]
    children: list[ChildInput]
    immediate_danger_flags: list[str] = field(default_factory=list)
    reporter: dict | None = None  # None: anonymous
    offence_suspected: bool | None = None
    triage_level: int | None = None  # 1 or 2 when no Tier A flag (3 is implied by a flag)
    external_reference: str = ""
    living_situation: str = "unknown"
    education_status: str = "unknown"
    # The children named are known to be siblings: their cases are also linked as `sibling`
    # (circuit.md §8.2; `same_report` links them in any case).
    siblings: bool = False


def _validate_report(data: ReportInput) -> None:
    errors: dict[str, list[str]] = {}
    if data.received_at > timezone.now() + timedelta(minutes=5):
        errors["received_at"] = [_("The report cannot be received in the future.")]
    if not codes.is_valid("report_channel", data.channel):
        errors["channel"] = [_("Choose a value from the list.")]
    if not data.narrative.strip():
        errors["narrative"] = [_("Describe what was reported.")]
    if not data.concerns:
        errors["concerns"] = [_("Give at least one concern.")]
    for concern in data.concerns:
        if not (
            codes.is_valid("concern_category", concern)
            or codes.is_valid("concern_subcategory", concern)
        ):
            errors["concerns"] = [_("Unknown concern code: %(code)s") % {"code": concern}]
    # The screen at intake is Tier A of the instrument in force (assessment.md §2, §7.3).
    from himaya.assessment.selectors import tier_a_codes

    known_flags = tier_a_codes()
    unknown_flags = [f for f in data.immediate_danger_flags if f not in known_flags]
    if unknown_flags:
        errors["immediate_danger_flags"] = [
            _("Unknown immediate-danger flag: %(code)s") % {"code": unknown_flags[0]}
        ]
    if not data.children:
        errors["children"] = [_("A report concerns at least one child.")]
    for index, child in enumerate(data.children):
        if child.child_id is None:
            if child.birth_date and child.birth_date > timezone.localdate():
                errors[f"children[{index}].birth_date"] = [
                    _("The birth date cannot be in the future.")
                ]
            if child.estimated_age is not None and not 0 <= child.estimated_age <= 17:
                errors[f"children[{index}].estimated_age"] = [_("A child is 0 to 17 years old.")]
            if not codes.is_valid("sex", child.sex):
                errors[f"children[{index}].sex"] = [_("Choose a value from the list.")]
    if data.triage_level is not None and data.triage_level not in (1, 2, 3):
        errors["triage_level"] = [_("The triage level is 1, 2 or 3.")]
    if errors:
        raise ValidationError(errors)


def _offence_from_concerns(concern_codes: list[str]) -> bool:
    for code in concern_codes:
        entry = codes.get("concern_subcategory", code)
        if entry and entry.attrs.get("offence") == "Y":
            return True
    return False


@dataclass(frozen=True)
class _Place:
    province_id: str
    commune_id: str | None = None


def _receiving_org(actor, province: Province) -> Organisation:
    """The actor's case-holding organisation (CAPE or UPE) whose territory covers `province`."""
    for m in memberships(actor):
        if Perm.REPORT_CREATE in ROLE_PERMISSIONS.get(m.role, ()) and territory_covers(
            m, _Place(province.pk)
        ):
            return m.organisation
    raise PermissionDenied


@transaction.atomic
def report_create(*, actor, data: ReportInput, request=None) -> tuple[Report, list[Case]]:
    """Register a report and open one case per child (T1). A child already known is linked;
    if that child has an open case, the report joins it and triggers a reassessment instead."""
    if not has_perm(actor, Perm.REPORT_CREATE):
        raise PermissionDenied
    _validate_report(data)
    organisation = _receiving_org(actor, data.province)
    now = timezone.now()
    flags = sorted(set(data.immediate_danger_flags))
    offence = bool(data.offence_suspected) or _offence_from_concerns(data.concerns)
    reporter = data.reporter or {}
    report = Report.objects.create(
        number=f"R-{timezone.localdate().year}-{next_number(f'report:{timezone.localdate().year}'):06d}",
        channel=data.channel, external_reference=data.external_reference, received_at=data.received_at,
        recorded_by=actor, receiving_org=organisation, province=data.province,
        reporter_anonymous=data.reporter is None, reporter_type=reporter.get("type", "anonymous" if data.reporter is None else "professional"),
        reporter_name=reporter.get("name", ""), reporter_relationship=reporter.get("relationship", ""),
        reporter_phone=reporter.get("phone", ""), narrative=data.narrative.strip(), concerns=list(data.concerns),
        immediate_danger_flags=flags, offence_suspected=offence,
    )  # fmt: skip
    triage = 3 if flags else (data.triage_level or (2 if offence else 1))
    cases = []
    for child_input in data.children:
        child = _child_for_report(actor, organisation, data.province, child_input, request)
        open_case = child.cases.exclude(stage="closed").select_for_update().first()
        if open_case is not None and open_case in cases:
            continue  # the same child named twice in one report
        if open_case is not None:
            open_case.reports.add(report)
            _event(open_case, actor, "report_linked", report=report.number)
            _reassessment_trigger(open_case, actor, "new_report")
            if offence and not open_case.offence_suspected:
                open_case.offence_suspected = True
                _save(open_case, ["offence_suspected"])
            evaluate_judicial_triggers(open_case)
            cases.append(open_case)
            continue
        case = Case.objects.create(
            number=case_number_for(data.province, timezone.localdate().year), child=child, first_report=report,
            province=data.province, organisation=organisation, stage="reception", t0=data.received_at,
            opened_at=now, opened_by=actor, triage_level=triage, risk_level=triage, offence_suspected=offence,
            closure={"living_situation_at_opening": data.living_situation, "education_status_at_opening": data.education_status},
        )  # fmt: skip
        case.reports.add(report)
        _store_concerns(case, data.concerns)
        _event(
            case,
            actor,
            "opened",
            transition="T1",
            to_stage="reception",
            report=report.number,
            triage_level=triage,
            flags=flags,
        )
        if flags:
            episode = EmergencyEpisode.objects.create(case=case, opened_at=now, trigger_flags=flags)
            case.emergency_status = "active"
            case.save(update_fields=["emergency_status"])
            _event(case, actor, "emergency_opened", flags=flags, episode=str(episode.pk))
        evaluate_judicial_triggers(case)
        refresh_deadlines(case)
        previous = (
            child.cases.filter(stage="closed").exclude(pk=case.pk).order_by("-closed_at").first()
        )
        if previous is not None:
            # §5.5: a new episode after closure is a new case linked to the previous one.
            _link(case, previous, CaseLink.Kind.PREVIOUS_EPISODE, actor, report=report)
        _audit(actor, "case.open", case, request, report=report.number, number=case.number)
        cases.append(case)
    # §8.2: each child of one report has their own case; the cases are linked.
    for index, case in enumerate(cases):
        for other in cases[index + 1 :]:
            _link(case, other, CaseLink.Kind.SAME_REPORT, actor, report=report)
            if data.siblings:
                _link(case, other, CaseLink.Kind.SIBLING, actor, report=report)
    audit_record(
        actor=actor,
        action="report.create",
        target_type="report",
        target_id=str(report.pk),
        request=request,
        data={"number": report.number, "cases": [c.number for c in cases]},
    )
    return report, cases


def _link(case: Case, other: Case, kind: str, actor, *, report: Report | None = None) -> bool:
    """Link two cases both ways (idempotent); a timeline event on each when the link is new."""
    if case.pk == other.pk:
        return False
    created = False
    for a, b in ((case, other), (other, case)):
        _row, new = CaseLink.objects.get_or_create(
            case=a, other=b, kind=kind, defaults={"report": report, "created_by": actor}
        )
        if new:
            _event(a, actor, "linked", other=b.number, link_kind=kind)
            created = True
    return created


def _store_concerns(case: Case, concern_codes: list[str]) -> None:
    primary_done = case.concern_rows.filter(primary=True).exists()
    for code in concern_codes:
        category, _dot, sub = code.partition(".")
        CaseConcern.objects.create(
            case=case, category=category, subcategory=code if sub else "", primary=not primary_done
        )
        primary_done = True


def _child_for_report(actor, organisation, province, child_input: ChildInput, request) -> Child:
    from himaya.children import services as child_services

    if child_input.child_id is not None:
        child = Child.objects.filter(pk=child_input.child_id).first()
        if child is None:
            raise ValidationError({"children": [_("No child has this identifier.")]})
        while child.merged_into_id:  # a merged record points to its survivor (DP-59)
            child = Child.objects.get(pk=child.merged_into_id)
        audit_record(
            actor=actor,
            action="child.link",
            target_type="child",
            target_id=str(child.pk),
            child_id=child.pk,
            request=request,
        )
        return child
    birth_date, estimated = child_input.birth_date, False
    if birth_date is None and child_input.estimated_age is not None:
        # Benefit of the doubt: the latest plausible birth date for the stated age (§8.1).
        birth_date, estimated = (
            date(timezone.localdate().year - child_input.estimated_age, 12, 31),
            True,
        )
    identity_known = any(
        [
            child_input.first_name_ar,
            child_input.last_name_ar,
            child_input.first_name_lat,
            child_input.last_name_lat,
        ]
    )
    return child_services.child_create(
        actor=actor, organisation=organisation, province=province, request=request,
        first_name_ar=child_input.first_name_ar, last_name_ar=child_input.last_name_ar,
        first_name_lat=child_input.first_name_lat, last_name_lat=child_input.last_name_lat,
        known_as=child_input.known_as, sex=child_input.sex, birth_date=birth_date, birth_date_estimated=estimated,
        birth_date_precision="estimated" if estimated else "exact", mother_name=child_input.mother_name,
        identity_status="known" if identity_known else "unknown",
    )  # fmt: skip


def _reassessment_trigger(case: Case, actor, trigger: str) -> None:
    if case.stage == "closed" or case.tasks.filter(kind="reassessment", status="open").exists():
        return
    standards = deadlines.load_standards()
    due = deadlines.add_duration(
        timezone.now(),
        standards.reassessment_trigger_due(case.risk_level or case.triage_level),
        holidays=deadlines.load_holidays(),
    )
    Task.objects.create(
        case=case, kind="reassessment", due_at=due, assignee=case.evaluator or case.case_manager
    )
    _event(case, actor, "reassessment_due", trigger=trigger)


# --- assignment and transitions ------------------------------------------------------------------


@transaction.atomic
def case_assign(
    *, actor, case_id, user: User, as_role: str, version: int | None = None, request=None
) -> Case:
    if as_role not in ("case_manager", "evaluator"):
        raise ValidationError({"as": _("Assign as case manager or evaluator.")})
    case = _lock(case_id, version=version)
    _require(actor, Perm.CASE_ASSIGN, case)
    if as_role not in {
        m.role for m in memberships(user) if m.organisation_id == case.organisation_id
    }:
        raise ValidationError(
            {"user": _("This person does not hold that role in the case's organisation.")}
        )
    setattr(case, f"{as_role}_id", user.pk)
    fields = [as_role]
    if case.assigned_at is None:
        case.assigned_at = timezone.now()
        fields.append("assigned_at")
    _save(case, fields)
    _event(case, actor, "assigned", role=as_role, user=user.username)
    refresh_deadlines(case)
    _audit(actor, "case.assign", case, request, role=as_role, user=user.username)
    return case


def _facts(case: Case) -> dict:
    # The assessment app builds on cases (its records point at a case); imported here, where
    # the workflow needs its answers, to keep the dependency one way at import time.
    from himaya.assessment import selectors as assessment_selectors

    return {
        "open_blocking_tasks": case.tasks.filter(status="open", blocking_closure=True).count(),
        "active_emergency": case.emergencies.filter(status="active").exists(),
        # circuit.md §5.4 check 3 (placements.CareArrangement, through its reverse relation)
        "active_residential_care": case.care_arrangements.filter(
            end_date__isnull=True, care_type__in=("emergency_shelter", "eps", "cpe")
        ).exists(),
        "active_judicial_measures": case.judicial_measures.filter(status="active").count(),
        "assessment_done": case.tasks.filter(kind="full_assessment", status="done").exists(),
        "assessment_pending_approval": assessment_selectors.case_has_pending_override(case),
        "closing_assessment_recent": assessment_selectors.case_has_closing_assessment(case),
        "plan_actions": case.plan_actions.exclude(status="cancelled").count(),
        "open_plan_actions": case.plan_actions.exclude(status__in=["done", "cancelled"]).count(),
    }


def _open_referrals(case: Case) -> int:
    # Imported here: referrals build on cases, not the other way round (closure check 7).
    from himaya.referrals.selectors import open_referrals_of_case

    return open_referrals_of_case(case).count()


def allowed_transitions(actor, case: Case) -> list[str]:
    """Target stages the actor could move the case to now (guards included)."""
    roles = _acting_roles(actor, case)
    facts = _facts(case)
    targets = []
    for t in workflow.transitions_from(case.stage):
        if not roles & t.roles:
            continue
        closure = {"reason": "no_protection_concern"} if t.code == "T4" else {}
        ctx = workflow.GuardContext(case=case, reason="-", closure=closure, facts=facts)
        blocking = [
            g
            for g in t.guards
            if g is not workflow._closure_checklist and g is not workflow._administrative_reason
        ]
        if all(g(ctx) is None for g in blocking) and t.target not in targets:
            targets.append(t.target)
    return targets


@transaction.atomic
def case_transition(
    *,
    actor,
    case_id,
    to: str,
    reason: str = "",
    closure: dict | None = None,
    version: int | None = None,
    request=None,
) -> Case:
    """Move a case along the workflow table. A transition not in the table, not allowed to the
    actor's role, or whose guard fails raises Conflict naming the unmet guard; nothing changes."""
    case = _lock(case_id, version=version)
    _require(actor, Perm.CHILD_VIEW, case)
    closure = dict(closure or {})
    transition = workflow.pick(case.stage, to, closure.get("reason", ""))
    if transition is None:
        raise Conflict(
            _("A case cannot go from %(from)s to %(to)s.")
            % {
                "from": codes.label("case_stage", case.stage),
                "to": codes.label("case_stage", to) if codes.get("case_stage", to) else to,
            },
            guard="transition",
        )
    if not _acting_roles(actor, case) & transition.roles:
        raise Conflict(_("Your role cannot perform this transition."), guard="role")
    if to == "closed":
        for key, list_name in (
            ("reason", "closure_reason"),
            ("goals_outcome", "goals_outcome"),
            ("living_situation", "living_situation"),
            ("education_status", "education_status"),
        ):
            if closure.get(key) and not codes.is_valid(list_name, closure[key]):
                raise ValidationError({f"closure.{key}": _("Choose a value from the list.")})
    facts = _facts(case)
    if transition.target == "closed":  # closure check 7, counted only when closing
        facts["open_referrals"] = _open_referrals(case)
    ctx = workflow.GuardContext(case=case, reason=reason, closure=closure, facts=facts)
    for guard in transition.guards:
        message = guard(ctx)
        if message:
            raise Conflict(message, guard=guard.__name__.lstrip("_"))
    previous = case.stage
    case.stage = transition.target
    fields = ["stage"]
    now = timezone.now()
    if transition.code == "T5":
        case.plan_approved_at = now
        fields.append("plan_approved_at")
    if transition.target == "closed":
        case.closed_at, case.closure_reason = now, closure["reason"]
        case.closure = {**case.closure, **closure}
        fields += ["closed_at", "closure_reason", "closure"]
    if transition.code == "T10":
        case.closed_at, case.closure_reason = None, ""
        fields += ["closed_at", "closure_reason"]
    _save(case, fields)
    _event(
        case,
        actor,
        "transition",
        transition=transition.code,
        from_stage=previous,
        to_stage=case.stage,
        reason=reason,
        closure=closure if to == "closed" else {},
    )
    if transition.code == "T10":
        _reassessment_trigger(case, actor, "reopening")
        evaluate_judicial_triggers(case)
    refresh_deadlines(case)
    _audit(actor, "case.transition", case, request, transition=transition.code, to=case.stage)
    return case


@transaction.atomic
def case_update(*, actor, case_id, version: int, request=None, **values) -> Case:
    """Edit a case's own fields (PATCH with If-Match): the information given and the child's
    first views (reception), the child's and the caregivers' views on the plan, consent."""
    editable = {
        "plan_child_views",
        "plan_views_not_obtained_reason",
        "plan_caregiver_views",
        "caregiver_consent",
        "information_given",
        "first_child_views",
        "first_views_not_obtained_reason",
    }
    unknown = set(values) - editable
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    case = _lock(case_id, version=version)
    _require(actor, Perm.CASE_WORK, case)
    if values.get("plan_views_not_obtained_reason"):
        _valid_code(
            "views_not_obtained_reason",
            values["plan_views_not_obtained_reason"],
            "plan_views_not_obtained_reason",
        )
    if values.get("first_views_not_obtained_reason"):
        _valid_code(
            "views_not_obtained_reason",
            values["first_views_not_obtained_reason"],
            "first_views_not_obtained_reason",
        )
    if case.stage == "closed":
        raise Conflict(_("The case is closed."), guard="closed")
    if values.get("caregiver_consent"):
        _valid_code("yes_no_unknown", values["caregiver_consent"], "caregiver_consent")
    changes = {k: [getattr(case, k), v] for k, v in values.items() if getattr(case, k) != v}
    for key, value in values.items():
        setattr(case, key, value)
    _save(case, list(values))
    _event(case, actor, "updated", changes=changes)
    _audit(actor, "case.update", case, request, changes=changes)
    return case


@transaction.atomic
def case_risk_level_apply(
    *,
    actor,
    case_id,
    level: int | None,
    assessment_id,
    event: str = "assessed",
    kind: str = "",
    completes: bool = False,
    flags: list[str] | None = None,
    request=None,
    **details,
) -> Case:
    """The one door through which a danger assessment moves the case: its `risk_level` (a
    row 0-3 of the response standards) follows the level that applies now, and the deadlines
    follow it (assessment.md §7.2). Called by the assessment app's services inside their
    transaction — when an assessment is recorded (`completes`: it completes the
    full-assessment or reassessment task, and any Tier A flag opens an emergency episode,
    circuit.md §6.1) and when a supervisor decides on a lowered level (`level` None keeps the
    case's level). The timeline event (`event`) names the assessment and carries `details`."""
    case = _lock(case_id)
    if not (
        has_perm(actor, Perm.ASSESSMENT_RECORD, case)
        or has_perm(actor, Perm.ASSESSMENT_APPROVE, case)
    ):
        raise PermissionDenied
    if level is not None and level not in (0, 1, 2, 3):
        raise ValidationError({"level": _("The level is 0, 1, 2 or 3.")})
    if case.stage == "closed":
        raise Conflict(_("The case is closed."), guard="closed")
    now = timezone.now()
    previous = case.risk_level
    fields: list[str] = []
    if level is not None and level != previous:
        case.risk_level = level
        fields.append("risk_level")
    if completes:
        for task_kind in ("full_assessment", "reassessment"):
            case.tasks.filter(kind=task_kind, status="open").update(status="done", done_at=now)
        if not case.tasks.filter(kind="full_assessment").exists():
            Task.objects.create(
                case=case, kind="full_assessment", status="done", due_at=now, done_at=now
            )
        elif kind != "full" and not case.tasks.filter(kind="reassessment", done_at=now).exists():
            # A reassessment done before any task asked for it still restarts its clock.
            Task.objects.create(
                case=case, kind="reassessment", status="done", due_at=now, done_at=now
            )
        if flags and not case.emergencies.filter(status="active").exists():
            episode = EmergencyEpisode.objects.create(
                case=case, opened_at=now, trigger_flags=sorted(flags)
            )
            case.emergency_status = "active"
            fields.append("emergency_status")
            _event(case, actor, "emergency_opened", flags=sorted(flags), episode=str(episode.pk))
    _save(case, fields)
    _event(
        case, actor, event, level=case.risk_level, previous=previous, assessment_kind=kind,
        assessment=str(assessment_id), **details,
    )  # fmt: skip
    refresh_deadlines(case)
    _audit(
        actor, "case.risk_level", case, request, level=case.risk_level, previous=previous,
        assessment=str(assessment_id), event=event,
    )  # fmt: skip
    return case


# --- emergency -----------------------------------------------------------------------------------


def _active_episode(case: Case, actor) -> EmergencyEpisode:
    episode = case.emergencies.filter(status="active").first()
    if episode is None:
        episode = EmergencyEpisode.objects.create(
            case=case, opened_at=timezone.now(), note="manual"
        )
        case.emergency_status = "active"
        _event(case, actor, "emergency_opened", manual=True)
    return episode


@transaction.atomic
def safety_action_add(
    *,
    actor,
    case_id,
    action_type: str,
    requested_at: datetime,
    completed_at: datetime | None = None,
    outcome: str = "",
    provider: Organisation | None = None,
    note: str = "",
    request=None,
) -> SafetyAction:
    """Record a safety action (medical care, police, SAMU social, emergency shelter...) with its
    times. Opens an emergency episode if none is active."""
    case = _lock(case_id)
    _require(actor, Perm.CASE_WORK, case)
    if case.stage == "closed":
        raise Conflict(_("The case is closed."), guard="closed")
    _valid_code("safety_action_type", action_type, "action_type")
    _not_future(requested_at, "requested_at")
    if completed_at and completed_at < requested_at:
        raise ValidationError(
            {"completed_at": _("An action cannot be completed before it was requested.")}
        )
    if outcome and outcome not in ("done", "refused", "not_available", "not_needed"):
        raise ValidationError({"outcome": _("Choose a value from the list.")})
    episode = _active_episode(case, actor)
    action = SafetyAction.objects.create(
        episode=episode, action_type=action_type, provider=provider, requested_at=requested_at,
        completed_at=completed_at, outcome=outcome, note=note, recorded_by=actor,
    )  # fmt: skip
    _save(case, ["emergency_status"])
    if action_type == "emergency_shelter" and outcome == "done" and provider is not None:
        _emergency_placement(actor, case, provider, completed_at or requested_at)
    _event(
        case,
        actor,
        "safety_action",
        action_type=action_type,
        outcome=outcome,
        requested_at=requested_at.isoformat(),
        completed_at=completed_at.isoformat() if completed_at else None,
    )
    _audit(actor, "case.safety_action", case, request, action_type=action_type)
    return action


def _emergency_placement(actor, case: Case, provider: Organisation, at: datetime) -> None:
    """The emergency placement (circuit.md §6.2): a shelter that took the child in opens an
    `emergency_shelter` care arrangement, unless the child already lives there."""
    from himaya.placements.services import emergency_shelter_open

    emergency_shelter_open(actor, case, provider, timezone.localdate(at))


@transaction.atomic
def emergency_resolve(*, actor, case_id, note: str, request=None) -> Case:
    """An episode is resolved once a safety action is done, or a supervisor says why none was."""
    case = _lock(case_id)
    _require(actor, Perm.CASE_WORK, case)
    episode = case.emergencies.filter(status="active").first()
    if episode is None:
        raise Conflict(_("There is no active emergency."), guard="no_emergency")
    if not episode.actions.filter(outcome="done").exists() and not (
        "supervisor" in _acting_roles(actor, case) and note.strip()
    ):
        raise Conflict(
            _(
                "Record a safety action that was done, or a supervisor must say why none was possible."
            ),
            guard="safety_action_done",
        )
    episode.status, episode.resolved_at, episode.resolved_by, episode.resolution_note = (
        "resolved",
        timezone.now(),
        actor,
        note,
    )
    episode.save()
    case.emergency_status = "resolved"
    _save(case, ["emergency_status"])
    _event(case, actor, "emergency_resolved", note=note)
    refresh_deadlines(case)
    _audit(actor, "case.emergency_resolve", case, request)
    return case


# --- judicial track ------------------------------------------------------------------------------


@transaction.atomic
def judicial_report_record(
    *,
    actor,
    case_id,
    court: str,
    sent_at: datetime,
    reference: str = "",
    referral_type: str = "offence_report",
    made_by: str = "us",
    transmission: str = "",
    cover_linked: bool = False,
    request=None,
) -> JudicialReferral:
    """Record a report to the prosecutor; it completes the matching mandatory task (R1/R2).
    With `cover_linked`, the same report also covers the cases linked to this one as siblings
    or by the same report (circuit.md §8.2) on which the actor may record it: each gets the
    referral and its task is completed."""
    case = _lock(case_id)
    _require(actor, Perm.JUDICIAL_RECORD, case)
    referral = _record_referral(
        actor, case, court=court, sent_at=sent_at, reference=reference,
        referral_type=referral_type, made_by=made_by, transmission=transmission, request=request,
    )  # fmt: skip
    if cover_linked:
        linked = (
            case.links.filter(kind__in=(CaseLink.Kind.SIBLING, CaseLink.Kind.SAME_REPORT))
            .exclude(other__stage="closed")
            .values_list("other_id", flat=True)
            .distinct()
            .order_by("other_id")
        )
        for other_id in list(linked):
            other = _lock(other_id)
            if not has_perm(actor, Perm.JUDICIAL_RECORD, other):
                continue
            _record_referral(
                actor, other, court=court, sent_at=sent_at, reference=reference,
                referral_type=referral_type, made_by=made_by, transmission=transmission,
                request=request, covered_with=case.number,
            )  # fmt: skip
    return referral


def _record_referral(
    actor, case: Case, *, court, sent_at, reference, referral_type, made_by, transmission,
    request, covered_with: str = "",
) -> JudicialReferral:  # fmt: skip
    if not court.strip():
        raise ValidationError({"court": _("Name the court.")})
    _valid_code("judicial_referral_type", referral_type, "referral_type")
    if transmission:
        _valid_code("transmission_method", transmission, "transmission")
    _not_future(sent_at, "sent_at")
    if sent_at < case.t0 - timedelta(days=365):
        raise ValidationError({"sent_at": _("This date is long before the case started.")})
    referral = JudicialReferral.objects.create(
        case=case, referral_type=referral_type, court=court.strip(), sent_at=sent_at, reference=reference.strip(),
        made_by=made_by if made_by in ("us", "other_body") else "us", transmission=transmission, recorded_by=actor,
    )  # fmt: skip
    kind = {
        "offence_report": "report_to_prosecutor",
        "protection_request": "judicial_protection_request",
    }.get(referral_type)
    if kind:
        case.tasks.filter(kind=kind, status="open").update(status="done", done_at=timezone.now())
    if case.judicial_status == "none":
        case.judicial_status = "referred"
    _save(case, ["judicial_status"])
    _event(
        case,
        actor,
        "judicial_report",
        court=court,
        reference=reference,
        referral_type=referral_type,
        sent_at=sent_at.isoformat(),
        covered_with=covered_with,
    )
    _audit(actor, "case.judicial_report", case, request, referral_type=referral_type)
    return referral


@transaction.atomic
def judicial_task_waive(
    *, actor, case_id, reason_code: str, note: str, kind: str = "report_to_prosecutor", request=None
) -> Task:
    """Only a supervisor may waive a mandatory judicial task, with a reason code and a
    justification; the territory's judicial liaison is told."""
    case = _lock(case_id)
    _require(actor, Perm.JUDICIAL_WAIVE, case)
    _valid_code("waiver_reason", reason_code, "reason")
    if len(note.strip()) < 10:
        raise ValidationError({"note": _("Explain the waiver (at least 10 characters).")})
    task = case.tasks.filter(kind=kind, status="open").first()
    if task is None:
        raise Conflict(_("There is no open mandatory judicial task to waive."), guard="no_task")
    task.status, task.done_at, task.waived_by, task.waiver_reason, task.waiver_note = (
        "waived",
        timezone.now(),
        actor,
        reason_code,
        note.strip(),
    )
    task.save()
    _save(case, [])
    _event(
        case, actor, "judicial_task_waived", task=kind, reason_code=reason_code, reason=note.strip()
    )
    _notify_judicial_liaisons(case)
    _audit(actor, "case.judicial_waive", case, request, kind=kind, reason_code=reason_code)
    return task


def _notify_judicial_liaisons(case: Case) -> None:
    from himaya.accounts.models import Membership, Notification

    for membership in Membership.objects.filter(
        role="judicial_liaison", active=True
    ).select_related("user"):
        if territory_covers(membership, case):
            Notification.objects.create(
                user=membership.user,
                kind="judicial_waiver",
                message="A mandatory report to the prosecutor was waived.",
                link=f"/cases/{case.pk}/",
            )


@transaction.atomic
def judicial_measure_add(
    *,
    actor,
    case_id,
    measure_type: str,
    decided_at: date,
    starts_on: date,
    ends_on: date | None = None,
    review_on: date | None = None,
    institution: Organisation | None = None,
    received_on: date | None = None,
    request=None,
) -> JudicialMeasure:
    """R4: a judicial decision is a reassessment trigger; R5: supervised liberty creates the
    quarterly report schedule."""
    case = _lock(case_id)
    _require(actor, Perm.JUDICIAL_RECORD, case)
    _valid_code("judicial_measure_type", measure_type, "type")
    if decided_at > timezone.localdate():
        raise ValidationError({"decided_at": _("The decision date cannot be in the future.")})
    if ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("A measure cannot end before it starts.")})
    if review_on and review_on < starts_on:
        raise ValidationError({"review_on": _("A measure cannot be reviewed before it starts.")})
    if received_on and received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The reception date cannot be in the future.")})
    if received_on and received_on < decided_at:
        raise ValidationError(
            {"received_on": _("The CAPE cannot receive a decision before it is taken.")}
        )
    legal_basis = (codes.get("judicial_measure_type", measure_type).attrs or {}).get(
        "legal_basis", ""
    )
    measure = JudicialMeasure.objects.create(
        case=case, measure_type=measure_type, legal_basis=legal_basis, decided_at=decided_at, starts_on=starts_on,
        ends_on=ends_on, review_on=review_on, institution=institution, received_on=received_on,
        recorded_by=actor,
    )  # fmt: skip
    case.judicial_status = "measure_active"
    _save(case, ["judicial_status"])
    if measure_type == "supervised_liberty":
        _schedule_next_ls_report(case, measure)
    for alert in deadlines.measure_alert_dates(ends_on, review_on):
        # R6: the case manager (and, by escalation, the judicial liaison) is alerted 30 days
        # before the measure ends or is reviewed.
        if alert >= timezone.localdate() - timedelta(days=30):
            Task.objects.create(
                case=case, kind="measure_expiry", due_at=_end_of_day(alert),
                assignee=case.case_manager,
            )  # fmt: skip
    _event(
        case,
        actor,
        "judicial_measure",
        measure_type=measure_type,
        starts_on=str(starts_on),
        ends_on=str(ends_on) if ends_on else None,
    )
    _reassessment_trigger(case, actor, "judicial_decision")
    from himaya.placements.services import care_from_measure  # R4; placements builds on cases

    care_from_measure(actor, case, measure)
    _audit(actor, "case.judicial_measure", case, request, measure_type=measure_type)
    return measure


def _ls_report_dues(case: Case, measure: JudicialMeasure) -> list[date]:
    """R5: the due dates of a supervised-liberty measure's reports, every 3 months from its
    start until its end or the child's 18th birthday. With neither, the first year (the next
    decision on the measure extends it)."""
    eighteenth = _birthday(case.child, 18)
    start = measure.starts_on
    horizon = measure.ends_on or (None if eighteenth else start.replace(year=start.year + 1))
    return deadlines.supervised_liberty_report_dues(start, horizon, eighteenth)


def _schedule_next_ls_report(case: Case, measure: JudicialMeasure) -> Task | None:
    """Open the measure's next `ls_report` task: one report is due at a time, the one after
    the reports already recorded."""
    if case.tasks.filter(kind="ls_report", status="open").exists():
        return None
    dues = _ls_report_dues(case, measure)
    done = measure.reports.count()
    if done >= len(dues):
        return None
    return Task.objects.create(
        case=case, kind="ls_report", due_at=_end_of_day(dues[done]), assignee=case.case_manager
    )


LS_COMPLIANCE = ("satisfactory", "concerns", "breach")
LS_RECOMMENDATIONS = ("continue", "modify", "end")


@transaction.atomic
def ls_report_record(
    *,
    actor,
    case_id,
    period_start: date,
    period_end: date,
    sent_on: date,
    summary: str = "",
    reference: str = "",
    compliance: str = "",
    recommendation: str = "",
    measure_id=None,
    request=None,
) -> SupervisedLibertyReport:
    """R5: record a quarterly supervised-liberty report sent to the judge. It completes the
    measure's open `ls_report` task and opens the next one. A case without an active
    supervised-liberty measure has no report to record (409)."""
    case = _lock(case_id)
    _require(actor, Perm.JUDICIAL_RECORD, case)
    measures = case.judicial_measures.filter(measure_type="supervised_liberty", status="active")
    if measure_id is not None:
        measures = measures.filter(pk=measure_id)
    measure = measures.order_by("-starts_on").first()
    if measure is None:
        if measure_id is not None:
            raise ValidationError({"measure": _("Choose an active supervised-liberty measure.")})
        raise Conflict(_("This case has no active supervised-liberty measure."), guard="ls_measure")
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    if period_start < measure.starts_on:
        raise ValidationError({"period_start": _("The period cannot start before the measure.")})
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": _("The date sent cannot be in the future.")})
    if sent_on < period_start:
        raise ValidationError({"sent_on": _("A report is sent after the start of its period.")})
    if compliance and compliance not in LS_COMPLIANCE:
        raise ValidationError({"compliance": _("Choose a value from the list.")})
    if recommendation and recommendation not in LS_RECOMMENDATIONS:
        raise ValidationError({"recommendation": _("Choose a value from the list.")})
    if not summary.strip() and not reference.strip():
        raise ValidationError({"summary": _("Give a summary of the report or its reference.")})
    task = case.tasks.filter(kind="ls_report", status="open").order_by("due_at").first()
    report = SupervisedLibertyReport.objects.create(
        case=case, measure=measure, task=task, period_start=period_start, period_end=period_end,
        sent_on=sent_on, reference=reference.strip(), summary=summary.strip(), compliance=compliance,
        recommendation=recommendation, recorded_by=actor,
    )  # fmt: skip
    late = False
    if task is not None:
        late = deadlines.ls_report_late(
            timezone.localtime(task.due_at).date(), sent_on, timezone.localdate()
        )
        task.status, task.done_at = Task.Status.DONE, timezone.now()
        task.save(update_fields=["status", "done_at", "updated_at"])
    _schedule_next_ls_report(case, measure)
    _save(case, [])
    _event(
        case, actor, "ls_report", period_start=str(period_start), period_end=str(period_end),
        sent_on=str(sent_on), late=late,
    )  # fmt: skip
    _audit(actor, "case.ls_report", case, request, late=late)
    return report


@transaction.atomic
def judicial_referral_outcome(
    *, actor, referral_id, outcome: str, outcome_on: date, reference: str = "", request=None
) -> JudicialReferral:
    """The prosecutor's answer to a report (investigation opened, proceedings, no further
    action...), recorded by the judicial liaison or the case team (circuit.md §7.1)."""
    referral = JudicialReferral.objects.select_for_update().filter(pk=referral_id).first()
    if referral is None:
        raise ValidationError({"referral": _("No report to the prosecutor has this identifier.")})
    case = _lock(referral.case_id)
    _require(actor, Perm.JUDICIAL_RECORD, case)
    _valid_code("judicial_referral_outcome", outcome, "outcome")
    if outcome_on > timezone.localdate():
        raise ValidationError({"outcome_on": _("This date is in the future.")})
    if outcome_on < timezone.localtime(referral.sent_at).date():
        raise ValidationError({"outcome_on": _("The answer cannot come before the report.")})
    previous = referral.outcome
    referral.outcome, referral.outcome_on = outcome, outcome_on
    if reference.strip():
        referral.reference = reference.strip()
    referral.save(update_fields=["outcome", "outcome_on", "reference", "updated_at"])
    if outcome == "proceedings_opened" and case.judicial_status in ("none", "referred"):
        case.judicial_status = "proceedings"
        _save(case, ["judicial_status"])
    else:
        _save(case, [])
    _event(
        case,
        actor,
        "judicial_outcome",
        outcome=outcome,
        previous=previous,
        outcome_on=str(outcome_on),
    )
    _audit(actor, "case.judicial_outcome", case, request, outcome=outcome)
    return referral


def _birthday(child: Child, years: int) -> date | None:
    if child.birth_date is None:
        return None
    born = date(child.birth_date.year, 12, 31) if child.birth_date_estimated else child.birth_date
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February
        return born.replace(year=born.year + years, day=28)


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.max.time()))


@transaction.atomic
def hearing_add(
    *, actor, case_id, scheduled_at: datetime, kind: str = "hearing", request=None
) -> Hearing:
    case = _lock(case_id)
    _require(actor, Perm.JUDICIAL_RECORD, case)
    hearing = Hearing.objects.create(
        case=case, scheduled_at=scheduled_at, kind=kind, recorded_by=actor
    )
    # circuit.md §7.1: reminders to the case manager 7 days and 1 day before.
    for before in (timedelta(days=7), timedelta(days=1)):
        if scheduled_at - before > timezone.now():
            Task.objects.create(
                case=case,
                kind="hearing_reminder",
                due_at=scheduled_at - before,
                assignee=case.case_manager,
            )
    _save(case, [])
    _event(case, actor, "hearing", scheduled_at=scheduled_at.isoformat(), hearing_kind=kind)
    _audit(actor, "case.hearing", case, request)
    return hearing


# --- plan and follow-ups -------------------------------------------------------------------------


@transaction.atomic
def plan_action_add(
    *,
    actor,
    case_id,
    service: str,
    goal: str,
    due_on: date,
    responsible_org: Organisation | None = None,
    request=None,
) -> PlanAction:
    case = _lock(case_id)
    _require(actor, Perm.CASE_WORK, case)
    if case.stage not in ("planning", "accompaniment", "follow_up"):
        raise Conflict(_("Plan actions are added from the planning stage on."), guard="stage")
    _valid_code("service_type", service, "service")
    if not goal.strip():
        raise ValidationError({"goal": _("State the goal.")})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The due date is in the past.")})
    action = PlanAction.objects.create(
        case=case,
        service=service,
        goal=goal.strip(),
        due_on=due_on,
        responsible_org=responsible_org,
        created_by=actor,
    )
    _save(case, [])
    _event(case, actor, "plan_action", service=service, goal=goal.strip(), due_on=str(due_on))
    _audit(actor, "case.plan_action", case, request, service=service)
    return action


PLAN_ACTION_STATUSES = ("planned", "referred", "in_progress", "done", "cancelled")


@transaction.atomic
def plan_action_update(
    *, actor, action_id, status: str, version: int | None = None, note: str = "", request=None
) -> PlanAction:
    action = PlanAction.objects.select_for_update().select_related("case").get(pk=action_id)
    case = _lock(action.case_id)
    _require(actor, Perm.CASE_WORK, case)
    if version is not None and action.version != version:
        raise StaleVersion
    if status not in PLAN_ACTION_STATUSES:
        raise ValidationError({"status": _("Choose a value from the list.")})
    previous = action.status
    action.status, action.review_note = status, note or action.review_note
    if status == "referred" and action.referred_at is None:
        action.referred_at = timezone.now()
    action.version += 1
    action.save()
    _save(case, [])
    _event(
        case, actor, "plan_action_status", service=action.service, previous=previous, status=status
    )
    _audit(actor, "case.plan_action_update", case, request, status=status)
    return action


def plan_action_follow_referral(*, actor, action_id, status: str) -> PlanAction:
    """A plan action follows its referral (referred, in progress, done, or planned again after
    a decline or a cancellation). Called only by `himaya.referrals.services`, inside their
    transaction, after they checked the actor's right on the referral: the provider who
    accepts or completes it has no right on the case itself."""
    if status not in PLAN_ACTION_STATUSES:
        raise ValueError(status)
    action = PlanAction.objects.select_for_update().get(pk=action_id)
    if action.status == status:
        return action
    action.status = status
    if status == "referred":
        action.referred_at = action.referred_at or timezone.now()
    action.version += 1
    action.save(update_fields=["status", "referred_at", "version", "updated_at"])
    return action


@transaction.atomic
def follow_up_add(
    *,
    actor,
    case_id,
    happened_at: datetime,
    kind: str,
    child_seen: bool,
    notes: str = "",
    new_concern: bool = False,
    request=None,
) -> FollowUp:
    case = _lock(case_id)
    _require(actor, Perm.CASE_WORK, case)
    _valid_code("follow_up_contact_type", kind, "kind")
    _not_future(happened_at, "happened_at")
    if happened_at < case.t0:
        raise ValidationError({"happened_at": _("A follow-up cannot happen before the report.")})
    if case.stage == "closed":
        raise Conflict(_("The case is closed."), guard="closed")
    follow_up = FollowUp.objects.create(
        case=case,
        happened_at=happened_at,
        kind=kind,
        child_seen=child_seen,
        notes=notes,
        new_concern=new_concern,
        recorded_by=actor,
    )
    _save(case, [])
    _event(
        case,
        actor,
        "follow_up",
        contact=kind,
        child_seen=child_seen,
        happened_at=happened_at.isoformat(),
    )
    if new_concern:
        _reassessment_trigger(case, actor, "follow_up_new_concern")
    refresh_deadlines(case)
    _audit(actor, "case.follow_up", case, request, kind=kind)
    return follow_up


# --- transfer ------------------------------------------------------------------------------------


@transaction.atomic
def transfer_request(
    *, actor, case_id, to_organisation: Organisation, reason: str, note: str = "", request=None
) -> Transfer:
    case = _lock(case_id)
    _require(actor, Perm.CASE_WORK, case)
    if not _acting_roles(actor, case) & {"case_manager", "supervisor"}:
        raise PermissionDenied
    _valid_code("transfer_reason", reason, "reason")
    if case.stage == "closed" or case.pending_transfer_id:
        raise Conflict(_("This case cannot be transferred now."), guard="transfer")
    if (
        to_organisation.pk == case.organisation_id
        or to_organisation.type not in ("cape", "upe")
        or to_organisation.province_id is None
    ):
        raise ValidationError({"to_organisation": _("Choose another CAPE or UPE.")})
    now = timezone.now()
    due = now + (timedelta(hours=4) if case.risk_level == 3 else timedelta(days=2))
    transfer = Transfer.objects.create(
        case=case, from_organisation=case.organisation, from_province=case.province, to_organisation=to_organisation,
        to_province=to_organisation.province, reason=reason, note=note, requested_by=actor, requested_at=now, response_due_at=due,
    )  # fmt: skip
    case.pending_transfer = transfer
    _save(case, ["pending_transfer"])
    _event(case, actor, "transfer_requested", to=to_organisation.code, reason=reason)
    _audit(actor, "case.transfer_request", case, request, to=to_organisation.code)
    return transfer


@transaction.atomic
def transfer_decide(
    *, actor, transfer_id, accept: bool, reason: str = "", request=None
) -> Transfer:
    """A supervisor of the receiving organisation accepts (the case, its child and its history
    move) or rejects with a reason (the case stays)."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer_id)
    case = _lock(transfer.case_id)
    if transfer.status != "requested":
        raise Conflict(_("This transfer was already decided."), guard="decided")
    receiving = [
        m
        for m in memberships(actor)
        if m.organisation_id == transfer.to_organisation_id
        and Perm.TRANSFER_DECIDE in ROLE_PERMISSIONS.get(m.role, ())
    ]
    if not receiving:
        raise PermissionDenied
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for refusing.")})
    transfer.status, transfer.decided_by, transfer.decided_at, transfer.rejection_reason = (
        ("accepted" if accept else "rejected"),
        actor,
        timezone.now(),
        reason,
    )
    transfer.save()
    case.pending_transfer = None
    fields = ["pending_transfer"]
    if accept:
        case.organisation_id, case.province_id = (
            transfer.to_organisation_id,
            transfer.to_province_id,
        )
        case.case_manager, case.evaluator = None, None
        fields += ["organisation", "province", "case_manager", "evaluator"]
        Child.objects.filter(pk=case.child_id).update(
            organisation_id=transfer.to_organisation_id, province_id=transfer.to_province_id
        )
        case.tasks.filter(status="open").update(assignee=None)
    _save(case, fields)
    _event(case, actor, "transfer_accepted" if accept else "transfer_rejected", reason=reason)
    _audit(actor, "case.transfer_decide", case, request, accepted=accept)
    return transfer
