"""Pages of the danger assessment: the form (with the computed level updated by htmx as the
assessor scores), one assessment, and the supervisor's list of lowered levels waiting for
approval. Thin: parse with a form, call a selector or a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.accounts.access import access
from himaya.accounts.permissions import Perm, has_perm
from himaya.assessment import engine, selectors, services
from himaya.assessment.forms import AssessmentForm as Form
from himaya.assessment.forms import DecisionForm
from himaya.assessment.models import pick_label
from himaya.cases import selectors as case_selectors
from himaya.cases.services import Conflict

PENDING_LIMIT = 200


def _case_for_assessing(request, case_id):
    case = case_selectors.case_get_for_user(request.user, case_id, Perm.CHILD_VIEW, request=request)
    if not has_perm(request.user, Perm.ASSESSMENT_RECORD, case):
        raise PermissionDenied
    version = selectors.active_version()
    if version is None:
        raise Http404
    return case, version


def _default_kind(case) -> str:
    if case.stage == "follow_up" or case.stage == "accompaniment":
        return "reassessment"
    return "reassessment" if case.assessments.filter(kind="full").exists() else "full"


@access(Perm.ASSESSMENT_RECORD)
@require_http_methods(["GET", "POST"])
def assessment_new(request, case_id):
    case, version = _case_for_assessing(request, case_id)
    status = 200
    if request.method == "POST":
        form = Form(request.POST, version=version)
        status = 400
        if form.is_valid():
            try:
                assessment = services.assessment_record(
                    actor=request.user, case_id=case.pk, data=form.to_input(), request=request
                )
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(form.field_for(name), errors)
            except Conflict as refusal:
                form.add_error(None, refusal.message)
                status = 409
            else:
                if assessment.pending:
                    messages.warning(
                        request,
                        _(
                            "Assessment recorded. The lowered level waits for a supervisor's "
                            "approval; the computed level applies until then."
                        ),
                    )
                else:
                    messages.success(request, _("Assessment recorded."))
                return redirect("cases:detail", case_id=case.pk)
    else:
        form = Form(version=version, initial={"kind": _default_kind(case)})
    preview = _preview(version, form) if form.is_bound else None
    return render(
        request,
        "assessment/assessment_form.html",
        {"case": case, "version": version, "form": form, "preview": preview,
         "instrument_name": pick_label(version.instrument.name)},
        status=status,
    )  # fmt: skip


def _preview(version, form) -> dict:
    """What the rules give for the answers so far: the level once every dimension is scored."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    flags = [name.removeprefix("flag_") for name in form.flag_names if data.get(name)]
    scores = {}
    for code in form.dimensions:
        value = data.get(f"score_{code}")
        if value not in (None, ""):
            scores[code] = value
    definition = version.definition
    missing = [code for code in form.dimensions if code not in scores]
    if missing:
        return {"missing": missing, "flags": flags}
    result = engine.evaluate(definition, flags, scores)
    return {
        "result": result,
        "label": version.level_label(result.level),
        "prompts": [pick_label(text) for text in engine.prompts(definition, flags, scores)],
        "flags": flags,
    }


@access(Perm.ASSESSMENT_RECORD)
@require_POST
def assessment_preview(request, case_id):
    """htmx fragment: the computed level of the answers so far (nothing is saved)."""
    _case, version = _case_for_assessing(request, case_id)
    form = Form(request.POST, version=version)
    return render(
        request,
        "assessment/_computed.html",
        {"preview": _preview(version, form), "version": version},
    )


@access(Perm.CHILD_VIEW)
@require_GET
def assessment_detail(request, assessment_id):
    assessment = selectors.assessment_get_for_user(request.user, assessment_id, request=request)
    return _detail(request, assessment)


def _detail(request, assessment, *, form=None, status=200):
    version = assessment.instrument_version
    definition = version.definition
    rows = []
    for dim in definition["dimensions"]:
        score = assessment.scores.get(dim["code"])
        rows.append(
            {
                "code": dim["code"],
                "label": pick_label(dim["label"]),
                "score": score,
                "descriptor": pick_label(dim["descriptors"].get(str(score))),
                "note": assessment.score_notes.get(dim["code"], ""),
            }
        )
    flags = [
        {"code": f["code"], "label": pick_label(f["label"]), "note": assessment.flag_notes.get(f["code"], "")}
        for f in definition["tier_a"]
        if f["code"] in assessment.flags
    ]  # fmt: skip
    may_decide = (
        assessment.pending
        and has_perm(request.user, Perm.ASSESSMENT_APPROVE, assessment.case)
        and assessment.assessor_id != request.user.pk
    )
    return render(
        request,
        "assessment/assessment_detail.html",
        {
            "assessment": assessment, "case": assessment.case, "version": version, "rows": rows,
            "flags": flags, "instrument_name": pick_label(version.instrument.name),
            "label_computed": version.level_label(assessment.level_computed),
            "label_final": version.level_label(assessment.level_final),
            "label_requested": version.level_label(assessment.level_requested),
            "decision_form": (form or DecisionForm()) if may_decide else None,
        },
        status=status,
    )  # fmt: skip


@access(Perm.ASSESSMENT_APPROVE)
@require_POST
def assessment_decide(request, assessment_id):
    assessment = selectors.assessment_get_for_user(
        request.user, assessment_id, Perm.ASSESSMENT_APPROVE, request=request
    )
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.assessment_approve(
                    actor=request.user, assessment_id=assessment.pk, request=request
                )
                messages.success(request, _("The lowered level is approved and applies now."))
            else:
                services.assessment_reject(
                    actor=request.user, assessment_id=assessment.pk,
                    reason=form.cleaned_data["reason"], request=request,
                )  # fmt: skip
                messages.success(request, _("The lowered level is rejected."))
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        except Conflict as refusal:
            messages.error(request, refusal.message)
            return redirect("assessment:detail", assessment_id=assessment.pk)
        else:
            return redirect("assessment:detail", assessment_id=assessment.pk)
    return _detail(request, assessment, form=form, status=400)


@access(Perm.ASSESSMENT_APPROVE)
@require_GET
def pending_list(request):
    rows = list(selectors.pending_approvals_for(request.user)[:PENDING_LIMIT])
    return render(
        request,
        "assessment/pending.html",
        {
            "rows": [
                {
                    "assessment": a,
                    "label_computed": a.instrument_version.level_label(a.level_computed),
                    "label_requested": a.instrument_version.level_label(a.level_requested),
                }
                for a in rows
            ],
            "truncated": len(rows) >= PENDING_LIMIT,
        },
    )
