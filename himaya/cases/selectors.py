"""Reads of cases — the one door for pages, API, exports and fragments.

Scope: a case is visible to the case roles of its owning organisation in its territory (full
content to its case manager, evaluator and the organisation's supervisors; summary to the
other staff, DP-19) and to the judicial liaison of its territory (summary and judicial track).
Outside scope a case does not exist (404); in scope without the right, 403. Every opening of a
case is audited."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from himaya.accounts.models import Membership, Organisation
from himaya.accounts.permissions import (
    Perm,
    granting,
    has_perm,
    memberships,
    reach_of,
    scope_q,
    territory_covers,
)
from himaya.audit.services import audit_record
from himaya.cases.models import (
    Case,
    CaseEvent,
    Hearing,
    JudicialMeasure,
    JudicialReferral,
    Report,
    Task,
    Transfer,
)


def _assigned(user_id: int) -> Q:
    return Q(case_manager_id=user_id) | Q(evaluator_id=user_id)


def cases_visible_to(user, perm: Perm = Perm.CHILD_VIEW) -> QuerySet[Case]:
    q = scope_q(user, perm, assigned=_assigned)
    if q is None:
        return Case.objects.none()
    return Case.objects.filter(q)


def _in_any_scope(user, case: Case) -> bool:
    for m in memberships(user):
        reach = reach_of(m.role)
        if reach == "none" or not territory_covers(m, case):
            continue
        if reach == "territory" or m.organisation_id == case.organisation_id:
            return True
    return False


def case_get_for_user(
    user, case_id, perm: Perm = Perm.CHILD_VIEW, *, request=None, audit: bool = True
) -> Case:
    """One case, or 404 (outside scope) / 403 (in scope without `perm`); the read is audited."""
    try:
        key = uuid.UUID(str(case_id))
    except ValueError:
        raise Http404 from None
    case = (
        Case.objects.select_related(
            "child", "province", "organisation", "case_manager", "evaluator"
        )
        .filter(pk=key)
        .first()
    )
    if case is None:
        raise Http404
    if not has_perm(user, perm, case):
        in_scope = _in_any_scope(user, case)
        audit_record(
            actor=user, action="case.read", target_type="case", target_id=str(case.pk), child_id=case.child_id,
            outcome="denied", request=request, data={"permission": str(perm), "in_scope": in_scope},
        )  # fmt: skip
        if in_scope:
            raise PermissionDenied
        raise Http404
    if audit:
        audit_record(
            actor=user, action="case.read", target_type="case", target_id=str(case.pk), child_id=case.child_id,
            request=request, data={"permission": str(perm)},
        )  # fmt: skip
    return case


def case_refresh(case: Case) -> Case:
    """The current state of a case already opened through `case_get_for_user` (after a write)."""
    return Case.objects.select_related(
        "child", "province", "organisation", "case_manager", "evaluator"
    ).get(pk=case.pk)


def report_get_for_user(user, report_id) -> Report:
    """A report exists for a user only through a case of it they may see (404 otherwise)."""
    visible = cases_visible_to(user, Perm.CHILD_VIEW_SUMMARY)
    report = Report.objects.filter(pk=report_id, cases__in=visible).distinct().first()
    if report is None:
        raise Http404
    return report


def case_timeline(case: Case, *, limit: int = 500) -> list[CaseEvent]:
    """Newest first. A case's history is bounded in practice; `limit` keeps it so."""
    return list(case.events.select_related("actor").order_by("-at", "-id")[:limit])


def tasks_of(case: Case) -> list[Task]:
    return list(case.tasks.order_by("status", "due_at"))


def tasks_visible_to(user, perm: Perm = Perm.CHILD_VIEW) -> QuerySet[Task]:
    """Tasks of the cases in scope. The scope is applied to the joined case's indexed columns
    (province, organisation), so the planner starts from the user's cases, then their tasks."""
    q = scope_q(
        user,
        perm,
        prefix="case__",
        assigned=lambda uid: Q(case__case_manager_id=uid) | Q(case__evaluator_id=uid),
    )
    if q is None:
        return Task.objects.none()
    return Task.objects.filter(q)


# A task list is a page for a person, not an export: the most urgent rows only.
TASK_PAGE = 100


def my_work(user, *, now, limit: int = TASK_PAGE) -> list[Task]:
    """Open tasks of the cases the user manages or evaluates, most urgent first."""
    mine = Q(case__case_manager_id=user.pk) | Q(case__evaluator_id=user.pk)
    return list(
        tasks_visible_to(user)
        .filter(mine, status="open")
        .exclude(case__stage="closed")
        .select_related("case", "case__child")
        .order_by("due_at")[:limit]
    )


def overdue_for_supervisor(user, *, now, limit: int = TASK_PAGE) -> list[Task]:
    """Overdue open tasks of every case the supervisor oversees, by level then lateness."""
    if not has_perm(user, Perm.JUDICIAL_WAIVE):
        raise PermissionDenied
    return list(
        tasks_visible_to(user)
        .filter(status="open", due_at__lt=now)
        .exclude(case__stage="closed")
        .select_related("case", "case__child", "case__case_manager")
        .order_by("-case__risk_level", "due_at")[:limit]
    )


def assign_candidates(case: Case) -> list[Membership]:
    """People of the case's organisation who may be assigned (case manager, evaluator roles)."""
    return list(
        Membership.objects.filter(
            organisation_id=case.organisation_id,
            role__in=("case_manager", "evaluator"),
            active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("role", "user__last_name", "user__username")[:300]
    )


def transfer_targets(case: Case) -> list[Organisation]:
    return list(
        Organisation.objects.filter(active=True, type__in=("cape", "upe"), province__isnull=False)
        .exclude(pk=case.organisation_id)
        .order_by("code")[:500]
    )


def incoming_transfers(user, *, case_id=None) -> list[Transfer]:
    """Transfers waiting for the user's decision: addressed to an organisation where the user
    holds the right to decide transfers. The receiving side does not see the case until it
    accepts, so this shows the transfer, not the file."""
    organisations = [m.organisation_id for m in granting(user, Perm.TRANSFER_DECIDE)]
    if not organisations:
        return []
    rows = Transfer.objects.filter(to_organisation_id__in=organisations, status="requested")
    if case_id is not None:
        rows = rows.filter(case_id=case_id)
    return list(
        rows.select_related("case", "from_organisation", "requested_by").order_by(
            "response_due_at"
        )[:100]
    )


# --- links ---------------------------------------------------------------------------------------


def case_links(user, case: Case) -> list[dict]:
    """The cases linked to `case` (same report, sibling, previous episode...). A linked case
    the user may not see is shown by its kind only, without number or link (one door)."""
    links = list(case.links.select_related("other").order_by("kind", "other__number")[:100])
    if not links:
        return []
    visible = set(
        cases_visible_to(user, Perm.CHILD_VIEW_SUMMARY)
        .filter(pk__in=[link.other_id for link in links])
        .values_list("pk", flat=True)
    )
    return [
        {
            "kind": link.kind,
            "case_id": link.other_id if link.other_id in visible else None,
            "number": link.other.number if link.other_id in visible else None,
            "stage": link.other.stage if link.other_id in visible else None,
        }
        for link in links
    ]


# --- judicial track ------------------------------------------------------------------------------

# The task kinds of the judicial track (circuit.md §7.3): shown on the judicial page.
JUDICIAL_TASK_KINDS = (
    "report_to_prosecutor",
    "judicial_protection_request",
    "ls_report",
    "hearing_reminder",
    "measure_expiry",
)
INBOX_PAGE = 100


def _judicial_scope(user) -> Q | None:
    """The records of the cases whose judicial track `user` may read: DATA_JUDICIAL's scope
    (the judicial liaison: every case of the territory; the case team: their cases)."""
    return scope_q(
        user,
        Perm.DATA_JUDICIAL,
        prefix="case__",
        assigned=lambda uid: Q(case__case_manager_id=uid) | Q(case__evaluator_id=uid),
    )


def judicial_inbox(user, *, now, request=None, limit: int = INBOX_PAGE) -> dict:
    """The judicial liaison's inbox: reports to the prosecutor due or overdue, the reports
    made, the active measures, the hearings to come and the supervised-liberty reports due, in
    the user's judicial scope. Shows children's names (summary identity): the read is audited,
    with the cases listed."""
    if not has_perm(user, Perm.DATA_JUDICIAL):
        raise PermissionDenied
    q = _judicial_scope(user)
    if q is None:
        empty: dict = {"pending": [], "reports": [], "measures": [], "hearings": [], "ls_due": []}
        return empty
    related = ("case", "case__child", "case__organisation")
    open_tasks = Task.objects.filter(q, status="open").exclude(case__stage="closed")
    inbox = {
        "pending": list(
            open_tasks.filter(kind__in=("report_to_prosecutor", "judicial_protection_request"))
            .select_related(*related)
            .order_by("due_at")[:limit]
        ),
        "reports": list(
            JudicialReferral.objects.filter(q).select_related(*related).order_by("-sent_at")[:limit]
        ),
        "measures": list(
            JudicialMeasure.objects.filter(q, status="active")
            .select_related(*related)
            .order_by("ends_on", "-decided_at")[:limit]
        ),
        "hearings": list(
            Hearing.objects.filter(q, scheduled_at__gte=now - timedelta(days=1))
            .select_related(*related)
            .order_by("scheduled_at")[:limit]
        ),
        "ls_due": list(
            open_tasks.filter(kind__in=("ls_report", "measure_expiry"))
            .select_related(*related)
            .order_by("due_at")[:limit]
        ),
    }
    shown = sorted({str(row.case_id) for rows in inbox.values() for row in rows})
    audit_record(
        actor=user, action="judicial.inbox", target_type="case", request=request,
        data={"cases": shown},
    )  # fmt: skip
    return inbox


def judicial_track(case: Case) -> dict:
    """The judicial records of a case opened through `case_get_for_user` with DATA_JUDICIAL."""
    return {
        "referrals": list(case.judicial_referrals.order_by("-sent_at")[:100]),
        "measures": list(
            case.judicial_measures.select_related("institution").order_by("-decided_at")[:100]
        ),
        "hearings": list(case.hearings.order_by("-scheduled_at")[:100]),
        "ls_reports": list(case.ls_reports.order_by("-period_end")[:100]),
        "tasks": list(
            case.tasks.filter(kind__in=JUDICIAL_TASK_KINDS).order_by("status", "due_at")[:100]
        ),
    }
