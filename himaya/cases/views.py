"""Pages of the protection circuit: intake of a report, the case page and its actions, the
worker's and the supervisor's task lists, the case list.

Thin: parse with a form, call a selector or a service, render. Every case is opened through
`selectors.case_get_for_user` (404 outside scope, 403 in scope without the right), every write
is a service call that checks, validates, audits and records the timeline event. An action is
a POST to its own URL that redirects back to the case page with a message; a refusal of the
workflow (Conflict) changes nothing and comes back as an error message; invalid input
re-renders the case page with the errors next to the form (400).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.accounts.access import access
from himaya.accounts.permissions import Perm, has_perm, memberships, territory_covers
from himaya.cases import forms as case_forms
from himaya.cases import panels, selectors, services, workflow
from himaya.cases.models import Case, CaseEvent
from himaya.cases.services import Conflict, StaleVersion
from himaya.children import selectors as child_selectors
from himaya.children import services as child_services
from himaya.core import codes

PAGE_SIZE = 50
TIMELINE_LIMIT = 100
FOLLOW_UP_LIMIT = 50
PLAN_STAGES = ("planning", "accompaniment", "follow_up")
ASSESSED_STAGES = ("assessment", *PLAN_STAGES)
TASK_STATUS_LABELS = {
    "open": pgettext_lazy("task status", "Open"),
    "done": pgettext_lazy("task status", "Done"),
    "waived": pgettext_lazy("task status", "Waived"),
    "cancelled": pgettext_lazy("task status", "Cancelled"),
}


# --- helpers -------------------------------------------------------------------------------------


def apply_service_errors(form, error: ValidationError) -> None:
    """Show a service's validation error on the form field it names. Services name a report's
    child fields "children[0].<field>" and closure fields "closure.<field>"; a form may rename
    others in its SERVICE_FIELDS."""
    renamed = getattr(form, "SERVICE_FIELDS", {})
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.message_dict.items():
        field = renamed.get(name, name).removeprefix("children[0].").removeprefix("closure.")
        form.add_error(field if field in form.fields else None, errors)


def _roles_on(user, case: Case) -> set[str]:
    """The roles the user holds in the case's organisation over its territory."""
    return {
        m.role
        for m in memberships(user)
        if m.organisation_id == case.organisation_id and territory_covers(m, case)
    }


def _may(user, case: Case) -> dict[str, bool]:
    """Who may act on this case, per action (the services check the same rules again). The
    page shows an action's form only when the user may; its URL answers 403 otherwise."""
    roles = _roles_on(user, case)
    work = has_perm(user, Perm.CASE_WORK, case)
    judicial = has_perm(user, Perm.JUDICIAL_RECORD, case)
    return {
        "transition": has_perm(user, Perm.CHILD_VIEW, case),
        "assign": has_perm(user, Perm.CASE_ASSIGN, case),
        "assess": has_perm(user, Perm.ASSESSMENT_RECORD, case),
        "safety_action": work,
        "emergency_resolve": work,
        "plan_action_add": work,
        "plan_action_update": work,
        "follow_up": work,
        "relation_add": work and has_perm(user, Perm.CHILD_EDIT, case.child),
        "plan_views": work,
        "information_views": work,
        "transfer_request": work and bool(roles & {"case_manager", "supervisor"}),
        "judicial_report": judicial,
        "judicial_measure": judicial,
        "ls_report": judicial,
        "referral_outcome": judicial,
        "judicial_waive": has_perm(user, Perm.JUDICIAL_WAIVE, case),
        # data-protection.md §4: judicial content is shown to DATA_JUDICIAL holders; others see
        # only that the judicial track exists (flag).
        "judicial_data": has_perm(user, Perm.DATA_JUDICIAL, case),
    }


# Actions of the judicial track: the judicial liaison reaches them with the summary of the case
# (identity, stage) and the judicial data, never the full file.
JUDICIAL_ACTIONS = frozenset(
    {"judicial_report", "judicial_measure", "ls_report", "referral_outcome"}
)


def _case_for_action(request, case_id, action: str) -> Case:
    """The case an action targets: 404 outside scope, 403 without the case or the action's
    right. The read itself is not audited here: the action's service audits the write."""
    perm = Perm.CHILD_VIEW_SUMMARY if action in JUDICIAL_ACTIONS else Perm.CHILD_VIEW
    case = selectors.case_get_for_user(request.user, case_id, perm, audit=False)
    if not _may(request.user, case)[action]:
        raise PermissionDenied
    return case


def _on_judicial_page(request, case: Case) -> bool:
    """Whether the action came from (and goes back to) the judicial page: asked by the form,
    or the only case page the user may open."""
    if not has_perm(request.user, Perm.DATA_JUDICIAL, case):
        return False
    return request.POST.get("page") == "judicial" or not has_perm(
        request.user, Perm.CHILD_VIEW, case
    )


def _back(case: Case, request=None):
    if request is not None and _on_judicial_page(request, case):
        return redirect("cases:judicial_case", case_id=case.pk)
    return redirect("cases:detail", case_id=case.pk)


def _local(value: datetime | str | None) -> str:
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return ""
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def _stale_message() -> str:
    return _("This case was changed by someone else in the meantime. Check it and try again.")


def _run(request, case: Case, action: str, form, call, success: str, *, stale_on_form=False):
    """Validate `form` and call the service. Success and workflow refusals redirect to the
    case page with a message (nothing was changed by a refusal: the service raised inside its
    transaction); invalid input re-renders the case page with the errors (400)."""
    status = 400
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except Conflict as refusal:
            messages.error(request, refusal.message)
            return _back(case, request)
        except StaleVersion:
            if not stale_on_form:
                messages.error(request, _stale_message())
                return _back(case, request)
            form.add_error(None, _stale_message())
            status = 409
        else:
            messages.success(request, success)
            return _back(case, request)
    # Re-rendering shows the case: a read, audited through the one door.
    if _on_judicial_page(request, case):
        case = selectors.case_get_for_user(
            request.user, case.pk, Perm.DATA_JUDICIAL, request=request
        )
        return _judicial_page(request, case, bound={action: form}, status=status)
    case = selectors.case_get_for_user(request.user, case.pk, Perm.CHILD_VIEW, request=request)
    return _case_page(request, case, bound={action: form}, status=status)


# The same for actions of the apps that add a panel to the case page (panels.py).
run_case_action = _run


# --- timeline ------------------------------------------------------------------------------------

_CHANGED_FIELD_LABELS = {
    "information_given": gettext_noop("Information given to the child and the caregivers"),
    "first_child_views": gettext_noop("The child's first views"),
    "first_views_not_obtained_reason": gettext_noop(
        "Why the child's first views could not be obtained"
    ),
    "plan_caregiver_views": gettext_noop("The caregivers' views on the plan"),
    "plan_child_views": gettext_noop("The child's views on the plan"),
    "plan_views_not_obtained_reason": gettext_noop("Why the child's views could not be obtained"),
    "caregiver_consent": gettext_noop("Caregivers' consent"),
}
_JUDICIAL_EVENTS = frozenset(
    {
        "judicial_report",
        "judicial_measure",
        "judicial_task_waived",
        "hearing",
        "ls_report",
        "judicial_outcome",
    }
)
LINK_KIND_LABELS = {
    "same_report": pgettext_lazy("case link", "Same report"),
    "sibling": pgettext_lazy("case link", "Sibling"),
    "same_household": pgettext_lazy("case link", "Same household"),
    "previous_episode": pgettext_lazy("case link", "Previous episode"),
}
TASK_AUDIENCE_LABELS = {
    "assignee": gettext_noop("the assignee"),
    "supervisors": gettext_noop("the supervisors"),
    "judicial_liaisons": gettext_noop("the judicial liaison"),
}


def _reassessment_trigger_label(trigger: str) -> str:
    return {
        "new_report": _("a new report"),
        "judicial_decision": _("a judicial decision"),
        "follow_up_new_concern": _("a new concern at a follow-up"),
        "reopening": _("the case was reopened"),
    }.get(trigger, trigger)


def describe_event(event: CaseEvent, *, judicial_data: bool) -> str:
    """One timeline event as a sentence in the active language, from its kind and data."""
    d = event.data or {}
    kind = event.kind
    if kind in _JUDICIAL_EVENTS and not judicial_data:
        return _("The judicial track was updated.")
    label = codes.label
    if kind == "opened":
        return _("Case opened from report %(report)s at triage level %(level)s.") % {
            "report": d.get("report", ""),
            "level": d.get("triage_level", ""),
        }
    if kind == "report_linked":
        return _("Report %(report)s added to this case.") % {"report": d.get("report", "")}
    if kind == "reassessment_due":
        return _("A reassessment is due after %(trigger)s.") % {
            "trigger": _reassessment_trigger_label(d.get("trigger", ""))
        }
    if kind == "emergency_opened":
        if d.get("flags"):
            return _("Emergency opened (immediate-danger flags %(flags)s).") % {
                "flags": ", ".join(d["flags"])
            }
        return _("Emergency opened.")
    if kind == "assigned":
        return _("%(user)s assigned as %(role)s.") % {
            "user": d.get("user", ""),
            "role": label("user_role", d.get("role", "")),
        }
    if kind == "transition":
        return _("Moved from %(from)s to %(to)s.") % {
            "from": label("case_stage", event.from_stage),
            "to": label("case_stage", event.to_stage),
        }
    if kind == "updated":
        changed = [_(_CHANGED_FIELD_LABELS.get(name, name)) for name in d.get("changes", {})]
        return _("Case details changed: %(fields)s.") % {"fields": ", ".join(changed) or "—"}
    if kind == "assessed":
        return _("Assessment recorded: level %(level)s (before: %(previous)s).") % {
            "level": d.get("level", ""),
            "previous": d.get("previous", ""),
        }
    if kind == "assessment_approved":
        return _("A supervisor approved the lowered level: level %(level)s applies now.") % {
            "level": d.get("level", "")
        }
    if kind == "assessment_rejected":
        return _("A supervisor rejected the lowered level; the computed level stays.")
    if kind == "safety_action":
        return _("Safety action: %(action)s, outcome: %(outcome)s.") % {
            "action": label("safety_action_type", d.get("action_type", "")),
            "outcome": dict(case_forms.SAFETY_OUTCOMES).get(d.get("outcome") or "", "—"),
        }
    if kind == "emergency_resolved":
        return _("Emergency resolved.")
    if kind == "judicial_report":
        return _("Reported to %(court)s (%(type)s), reference %(reference)s.") % {
            "court": d.get("court", ""),
            "type": label("judicial_referral_type", d.get("referral_type", "")),
            "reference": d.get("reference") or "—",
        }
    if kind == "judicial_task_waived":
        return _("%(task)s waived: %(reason)s.") % {
            "task": label("task_type", d.get("kind", "")),
            "reason": label("waiver_reason", d.get("reason_code", "")),
        }
    if kind == "judicial_measure":
        return _("Judicial measure recorded: %(measure)s, from %(starts)s.") % {
            "measure": label("judicial_measure_type", d.get("measure_type", "")),
            "starts": d.get("starts_on", ""),
        }
    if kind == "hearing":
        return _("Hearing on %(when)s.") % {"when": _local(d.get("scheduled_at"))}
    if kind == "plan_action":
        return _("Plan action added: %(service)s, “%(goal)s”, due on %(due)s.") % {
            "service": label("service_type", d.get("service", "")),
            "goal": d.get("goal", ""),
            "due": d.get("due_on", ""),
        }
    if kind == "plan_action_status":
        statuses = case_forms.PLAN_ACTION_STATUS_LABELS
        return _("Plan action %(service)s: %(previous)s → %(status)s.") % {
            "service": label("service_type", d.get("service", "")),
            "previous": statuses.get(d.get("previous", ""), d.get("previous", "")),
            "status": statuses.get(d.get("status", ""), d.get("status", "")),
        }
    if kind == "follow_up":
        template = (
            _("Follow-up contact (%(contact)s) on %(when)s, child seen.")
            if d.get("child_seen")
            else _("Follow-up contact (%(contact)s) on %(when)s, child not seen.")
        )
        return template % {
            "contact": label("follow_up_contact_type", d.get("contact", "")),
            "when": _local(d.get("happened_at")),
        }
    if kind == "ls_report":
        template = (
            _("Supervised-liberty report for %(start)s – %(end)s sent on %(sent)s (late).")
            if d.get("late")
            else _("Supervised-liberty report for %(start)s – %(end)s sent on %(sent)s.")
        )
        return template % {
            "start": d.get("period_start", ""),
            "end": d.get("period_end", ""),
            "sent": d.get("sent_on", ""),
        }
    if kind == "judicial_outcome":
        return _("Answer of the prosecutor: %(outcome)s (%(on)s).") % {
            "outcome": label("judicial_referral_outcome", d.get("outcome", "")),
            "on": d.get("outcome_on", ""),
        }
    if kind == "linked":
        return _("Linked to case %(number)s (%(kind)s).") % {
            "number": d.get("other", ""),
            "kind": LINK_KIND_LABELS.get(d.get("link_kind", ""), d.get("link_kind", "")),
        }
    if kind == "escalated":
        return _("Overdue task %(task)s: %(audiences)s notified.") % {
            "task": label("task_type", d.get("task", "")),
            "audiences": ", ".join(
                _(TASK_AUDIENCE_LABELS[a])
                for a in d.get("audiences", [])
                if a in TASK_AUDIENCE_LABELS
            )
            or "—",
        }
    if kind == "transfer_requested":
        return _("Transfer requested to %(organisation)s (%(reason)s).") % {
            "organisation": d.get("to", ""),
            "reason": label("transfer_reason", d.get("reason", "")),
        }
    if kind == "transfer_accepted":
        return _("Transfer accepted.")
    if kind == "transfer_rejected":
        return _("Transfer refused.")
    if kind.startswith("referral_"):  # written by himaya.referrals.services
        return _referral_event_text(kind, d, label)
    return kind


def _referral_event_text(kind: str, d: dict, label) -> str:
    service = label("service_type", d.get("service", ""))
    if kind == "referral_sent":
        from django.utils.translation import get_language

        place = d.get("institution_ar") if (get_language() or "")[:2] == "ar" else None
        return _("Referred to %(institution)s for %(service)s, due on %(due)s.") % {
            "institution": place or d.get("institution", ""),
            "service": service,
            "due": d.get("due_on", ""),
        }
    if kind == "referral_accepted":
        return _("Referral for %(service)s accepted.") % {"service": service}
    if kind == "referral_declined":
        return _("Referral for %(service)s declined: %(reason)s.") % {
            "service": service,
            "reason": label("referral_refusal_reason", d.get("reason", "")),
        }
    if kind == "referral_completed":
        return _("Referral for %(service)s completed.") % {"service": service}
    if kind == "referral_cancelled":
        return _("Referral for %(service)s cancelled.") % {"service": service}
    return kind


# --- the case page -------------------------------------------------------------------------------


@dataclass
class TransitionOption:
    target: str
    label: str
    form: object
    closing: bool


def _transition_options(request, case: Case, bound: dict) -> list[TransitionOption]:
    options = []
    for target in services.allowed_transitions(request.user, case):
        key = f"transition:{target}"
        closing = target == "closed"
        form_class = case_forms.CloseForm if closing else case_forms.TransitionForm
        form = bound.get(key) or form_class(
            initial={"to": target, "version": case.version}, auto_id=f"id_to_{target}_%s"
        )
        # The reason is asked where a guard needs it (T7, T10); elsewhere it stays optional.
        if not closing and not any(
            workflow._reason_given in t.guards
            for t in workflow.transitions_from(case.stage, target)
        ):
            form.fields["reason"].widget = form.fields["reason"].hidden_widget()
        options.append(TransitionOption(target, codes.label("case_stage", target), form, closing))
    return options


def _case_page(request, case: Case, *, bound: dict | None = None, status: int = 200):
    """Render the case page. `bound` holds the submitted form of a failed action, shown with
    its errors in place of the blank one."""
    bound = bound or {}
    user = request.user
    may = _may(user, case)
    now = timezone.now()
    open_stage = case.stage != "closed"

    tasks = selectors.tasks_of(case)
    task_rows = [
        {
            "task": t,
            "overdue": t.status == "open" and t.due_at < now,
            "status_label": TASK_STATUS_LABELS.get(t.status, t.status),
        }
        for t in tasks
    ]
    events = selectors.case_timeline(case, limit=TIMELINE_LIMIT)
    timeline = [
        {"event": e, "text": describe_event(e, judicial_data=may["judicial_data"])} for e in events
    ]
    plan_actions = list(case.plan_actions.select_related("responsible_org").order_by("due_on"))
    follow_ups = list(
        case.follow_ups.select_related("recorded_by").order_by("-happened_at")[:FOLLOW_UP_LIMIT]
    )
    outcomes = dict(case_forms.SAFETY_OUTCOMES)
    episodes = [
        {
            "episode": episode,
            "actions": [(a, outcomes.get(a.outcome, a.outcome)) for a in episode.actions.all()],
        }
        for episode in case.emergencies.prefetch_related("actions__provider").order_by("-opened_at")
    ]
    referrals = measures = hearings = ()
    if may["judicial_data"]:
        hearings = list(case.hearings.order_by("-scheduled_at")[:50])
        referrals = list(case.judicial_referrals.order_by("-sent_at"))
        measures = list(
            case.judicial_measures.select_related("institution").order_by("-decided_at")
        )
    report = case.first_report
    blocking_kinds = sorted({t.kind for t in tasks if t.status == "open" and t.blocking_closure})

    def form_for(action: str, factory):
        return bound.get(action) or factory()

    def auto(action: str) -> str:
        return f"id_{action}_%s"

    forms = {}
    if may["assign"] and open_stage:
        candidates = selectors.assign_candidates(case)
        forms["assign"] = form_for(
            "assign",
            lambda: case_forms.AssignForm(candidates=candidates, auto_id=auto("assign")),
        )
    if may["safety_action"] and open_stage:
        forms["safety_action"] = form_for(
            "safety_action", lambda: case_forms.SafetyActionForm(auto_id=auto("safety"))
        )
    if may["emergency_resolve"] and case.emergency_status == "active":
        forms["emergency_resolve"] = form_for(
            "emergency_resolve", lambda: case_forms.EmergencyResolveForm(auto_id=auto("resolve"))
        )
    if may["judicial_report"]:
        forms["judicial_report"] = form_for(
            "judicial_report", lambda: case_forms.JudicialReportForm(auto_id=auto("jreport"))
        )
    if may["judicial_waive"] and blocking_kinds:
        forms["judicial_waive"] = form_for(
            "judicial_waive",
            lambda: case_forms.JudicialWaiveForm(kinds=blocking_kinds, auto_id=auto("waive")),
        )
    if may["judicial_measure"]:
        forms["hearing"] = form_for(
            "hearing", lambda: case_forms.HearingForm(auto_id=auto("hearing"))
        )
        forms["judicial_measure"] = form_for(
            "judicial_measure", lambda: case_forms.JudicialMeasureForm(auto_id=auto("measure"))
        )
    has_ls_measure = any(
        m.measure_type == "supervised_liberty" and m.status == "active" for m in measures
    )
    if may["ls_report"] and may["judicial_data"] and has_ls_measure:
        forms["ls_report"] = form_for(
            "ls_report", lambda: case_forms.LSReportForm(auto_id=auto("ls"))
        )
    if may["plan_action_add"] and case.stage in PLAN_STAGES:
        forms["plan_action_add"] = form_for(
            "plan_action_add", lambda: case_forms.PlanActionForm(auto_id=auto("plan"))
        )
    if may["plan_views"] and case.stage in PLAN_STAGES:
        forms["plan_views"] = form_for(
            "plan_views",
            lambda: case_forms.PlanViewsForm(
                initial={
                    "plan_child_views": case.plan_child_views,
                    "plan_views_not_obtained_reason": case.plan_views_not_obtained_reason,
                    "plan_caregiver_views": case.plan_caregiver_views,
                    "caregiver_consent": case.caregiver_consent,
                    "version": case.version,
                },
                auto_id=auto("views"),
            ),
        )
    if may["information_views"] and open_stage:
        forms["information_views"] = form_for(
            "information_views",
            lambda: case_forms.InformationViewsForm(
                initial={
                    "information_given": case.information_given,
                    "first_child_views": case.first_child_views,
                    "first_views_not_obtained_reason": case.first_views_not_obtained_reason,
                    "version": case.version,
                },
                auto_id=auto("info"),
            ),
        )
    if may["relation_add"] and open_stage:
        forms["relation_add"] = form_for(
            "relation_add", lambda: case_forms.RelationForm(auto_id=auto("relation"))
        )
    if may["follow_up"] and open_stage:
        forms["follow_up"] = form_for(
            "follow_up", lambda: case_forms.FollowUpForm(auto_id=auto("followup"))
        )
    if may["transfer_request"] and open_stage and not case.pending_transfer_id:
        targets = selectors.transfer_targets(case)
        forms["transfer_request"] = form_for(
            "transfer_request",
            lambda: case_forms.TransferRequestForm(organisations=targets, auto_id=auto("transfer")),
        )
    action_rows = []
    for action in plan_actions:
        form = None
        if may["plan_action_update"] and open_stage and action.status not in ("done", "cancelled"):
            form = bound.get(f"plan_action_update:{action.pk}") or case_forms.PlanActionStatusForm(
                initial={"status": action.status, "version": action.version},
                auto_id=f"id_pa_{action.pk.hex}_%s",
            )
        action_rows.append(
            {
                "action": action,
                "form": form,
                "status_label": case_forms.PLAN_ACTION_STATUS_LABELS.get(
                    action.status, action.status
                ),
            }
        )

    from himaya.assessment.history import case_history  # the assessment app builds on cases

    context = {
        "history": case_history(case),
        "case": case,
        "child": case.child,
        "report": report,
        "may": may,
        "tasks": task_rows,
        "timeline": timeline,
        "timeline_truncated": len(events) >= TIMELINE_LIMIT,
        "plan_actions": action_rows,
        "follow_ups": follow_ups,
        "relations": list(
            case.child.relations.select_related("person").order_by("created_at")[:50]
        ),
        "episodes": episodes,
        "referrals": referrals,
        "measures": measures,
        "hearings": hearings,
        "ls_reports": list(case.ls_reports.order_by("-period_end")[:50])
        if any(m.measure_type == "supervised_liberty" for m in measures)
        else [],
        "links": [
            {**link, "label": LINK_KIND_LABELS.get(link["kind"], link["kind"])}
            for link in selectors.case_links(user, case)
        ],
        "pending_transfer": case.pending_transfer,
        "transitions": _transition_options(request, case, bound) if may["transition"] else [],
        "forms": forms,
        "errors_in": next(iter(bound), ""),
        "panels": panels.render(request, case, bound),
    }
    return render(request, "cases/case_detail.html", context, status=status)


@access(Perm.CHILD_VIEW)
@require_GET
def case_detail(request, case_id):
    case = selectors.case_get_for_user(request.user, case_id, Perm.CHILD_VIEW, request=request)
    return _case_page(request, case)


# --- the judicial liaison's pages ----------------------------------------------------------------


def _judicial_page(request, case: Case, *, bound: dict | None = None, status: int = 200):
    """The judicial case page: the child's summary identity and the judicial track only — no
    narrative, no plan, no notes, no reporter (data-protection.md §4, DP-19)."""
    bound = bound or {}
    may = _may(request.user, case)
    track = selectors.judicial_track(case)
    now = timezone.now()
    forms = {}

    def form_for(action: str, factory):
        return bound.get(action) or factory()

    if may["judicial_report"]:
        forms["judicial_report"] = form_for(
            "judicial_report", lambda: case_forms.JudicialReportForm(auto_id="id_jreport_%s")
        )
    if may["judicial_measure"]:
        forms["judicial_measure"] = form_for(
            "judicial_measure", lambda: case_forms.JudicialMeasureForm(auto_id="id_measure_%s")
        )
        forms["hearing"] = form_for(
            "hearing", lambda: case_forms.HearingForm(auto_id="id_hearing_%s")
        )
    if may["ls_report"] and any(
        m.measure_type == "supervised_liberty" and m.status == "active" for m in track["measures"]
    ):
        forms["ls_report"] = form_for(
            "ls_report", lambda: case_forms.LSReportForm(auto_id="id_ls_%s")
        )
    referrals = [
        {
            "referral": r,
            "form": (
                bound.get(f"referral_outcome:{r.pk}")
                or case_forms.ReferralOutcomeForm(
                    initial={"outcome": r.outcome, "reference": r.reference},
                    auto_id=f"id_outcome_{r.pk.hex}_%s",
                )
            )
            if may["referral_outcome"]
            else None,
        }
        for r in track["referrals"]
    ]
    events = [
        {"event": e, "text": describe_event(e, judicial_data=True)}
        for e in selectors.case_timeline(case, limit=TIMELINE_LIMIT)
        if e.kind in _JUDICIAL_EVENTS
    ]
    context = {
        "case": case,
        "child": case.child,
        "age": services._age_on(case.child, timezone.localdate()),
        "referrals": referrals,
        "measures": track["measures"],
        "hearings": track["hearings"],
        "ls_reports": track["ls_reports"],
        "tasks": [
            {
                "task": t,
                "overdue": t.status == "open" and t.due_at < now,
                "status_label": TASK_STATUS_LABELS.get(t.status, t.status),
            }
            for t in track["tasks"]
        ],
        "timeline": events,
        "forms": forms,
        "full_page": has_perm(request.user, Perm.CHILD_VIEW, case),
        "errors_in": next(iter(bound), ""),
    }
    return render(request, "cases/judicial_case.html", context, status=status)


@access(Perm.DATA_JUDICIAL)
@require_GET
def judicial_case(request, case_id):
    case = selectors.case_get_for_user(request.user, case_id, Perm.DATA_JUDICIAL, request=request)
    return _judicial_page(request, case)


@access(Perm.DATA_JUDICIAL)
@require_GET
def judicial_inbox(request):
    """The signalements and judicial follow-up of the user's judicial scope (the judicial
    liaison: the territory)."""
    now = timezone.now()
    inbox = selectors.judicial_inbox(request.user, now=now, request=request)
    return render(request, "cases/judicial_inbox.html", {**inbox, "now": now})


# --- case actions --------------------------------------------------------------------------------


@access(Perm.CHILD_VIEW)
@require_POST
def case_transition(request, case_id):
    case = _case_for_action(request, case_id, "transition")
    to = request.POST.get("to", "")
    to = to if to in workflow.STAGES else ""
    closing = to == "closed"
    form_class = case_forms.CloseForm if closing else case_forms.TransitionForm
    form = form_class(request.POST, auto_id=f"id_to_{to}_%s")
    # Whether the user's role may perform a move at all is access (403); whether the case meets
    # the move's guards is the workflow's answer (Conflict, shown as a message).
    transition = workflow.pick(case.stage, to, request.POST.get("closure_reason", ""))
    if transition is not None and not _roles_on(request.user, case) & transition.roles:
        raise PermissionDenied

    def call(data):
        services.case_transition(
            actor=request.user, case_id=case.pk, to=data["to"], reason=data["reason"],
            closure=form.closure() or None, version=data["version"], request=request,
        )  # fmt: skip

    success = _("The case moved to %(stage)s.") % {"stage": codes.label("case_stage", to)}
    return _run(request, case, f"transition:{to}", form, call, success)


@access(Perm.CASE_ASSIGN)
@require_POST
def case_assign(request, case_id):
    case = _case_for_action(request, case_id, "assign")
    form = case_forms.AssignForm(
        request.POST, candidates=selectors.assign_candidates(case), auto_id="id_assign_%s"
    )

    def call(data):
        role, user = data["assignee"]
        services.case_assign(
            actor=request.user, case_id=case.pk, user=user, as_role=role, request=request
        )

    return _run(request, case, "assign", form, call, _("Assignment saved."))


@access(Perm.CASE_WORK)
@require_POST
def safety_action_add(request, case_id):
    case = _case_for_action(request, case_id, "safety_action")
    form = case_forms.SafetyActionForm(request.POST, auto_id="id_safety_%s")

    def call(data):
        services.safety_action_add(
            actor=request.user, case_id=case.pk, action_type=data["action_type"],
            requested_at=data["requested_at"], completed_at=data["completed_at"],
            outcome=data["outcome"], note=data["note"], provider=data["provider"], request=request,
        )  # fmt: skip

    return _run(request, case, "safety_action", form, call, _("Safety action recorded."))


@access(Perm.CASE_WORK)
@require_POST
def emergency_resolve(request, case_id):
    case = _case_for_action(request, case_id, "emergency_resolve")
    form = case_forms.EmergencyResolveForm(request.POST, auto_id="id_resolve_%s")

    def call(data):
        services.emergency_resolve(
            actor=request.user, case_id=case.pk, note=data["note"], request=request
        )

    return _run(request, case, "emergency_resolve", form, call, _("Emergency resolved."))


@access(Perm.JUDICIAL_RECORD)
@require_POST
def judicial_report(request, case_id):
    case = _case_for_action(request, case_id, "judicial_report")
    form = case_forms.JudicialReportForm(request.POST, auto_id="id_jreport_%s")

    def call(data):
        services.judicial_report_record(
            actor=request.user, case_id=case.pk, court=data["court"], sent_at=data["sent_at"],
            reference=data["reference"], referral_type=data["referral_type"],
            made_by=data["made_by"], transmission=data["transmission"],
            cover_linked=data["cover_linked"], request=request,
        )  # fmt: skip

    return _run(
        request, case, "judicial_report", form, call, _("Report to the prosecutor recorded.")
    )


@access(Perm.JUDICIAL_WAIVE)
@require_POST
def judicial_waive(request, case_id):
    case = _case_for_action(request, case_id, "judicial_waive")
    kinds = sorted(
        set(case.tasks.filter(status="open", blocking_closure=True).values_list("kind", flat=True))
    )
    form = case_forms.JudicialWaiveForm(request.POST, kinds=kinds, auto_id="id_waive_%s")

    def call(data):
        services.judicial_task_waive(
            actor=request.user, case_id=case.pk, reason_code=data["reason_code"],
            note=data["note"], kind=data["kind"], request=request,
        )  # fmt: skip

    return _run(request, case, "judicial_waive", form, call, _("Mandatory task waived."))


@access(Perm.JUDICIAL_RECORD)
@require_POST
def judicial_measure(request, case_id):
    case = _case_for_action(request, case_id, "judicial_measure")
    form = case_forms.JudicialMeasureForm(request.POST, auto_id="id_measure_%s")

    def call(data):
        services.judicial_measure_add(
            actor=request.user, case_id=case.pk, measure_type=data["measure_type"],
            decided_at=data["decided_at"], starts_on=data["starts_on"], ends_on=data["ends_on"],
            review_on=data["review_on"], received_on=data["received_on"], request=request,
        )  # fmt: skip

    return _run(request, case, "judicial_measure", form, call, _("Judicial measure recorded."))


@access(Perm.JUDICIAL_RECORD)
@require_POST
def hearing_add(request, case_id):
    case = _case_for_action(request, case_id, "judicial_measure")  # same right as measures
    form = case_forms.HearingForm(request.POST, auto_id="id_hearing_%s")

    def call(data):
        services.hearing_add(
            actor=request.user,
            case_id=case.pk,
            scheduled_at=data["scheduled_at"],
            kind=data["kind"],
            request=request,
        )

    return _run(request, case, "hearing", form, call, _("Hearing recorded."))


@access(Perm.JUDICIAL_RECORD)
@require_POST
def ls_report_add(request, case_id):
    case = _case_for_action(request, case_id, "ls_report")
    form = case_forms.LSReportForm(request.POST, auto_id="id_ls_%s")

    def call(data):
        services.ls_report_record(actor=request.user, case_id=case.pk, request=request, **data)

    return _run(request, case, "ls_report", form, call, _("Supervised-liberty report recorded."))


@access(Perm.JUDICIAL_RECORD)
@require_POST
def referral_outcome(request, case_id, referral_id):
    case = _case_for_action(request, case_id, "referral_outcome")
    referral = case.judicial_referrals.filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    form = case_forms.ReferralOutcomeForm(request.POST, auto_id=f"id_outcome_{referral.pk.hex}_%s")

    def call(data):
        services.judicial_referral_outcome(
            actor=request.user, referral_id=referral.pk, request=request, **data
        )

    return _run(
        request, case, f"referral_outcome:{referral.pk}", form, call,
        _("Answer of the prosecutor recorded."),
    )  # fmt: skip


@access(Perm.CASE_WORK)
@require_POST
def plan_action_add(request, case_id):
    case = _case_for_action(request, case_id, "plan_action_add")
    form = case_forms.PlanActionForm(request.POST, auto_id="id_plan_%s")

    def call(data):
        services.plan_action_add(
            actor=request.user, case_id=case.pk, service=data["service"], goal=data["goal"],
            due_on=data["due_on"], request=request,
        )  # fmt: skip

    return _run(request, case, "plan_action_add", form, call, _("Plan action added."))


@access(Perm.CASE_WORK)
@require_POST
def plan_action_update(request, case_id, action_id):
    case = _case_for_action(request, case_id, "plan_action_update")
    action = case.plan_actions.filter(pk=action_id).first()
    if action is None:
        raise Http404
    form = case_forms.PlanActionStatusForm(request.POST, auto_id=f"id_pa_{action.pk.hex}_%s")

    def call(data):
        services.plan_action_update(
            actor=request.user, action_id=action.pk, status=data["status"],
            version=data["version"], note=data["note"], request=request,
        )  # fmt: skip

    return _run(
        request, case, f"plan_action_update:{action.pk}", form, call, _("Plan action updated.")
    )


@access(Perm.CASE_WORK)
@require_POST
def relation_add(request, case_id):
    case = _case_for_action(request, case_id, "relation_add")
    form = case_forms.RelationForm(request.POST, auto_id="id_relation_%s")

    def call(data):
        child_services.child_relation_add(
            actor=request.user, child_id=case.child_id, request=request, **data
        )

    return _run(request, case, "relation_add", form, call, _("Related person recorded."))


@access(Perm.CASE_WORK)
@require_POST
def follow_up_add(request, case_id):
    case = _case_for_action(request, case_id, "follow_up")
    form = case_forms.FollowUpForm(request.POST, auto_id="id_followup_%s")

    def call(data):
        services.follow_up_add(
            actor=request.user, case_id=case.pk, happened_at=data["happened_at"],
            kind=data["kind"], child_seen=data["child_seen"], notes=data["notes"],
            new_concern=data["new_concern"], request=request,
        )  # fmt: skip

    return _run(request, case, "follow_up", form, call, _("Follow-up recorded."))


@access(Perm.CASE_WORK)
@require_POST
def plan_views(request, case_id):
    case = _case_for_action(request, case_id, "plan_views")
    form = case_forms.PlanViewsForm(request.POST, auto_id="id_views_%s")

    def call(data):
        services.case_update(
            actor=request.user, case_id=case.pk, version=data["version"], request=request,
            **form.values(),
        )  # fmt: skip

    return _run(request, case, "plan_views", form, call, _("Plan views saved."), stale_on_form=True)


@access(Perm.CASE_WORK)
@require_POST
def information_views(request, case_id):
    case = _case_for_action(request, case_id, "information_views")
    form = case_forms.InformationViewsForm(request.POST, auto_id="id_info_%s")

    def call(data):
        services.case_update(
            actor=request.user, case_id=case.pk, version=data["version"], request=request,
            **form.values(),
        )  # fmt: skip

    return _run(
        request, case, "information_views", form, call,
        _("Information and the child's views saved."), stale_on_form=True,
    )  # fmt: skip


@access(Perm.CASE_WORK)
@require_POST
def transfer_request(request, case_id):
    case = _case_for_action(request, case_id, "transfer_request")
    form = case_forms.TransferRequestForm(
        request.POST, organisations=selectors.transfer_targets(case), auto_id="id_transfer_%s"
    )

    def call(data):
        services.transfer_request(
            actor=request.user, case_id=case.pk, to_organisation=data["to_organisation"],
            reason=data["reason"], note=data["note"], request=request,
        )  # fmt: skip

    return _run(
        request,
        case,
        "transfer_request",
        form,
        call,
        _("Transfer requested. The receiving supervisor must accept it."),
    )


# --- transfers to decide -------------------------------------------------------------------------


@access(Perm.TRANSFER_DECIDE)
@require_POST
def transfer_decide(request, case_id):
    transfers = selectors.incoming_transfers(request.user, case_id=case_id)
    if not transfers:
        raise Http404
    transfer = transfers[0]
    form = case_forms.TransferDecideForm(request.POST, auto_id=f"id_decide_{transfer.pk.hex}_%s")
    if form.is_valid():
        accept = form.cleaned_data["accept"]
        try:
            services.transfer_decide(
                actor=request.user, transfer_id=transfer.pk, accept=accept,
                reason=form.cleaned_data["reason"], request=request,
            )  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        except Conflict as refusal:
            messages.error(request, refusal.message)
            return redirect("cases:overdue")
        else:
            if accept:
                messages.success(request, _("Transfer accepted: the case is now yours."))
                return redirect("cases:detail", case_id=transfer.case_id)
            messages.success(request, _("Transfer refused."))
            return redirect("cases:overdue")
    return _overdue_page(request, bound={transfer.pk: form}, status=400)


# --- intake --------------------------------------------------------------------------------------


def _match(request, form, province_code: str = "") -> list[dict]:
    """Children already known whose identity is close to the one typed (DP-18: searched across
    every territory, minimal identity only, the search is logged by the selector)."""
    if not form.has_name():
        return []
    return child_selectors.children_match_candidates(
        request.user, form.identity(province_code), request=request
    )


def _province_code(report_form) -> str:
    if report_form.is_bound and report_form.is_valid():
        province = report_form.cleaned_data.get("province")
        return getattr(province, "pk", "") or ""
    return str(report_form.data.get("province", "")) if report_form.is_bound else ""


def _child_row(form, candidates) -> dict:
    value = form.data.get(form.add_prefix("child_id"), "") if form.is_bound else ""
    return {
        "form": form,
        "prefix": form.prefix,
        "candidates": candidates or [],
        "chosen": _chosen(value, candidates),
        "searched": candidates is not None and hasattr(form, "cleaned_data") and form.has_name(),
    }


def _apply_report_errors(report_form, child_forms, error: ValidationError) -> None:
    """A service error on "children[<i>].<field>" goes to that child's form; the others to the
    report's form."""
    if not hasattr(error, "error_dict"):
        report_form.add_error(None, error.messages)
        return
    for name, errors in error.message_dict.items():
        if name.startswith("children[") and "]." in name:
            index, _sep, field = name.removeprefix("children[").partition("].")
            if index.isdigit() and int(index) < len(child_forms):
                form = child_forms[int(index)]
                form.add_error(field if field in form.fields else None, errors)
                continue
        if name == "children":
            child_forms[0].add_error(None, errors)
            continue
        report_form.add_error(name if name in report_form.fields else None, errors)


@access(Perm.REPORT_CREATE)
@require_http_methods(["GET", "POST"])
def intake(request):
    """A report and the children it names (circuit.md §4.1, §8.2), each with its own search
    before create; one case per child, the cases linked."""
    form_kwargs = {"matches_url": reverse("cases:intake_matches")}
    data = request.POST if request.method == "POST" else None
    form = case_forms.IntakeForm(data, user=request.user)
    children = case_forms.ChildFormSet(data, prefix="children", form_kwargs=form_kwargs)
    candidates: dict[int, list | None] = {}
    if request.method == "POST" and children.is_valid() and form.is_valid():
        province_code = _province_code(form)
        for index, child_form in enumerate(children.forms):
            chosen = child_form.cleaned_data["child_id"]
            # Search before create (circuit.md §4.2 step 1): a new child is registered only once
            # the user has seen the children already known with a close identity and said "none".
            found = _match(request, child_form, province_code) if chosen != "none" else None
            candidates[index] = found
            if chosen == "" and found:
                child_form.add_error(
                    "child_id",
                    _(
                        "Children with a close identity are already known: say whether one of them is this child."
                    ),
                )
            elif isinstance(chosen, uuid.UUID) and chosen not in {c["child_id"] for c in found}:
                child_form.add_error(
                    "child_id", _("The child chosen does not match the names given: choose again.")
                )
        if not any(f.errors for f in children.forms):
            try:
                report, cases = services.report_create(
                    actor=request.user,
                    data=form.report_input([f.child_input() for f in children.forms]),
                    request=request,
                )
            except ValidationError as error:
                _apply_report_errors(form, children.forms, error)
            else:
                return _after_intake(request, report, cases)
    if children.is_bound:
        province_code = _province_code(form)
        for index, child_form in enumerate(children.forms):
            if index not in candidates and child_form.is_valid():
                # Shown again with the errors, so that the choice made is not lost.
                candidates[index] = _match(request, child_form, province_code)
    forms_shown = children.forms
    context = {
        "form": form,
        "children": children,
        "child_rows": [_child_row(f, candidates.get(i)) for i, f in enumerate(forms_shown)],
        "max_children": case_forms.MAX_CHILDREN,
    }
    has_errors = form.is_bound and (
        bool(form.errors) or bool(children.non_form_errors()) or any(f.errors for f in forms_shown)
    )
    return render(request, "cases/intake.html", context, status=400 if has_errors else 200)


def _chosen(value, candidates) -> str:
    """The candidate ticked, or "none" (the default answer) when no candidate is ticked."""
    value = str(value or "")
    return value if value in {str(c["child_id"]) for c in candidates or ()} else "none"


def _after_intake(request, report, cases: list[Case]):
    numbers = ", ".join(c.number for c in cases)
    opened = [c for c in cases if c.first_report_id == report.pk]
    joined = [c for c in cases if c.first_report_id != report.pk]
    if opened:
        messages.success(
            request,
            _("Report %(report)s recorded. Case(s) opened: %(cases)s.")
            % {"report": report.number, "cases": ", ".join(c.number for c in opened)},
        )
    if joined:
        messages.success(
            request,
            _("Report %(report)s added to the children's open case(s): %(cases)s.")
            % {"report": report.number, "cases": ", ".join(c.number for c in joined)},
        )
    visible = [c for c in cases if has_perm(request.user, Perm.CHILD_VIEW, c)]
    if visible:
        return redirect("cases:detail", case_id=visible[0].pk)
    messages.info(
        request,
        _("The case(s) %(cases)s are held by their organisation's team, which has the report.")
        % {"cases": numbers},
    )
    return redirect("cases:intake")


@access(Perm.REPORT_CREATE)
@require_GET
def intake_matches(request):
    """htmx fragment: the children already known close to the identity being typed, for the
    child whose form prefix is given."""
    prefix = request.GET.get("prefix") or None
    if prefix is not None and not case_forms.CHILD_PREFIX.match(prefix):
        prefix = None
    form = case_forms.MatchQueryForm(request.GET, prefix=prefix)
    candidates = (
        _match(request, form, str(request.GET.get("province", ""))[:12]) if form.is_valid() else []
    )
    context = {
        "candidates": candidates,
        "prefix": prefix or "",
        "chosen": _chosen(
            form.cleaned_data.get("child_id", "") if form.is_valid() else "", candidates
        ),
        "searched": form.is_valid() and form.has_name(),
    }
    return render(request, "cases/intake.html#matches", context)


@access(Perm.REPORT_CREATE)
@require_GET
def intake_child(request):
    """htmx fragment: the fields of one more child (its index is the formset's count so far),
    and the formset's count brought up to date."""
    try:
        index = int(request.GET.get("children-TOTAL_FORMS", ""))
    except ValueError:
        index = -1
    if not 1 <= index < case_forms.MAX_CHILDREN:
        return render(
            request,
            "cases/intake.html#too_many",
            {"max_children": case_forms.MAX_CHILDREN},
            status=400,
        )
    form = case_forms.IntakeChildForm(
        prefix=f"children-{index}", matches_url=reverse("cases:intake_matches")
    )
    context = {"row": _child_row(form, None), "index": index, "total": index + 1, "oob": True}
    return render(request, "cases/intake.html#child", context)


# --- lists ---------------------------------------------------------------------------------------


def _parse_cursor(value: str) -> tuple[datetime, uuid.UUID] | None:
    stamp, _sep, key = value.partition("~")
    try:
        at, pk = parse_datetime(stamp), uuid.UUID(key)
    except ValueError:
        return None
    return (at, pk) if at is not None else None


@access(Perm.CHILD_VIEW_SUMMARY)
@require_GET
def case_list(request):
    """The cases in the user's scope (summary), newest first; keyset-paginated on
    (opened_at, id), both descending, so a page costs the same at any depth."""
    form = case_forms.CaseFilterForm(request.GET)
    queryset = selectors.cases_visible_to(request.user, Perm.CHILD_VIEW_SUMMARY)
    status = 200
    if form.is_valid():
        if form.cleaned_data["stage"]:
            queryset = queryset.filter(stage=form.cleaned_data["stage"])
        if form.cleaned_data["level"] is not None:
            queryset = queryset.filter(risk_level=form.cleaned_data["level"])
        if form.cleaned_data["after"]:
            cursor = _parse_cursor(form.cleaned_data["after"])
            if cursor is None:
                queryset, status = queryset.none(), 400
            else:
                at, pk = cursor
                queryset = queryset.filter(Q(opened_at__lt=at) | Q(opened_at=at, id__lt=pk))
    else:
        queryset, status = queryset.none(), 400
    rows = list(
        queryset.select_related("child", "organisation", "case_manager").order_by(
            "-opened_at", "-id"
        )[: PAGE_SIZE + 1]
    )
    next_after = None
    if len(rows) > PAGE_SIZE:
        last = rows[PAGE_SIZE - 1]
        next_after = f"{last.opened_at.isoformat()}~{last.pk}"
    filters = request.GET.copy()
    filters.pop("after", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "cases": rows[:PAGE_SIZE],
            "next_after": next_after,
            "filters": filters.urlencode(),
        },
        status=status,
    )


@access(Perm.CHILD_VIEW)
@require_GET
def my_work(request):
    now = timezone.now()
    tasks = selectors.my_work(request.user, now=now)
    rows = [{"task": t, "overdue": t.due_at < now} for t in tasks]
    rows.sort(key=lambda row: not row["overdue"])  # stable: overdue first, each by due date
    return render(request, "cases/my_work.html", {"rows": rows})


def _overdue_page(request, *, bound: dict | None = None, status: int = 200):
    now = timezone.now()
    tasks = selectors.overdue_for_supervisor(request.user, now=now)
    bound = bound or {}
    transfers = [
        {
            "transfer": t,
            "form": bound.get(t.pk)
            or case_forms.TransferDecideForm(auto_id=f"id_decide_{t.pk.hex}_%s"),
        }
        for t in selectors.incoming_transfers(request.user)
    ]
    return render(
        request,
        "cases/overdue.html",
        {"tasks": tasks, "transfers": transfers, "now": now},
        status=status,
    )


@access(Perm.JUDICIAL_WAIVE)
@require_GET
def overdue(request):
    """The supervisor's view: overdue tasks of the organisation's cases, and the transfers
    waiting for a decision."""
    return _overdue_page(request)
