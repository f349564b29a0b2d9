"""The care-arrangement panel of the case page and its actions. Each action is a POST that
goes through `cases.views.run_case_action`: success and refusals come back to the case page
with a message; invalid input re-renders the case page with the errors (400)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from himaya.accounts.access import access
from himaya.accounts.permissions import Perm, has_perm
from himaya.cases import selectors as case_selectors
from himaya.cases.panels import PanelContent
from himaya.cases.views import run_case_action
from himaya.placements import forms, selectors, services
from himaya.placements.models import CareArrangement


def _case_for_work(request, case_id):
    case = case_selectors.case_get_for_user(request.user, case_id, Perm.CHILD_VIEW, audit=False)
    if not has_perm(request.user, Perm.CASE_WORK, case):
        raise PermissionDenied
    return case


def _arrangement_of(case, arrangement_id) -> CareArrangement:
    try:
        return case.care_arrangements.get(pk=arrangement_id)
    except CareArrangement.DoesNotExist:
        raise Http404 from None


def case_panel(request, case, bound: dict) -> PanelContent:
    """The arrangements of the child (all episodes), with the forms the user may use."""
    may = has_perm(request.user, Perm.CASE_WORK, case) and case.stage != "closed"
    rows = []
    for arrangement in selectors.arrangements_of_child(request.user, case.child_id):
        row = {"arrangement": arrangement, "this_case": arrangement.case_id == case.pk}
        if may and arrangement.active and row["this_case"]:
            key = arrangement.pk.hex
            row["end_form"] = bound.get(f"care:end:{key}") or forms.ArrangementEndForm(
                initial={"version": arrangement.version}, auto_id=f"id_care_end_{key}_%s"
            )
            row["event_form"] = bound.get(f"care:event:{key}") or forms.CareEventForm(
                auto_id=f"id_care_event_{key}_%s"
            )
            row["review_form"] = bound.get(f"care:review:{key}") or forms.PlacementReviewForm(
                auto_id=f"id_care_review_{key}_%s"
            )
        rows.append(row)
    open_form = None
    if may:
        open_form = bound.get("care:open") or forms.ArrangementOpenForm(
            case=case, auto_id="id_care_open_%s"
        )
    return PanelContent(
        "placements/case_panel.html", {"case": case, "rows": rows, "open_form": open_form}
    )


@access(Perm.CASE_WORK)
@require_POST
def arrangement_open(request, case_id):
    case = _case_for_work(request, case_id)
    form = forms.ArrangementOpenForm(request.POST, case=case, auto_id="id_care_open_%s")

    def call(data):
        services.care_arrangement_open(
            actor=request.user, case_id=case.pk, care_type=data["care_type"],
            legal_basis=data["legal_basis"], start_date=data["start_date"],
            provider_org=data["provider_org"], carer=data["carer"],
            judicial_measure=data["judicial_measure"], planned_end_date=data["planned_end_date"],
            is_primary=data["is_primary"], note=data["note"], request=request,
        )  # fmt: skip

    return run_case_action(request, case, "care:open", form, call, _("Care arrangement recorded."))


@access(Perm.CASE_WORK)
@require_POST
def arrangement_end(request, case_id, arrangement_id):
    case = _case_for_work(request, case_id)
    arrangement = _arrangement_of(case, arrangement_id)
    key = arrangement.pk.hex
    form = forms.ArrangementEndForm(request.POST, auto_id=f"id_care_end_{key}_%s")

    def call(data):
        services.care_arrangement_end(
            actor=request.user, arrangement_id=arrangement.pk, end_date=data["end_date"],
            end_reason=data["end_reason"], version=data["version"], request=request,
        )  # fmt: skip

    return run_case_action(
        request, case, f"care:end:{key}", form, call, _("Care arrangement ended."),
        stale_on_form=True,
    )  # fmt: skip


@access(Perm.CASE_WORK)
@require_POST
def care_event(request, case_id, arrangement_id):
    case = _case_for_work(request, case_id)
    arrangement = _arrangement_of(case, arrangement_id)
    key = arrangement.pk.hex
    form = forms.CareEventForm(request.POST, auto_id=f"id_care_event_{key}_%s")

    def call(data):
        services.care_event_add(
            actor=request.user, arrangement_id=arrangement.pk, event_type=data["event_type"],
            at=data["at"], note=data["note"], request=request,
        )  # fmt: skip

    return run_case_action(request, case, f"care:event:{key}", form, call, _("Event recorded."))


@access(Perm.CASE_WORK)
@require_POST
def placement_review(request, case_id, arrangement_id):
    case = _case_for_work(request, case_id)
    arrangement = _arrangement_of(case, arrangement_id)
    key = arrangement.pk.hex
    form = forms.PlacementReviewForm(request.POST, auto_id=f"id_care_review_{key}_%s")

    def call(data):
        services.placement_review_add(
            actor=request.user, arrangement_id=arrangement.pk, reviewed_on=data["reviewed_on"],
            child_seen=data["child_seen"], recommendation=data["recommendation"],
            child_views=data["child_views"],
            views_not_obtained_reason=data["views_not_obtained_reason"], note=data["note"],
            request=request,
        )  # fmt: skip

    return run_case_action(
        request, case, f"care:review:{key}", form, call, _("Placement review recorded.")
    )
