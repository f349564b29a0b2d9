"""Writes of the danger assessment (assessment.md §4, §5, §9): record an assessment scored
with the instrument version in force, and decide on a lowered level.

The case follows through one door, `cases.services.case_risk_level_apply`, called in the same
transaction: its risk level and deadlines follow the level that applies now — the final level,
except that a lowered level applies only once a supervisor approves it (until then the
computed level does).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.permissions import Perm, has_perm
from himaya.assessment import engine, selectors
from himaya.assessment.models import Assessment, InstrumentVersion
from himaya.audit.services import audit_record
from himaya.cases import services as case_services
from himaya.cases.models import Case
from himaya.cases.services import Conflict

NEED_DOMAINS = ("education", "health", "psychosocial", "behaviour")  # D6, assessment.md §3
SOURCES = ("child_interview", "caregivers", "school", "health", "home_visit", "other")
MAX_TEXT = 4000


@dataclass
class AssessmentInput:
    """The answers of one assessment. `level_final` None means "the computed level"."""

    instrument: str
    kind: str
    scores: dict
    flags: list = field(default_factory=list)
    version: str | None = None
    level_final: int | None = None
    override_reason: str = ""
    flag_notes: dict = field(default_factory=dict)
    score_notes: dict = field(default_factory=dict)
    child_views: str = ""
    caregiver_views: str = ""
    needs: dict = field(default_factory=dict)
    sources: list = field(default_factory=list)


@dataclass(frozen=True)
class Scored:
    """An assessment's answers checked and scored, before anything is saved."""

    version: InstrumentVersion
    result: engine.Result
    level_requested: int
    direction: str


_MESSAGES = {
    "missing": lambda: _("Score this dimension."),
    "out of range": lambda: _("This score is outside the instrument's range."),
    "not a whole number": lambda: _("A score is a whole number."),
    "unknown dimension": lambda: _("This instrument has no such dimension."),
}


def _instrument_version(data: AssessmentInput, errors: dict) -> InstrumentVersion | None:
    if data.version:
        version = selectors.version_get(data.instrument, data.version)
        if version is None:
            errors["version"] = [_("Unknown instrument version.")]
        elif version.status != "active":
            errors["version"] = [_("This instrument version is not in force.")]
            version = None
        return version
    version = selectors.active_version(data.instrument)
    if version is None:
        errors["instrument"] = [_("Unknown instrument, or no version of it is in force.")]
    return version


def assessment_score(data: AssessmentInput) -> Scored:
    """Check the answers against the instrument version and apply its rules. Refused with
    the field named (ValidationError): an unknown kind, instrument or version, an unknown
    flag, a missing or unknown dimension, a score out of range, a final level that is not a
    level of the instrument, an override without its reason, a lowering of a level that a
    Tier A flag set (assessment.md §11.5: correct the flag instead). Pure of writes."""
    errors: dict[str, list[str]] = {}
    if data.kind not in Assessment.Kind.values:
        errors["kind"] = [_("Choose a value from the list.")]
    version = _instrument_version(data, errors)
    if not isinstance(data.scores, dict):
        errors["scores"] = [_("Give the scores by dimension.")]
    if not isinstance(data.flags, list) or not all(isinstance(f, str) for f in data.flags):
        errors["flags"] = [_("Give the flags answered yes as a list of codes.")]
    if version is None or errors:
        raise ValidationError(errors or {"instrument": [_("Unknown instrument.")]})
    definition = version.definition
    for name, problem in engine.validate_answers(definition, data.flags, data.scores).items():
        if name == "flags":
            unknown = next(f for f in data.flags if f not in engine_flags(definition))
            errors["flags"] = [_("Unknown immediate-danger flag: %(code)s") % {"code": unknown}]
        else:
            errors[name] = [_MESSAGES[problem]()]
    for name, value in (("child_views", data.child_views), ("caregiver_views", data.caregiver_views),
                        ("override_reason", data.override_reason)):  # fmt: skip
        if len(value or "") > MAX_TEXT:
            errors[name] = [_("This text is too long.")]
    unknown_needs = [d for d in data.needs if d not in NEED_DOMAINS]
    if unknown_needs:
        errors["needs"] = [_("Unknown need domain: %(code)s") % {"code": unknown_needs[0]}]
    unknown_sources = [s for s in data.sources if s not in SOURCES]
    if unknown_sources:
        errors["sources"] = [_("Choose a value from the list.")]
    if errors:
        raise ValidationError(errors)
    flags = sorted(set(data.flags))
    result = engine.evaluate(definition, flags, data.scores)
    requested = result.level if data.level_final is None else data.level_final
    if requested not in engine.levels_of(definition) or isinstance(requested, bool):
        raise ValidationError({"level_final": [_("This is not a level of the instrument.")]})
    direction = "none"
    if requested > result.level:
        direction = "up"
    elif requested < result.level:
        direction = "down"
    if direction != "none" and len((data.override_reason or "").strip()) < 10:
        raise ValidationError(
            {"override_reason": [_("Justify the change of level (at least 10 characters).")]}
        )
    if direction == "down" and flags:
        raise ValidationError(
            {
                "level_final": [
                    _(
                        "A level set by an immediate-danger flag is not lowered: correct the "
                        "flag instead."
                    )
                ]
            }
        )
    return Scored(version=version, result=result, level_requested=requested, direction=direction)


def engine_flags(definition: dict) -> set[str]:
    return {flag["code"] for flag in definition["tier_a"]}


@transaction.atomic
def assessment_record(*, actor, case_id, data: AssessmentInput, request=None) -> Assessment:
    """Record a full assessment, reassessment or closing assessment (assessment.md §5, §9).

    The computed level is stamped with the instrument version and never recomputed. A raised
    level takes effect at once; a lowered one waits for a supervisor (`pending`) while the
    computed level applies. Refused: a closed case (409), a second full assessment (409: it is
    a reassessment), and every bad answer of `assessment_score` (400, nothing saved)."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if not has_perm(actor, Perm.ASSESSMENT_RECORD, case):
        raise PermissionDenied
    scored = assessment_score(data)
    if case.stage == "closed":
        raise Conflict(_("The case is closed."), guard="closed")
    if data.kind == "full" and case.assessments.filter(kind="full").exists():
        raise Conflict(
            _("This case already has its full assessment: record a reassessment."),
            guard="full_assessment_exists",
        )
    result, definition = scored.result, scored.version.definition
    pending = scored.direction == "down"
    applies = result.level if pending else scored.level_requested
    now = timezone.now()
    assessment = Assessment.objects.create(
        case=case, child_id=case.child_id, instrument_version=scored.version, kind=data.kind,
        flags=sorted(set(data.flags)), flag_notes=_texts(data.flag_notes), scores=dict(data.scores),
        score_notes=_texts(data.score_notes), consequence=result.consequence,
        likelihood=result.likelihood, derived=result.values, level_computed=result.level,
        level_requested=scored.level_requested, level_final=applies,
        override_direction=scored.direction, override_reason=(data.override_reason or "").strip()
        if scored.direction != "none" else "",
        override_status="pending" if pending else "not_applicable",
        child_views=(data.child_views or "").strip(), caregiver_views=(data.caregiver_views or "").strip(),
        needs=_texts(data.needs), sources=list(data.sources), assessor=actor, completed_at=now,
    )  # fmt: skip
    case_services.case_risk_level_apply(
        actor=actor, case_id=case.pk, level=engine.response_level(definition, applies),
        assessment_id=assessment.pk, event="assessed", kind=data.kind, completes=True,
        flags=assessment.flags, request=request, level_computed=result.level,
        level_final=applies, override=scored.direction, requested=scored.level_requested,
        instrument=f"{scored.version.instrument.code} {scored.version.version}",
    )  # fmt: skip
    audit_record(
        actor=actor, action="assessment.record", target_type="assessment",
        target_id=str(assessment.pk), child_id=case.child_id, request=request,
        reason=assessment.override_reason,
        data={"case": str(case.pk), "kind": data.kind, "instrument": scored.version.instrument.code,
              "version": scored.version.version, "level_computed": result.level,
              "level_requested": scored.level_requested, "level_final": applies,
              "override": scored.direction},
    )  # fmt: skip
    return assessment


def _texts(values: dict) -> dict:
    return {str(k): str(v).strip()[:MAX_TEXT] for k, v in (values or {}).items() if str(v).strip()}


def _lock_pending(actor, assessment_id) -> tuple[Assessment, Case]:
    assessment = (
        Assessment.objects.select_for_update()
        .select_related("instrument_version")
        .get(pk=assessment_id)
    )
    case = Case.objects.select_for_update().get(pk=assessment.case_id)
    if not has_perm(actor, Perm.ASSESSMENT_APPROVE, case):
        raise PermissionDenied
    if assessment.override_status != Assessment.OverrideStatus.PENDING:
        raise Conflict(_("This level is not waiting for approval."), guard="not_pending")
    if assessment.assessor_id == actor.pk:
        raise Conflict(
            _("The lowering is approved by another supervisor than its assessor."),
            guard="own_assessment",
        )
    return assessment, case


def _is_latest(assessment: Assessment) -> bool:
    return not Assessment.objects.filter(
        case_id=assessment.case_id, completed_at__gt=assessment.completed_at
    ).exists()


@transaction.atomic
def assessment_approve(*, actor, assessment_id, request=None) -> Assessment:
    """A supervisor approves a lowered level: it becomes the final level, and — if no later
    assessment replaced this one — the case's level and deadlines follow it now."""
    assessment, case = _lock_pending(actor, assessment_id)
    now = timezone.now()
    assessment.override_status = Assessment.OverrideStatus.APPROVED
    assessment.approved_by, assessment.approved_at = actor, now
    assessment.level_final = assessment.level_requested
    assessment.save(
        update_fields=["override_status", "approved_by", "approved_at", "level_final", "updated_at"]
    )
    definition = assessment.instrument_version.definition
    case_services.case_risk_level_apply(
        actor=actor, case_id=case.pk,
        level=engine.response_level(definition, assessment.level_final) if _is_latest(assessment) else None,
        assessment_id=assessment.pk, event="assessment_approved", kind=assessment.kind,
        request=request, level_final=assessment.level_final, level_computed=assessment.level_computed,
    )  # fmt: skip
    audit_record(
        actor=actor, action="assessment.approve", target_type="assessment",
        target_id=str(assessment.pk), child_id=case.child_id, request=request,
        data={"from": assessment.level_computed, "to": assessment.level_final},
    )  # fmt: skip
    return assessment


@transaction.atomic
def assessment_reject(*, actor, assessment_id, reason: str, request=None) -> Assessment:
    """A supervisor rejects a lowered level, with the reason: the computed level stays."""
    if len((reason or "").strip()) < 5:
        raise ValidationError(
            {"reason": [_("Give the reason for refusing (at least 5 characters).")]}
        )
    assessment, case = _lock_pending(actor, assessment_id)
    now = timezone.now()
    assessment.override_status = Assessment.OverrideStatus.REJECTED
    # approved_by / approved_at record who decided, and when, whichever the decision.
    assessment.approved_by, assessment.approved_at = actor, now
    assessment.rejection_reason = reason.strip()[:MAX_TEXT]
    assessment.save(
        update_fields=[
            "override_status",
            "approved_by",
            "approved_at",
            "rejection_reason",
            "updated_at",
        ]
    )
    case_services.case_risk_level_apply(
        actor=actor, case_id=case.pk, level=None, assessment_id=assessment.pk,
        event="assessment_rejected", kind=assessment.kind, request=request,
        level_final=assessment.level_final, reason_given=assessment.rejection_reason,
    )  # fmt: skip
    audit_record(
        actor=actor, action="assessment.reject", target_type="assessment",
        target_id=str(assessment.pk), child_id=case.child_id, request=request,
        reason=assessment.rejection_reason,
        data={"computed": assessment.level_computed, "requested": assessment.level_requested},
    )  # fmt: skip
    return assessment
