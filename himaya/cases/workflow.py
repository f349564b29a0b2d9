"""The case workflow as a table (circuit.md §5.2): allowed transitions, the roles that may
perform them, and their guards. Applied by one service, `services.case_transition`.

If you add a transition, add its guards here, its effects in `services._apply_effects`, and a
row to `tests/test_workflow.py`'s exhaustive table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

STAGES = ("reception", "assessment", "planning", "accompaniment", "follow_up", "closed")

# Closure reasons allowed from reception/assessment/planning (T9), codes.md §8.
ADMINISTRATIVE_CLOSURE_REASONS = frozenset(
    {"duplicate", "death", "transferred_out", "moved_abroad", "reached_majority", "lost_contact"}
)
# Closure checklist exemptions (circuit.md §5.4).
VIEWS_EXEMPT = frozenset({"duplicate", "death", "lost_contact"})
JUDICIAL_MEASURE_EXEMPT = frozenset({"death", "duplicate", "transferred_out"})
RESIDENTIAL_CARE_EXEMPT = frozenset(
    {"reached_majority", "death", "duplicate", "transferred_out", "moved_abroad"}
)
# Check 5: no closing assessment needed for these; for `no_protection_concern` (T4) the full
# assessment at level 0 takes its place (guarded by _assessment_done and _level_0).
CLOSING_ASSESSMENT_EXEMPT = frozenset(
    {
        "duplicate",
        "death",
        "lost_contact",
        "transferred_out",
        "moved_abroad",
        "no_protection_concern",
    }
)

Guard = Callable[["GuardContext"], str | None]


@dataclass(frozen=True)
class GuardContext:
    """What guards look at: the case and the request's parameters (reason, closure data)."""

    case: object
    reason: str
    closure: dict
    facts: dict  # counts computed once by the service (open blocking tasks, active emergency, ...)


def _assigned(ctx: GuardContext) -> str | None:
    if not (ctx.case.case_manager_id and ctx.case.evaluator_id):
        return str(_("Assign a case manager and an evaluator first."))
    return None


def _assessment_done(ctx: GuardContext) -> str | None:
    if not ctx.facts["assessment_done"]:
        return str(_("Record the full assessment first."))
    if ctx.facts["assessment_pending_approval"]:
        return str(_("A lowered danger level is waiting for a supervisor's approval."))
    return None


def _level_at_least_1(ctx: GuardContext) -> str | None:
    if ctx.case.risk_level < 1:
        return str(_("At level 0 the case is closed, not planned."))
    return None


def _level_0(ctx: GuardContext) -> str | None:
    if ctx.case.risk_level != 0:
        return str(_("Only a case assessed at level 0 can be closed from assessment."))
    return None


def _information_given(ctx: GuardContext) -> str | None:
    """T4: a child closed at level 0 leaves with information or an orientation, recorded."""
    if not ctx.case.information_given.strip():
        return str(_("Record the information or orientation given to the child and family."))
    return None


def _plan_ready(ctx: GuardContext) -> str | None:
    if ctx.facts["plan_actions"] < 1:
        return str(_("The case plan needs at least one goal with an action."))
    if not (ctx.case.plan_child_views or ctx.case.plan_views_not_obtained_reason):
        return str(_("Record the child's views on the plan, or why they could not be obtained."))
    return None


def _actions_finished(ctx: GuardContext) -> str | None:
    if ctx.facts["open_plan_actions"]:
        return str(_("Every plan action must be done or cancelled first."))
    return None


def _reason_given(ctx: GuardContext) -> str | None:
    if not ctx.reason.strip():
        return str(_("Give the reason."))
    return None


def _administrative_reason(ctx: GuardContext) -> str | None:
    if ctx.closure.get("reason") not in ADMINISTRATIVE_CLOSURE_REASONS:
        return str(_("From this stage a case can be closed only for an administrative reason."))
    return None


def _closure_checklist(ctx: GuardContext) -> str | None:
    """circuit.md §5.4, in its order."""
    closure, reason = ctx.closure, ctx.closure.get("reason", "")
    if ctx.facts["open_blocking_tasks"]:
        return str(_("A mandatory report to the prosecutor is neither made nor waived."))
    if ctx.facts["active_emergency"]:
        return str(_("An emergency episode is still active."))
    if ctx.facts["active_residential_care"] and reason not in RESIDENTIAL_CARE_EXEMPT:
        return str(
            _("The child is still in a shelter, an EPS or a CPE: keep the case in follow-up.")
        )
    if ctx.facts["active_judicial_measures"] and reason not in JUDICIAL_MEASURE_EXEMPT:
        return str(_("A judicial measure is still active."))
    if reason not in CLOSING_ASSESSMENT_EXEMPT and not ctx.facts["closing_assessment_recent"]:
        return str(_("Record a closing assessment (in the last 30 days) first."))
    if reason not in VIEWS_EXEMPT and not (
        closure.get("child_views") or closure.get("views_not_obtained_reason")
    ):
        return str(_("Record the child's views on closure, or why they could not be obtained."))
    if ctx.facts.get("open_referrals"):  # check 7, always
        return str(_("A referral is still open: it must be completed, declined or cancelled."))
    missing = [
        k
        for k in ("reason", "goals_outcome", "living_situation", "education_status")
        if not closure.get(k)
    ]
    if missing:
        return str(
            _(
                "Closure needs a reason, the goals outcome, the living situation and the education status."
            )
        )
    return None


@dataclass(frozen=True)
class Transition:
    code: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    guards: tuple[Guard, ...]


def _t(code, sources, target, roles, *guards) -> Transition:
    # A supervisor may perform any transition that the staff they supervise may perform.
    return Transition(
        code, frozenset(sources), target, frozenset({*roles, "supervisor"}), tuple(guards)
    )


TRANSITIONS: tuple[Transition, ...] = (
    _t("T2", {"reception"}, "assessment", {"reception_officer"}, _assigned),
    _t("T3", {"assessment"}, "planning", {"evaluator"}, _assessment_done, _level_at_least_1),
    _t(
        "T4",
        {"assessment"},
        "closed",
        {"supervisor"},
        _assessment_done,
        _level_0,
        _information_given,
        _closure_checklist,
    ),
    _t("T5", {"planning"}, "accompaniment", {"supervisor"}, _plan_ready),
    _t("T6", {"accompaniment"}, "follow_up", {"case_manager"}, _actions_finished),
    _t("T7", {"follow_up"}, "accompaniment", {"case_manager"}, _reason_given),
    _t("T8", {"accompaniment", "follow_up"}, "closed", {"supervisor"}, _closure_checklist),
    _t(
        "T9",
        {"reception", "assessment", "planning"},
        "closed",
        {"supervisor"},
        _administrative_reason,
        _closure_checklist,
    ),
    _t("T10", {"closed"}, "assessment", {"supervisor"}, _reason_given),
)


def transitions_from(stage: str, target: str | None = None) -> list[Transition]:
    return [t for t in TRANSITIONS if stage in t.sources and (target is None or t.target == target)]


def pick(stage: str, target: str, closure_reason: str = "") -> Transition | None:
    """The transition from `stage` to `target`. Closing from assessment is T4 for
    `no_protection_concern` and T9 for an administrative reason."""
    candidates = transitions_from(stage, target)
    if len(candidates) > 1 and target == "closed":
        wanted = "T4" if closure_reason == "no_protection_concern" else "T9"
        candidates = [t for t in candidates if t.code == wanted] or candidates
    return candidates[0] if candidates else None
