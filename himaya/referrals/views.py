"""Pages of referrals: the provider's inbox and the packet page with its answers, the case
team's outgoing list, the referral form of a case (with the directory's suggestions).

Thin: parse with a form, call a selector or a service, render. A refusal of the workflow
(Conflict) comes back as a message and changes nothing; invalid input re-renders with the
errors (400)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.accounts.access import AUTHENTICATED, access
from himaya.accounts.permissions import Perm
from himaya.cases import selectors as case_selectors
from himaya.cases.services import Conflict
from himaya.directory import selectors as directory_selectors
from himaya.referrals import forms, selectors, services


def _apply_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@require_GET
@access(Perm.REFERRAL_PACKET_VIEW)
def inbox(request):
    form = forms.StatusFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    rows = selectors.inbox(request.user, status=status)
    from himaya.audit.services import audit_record

    audit_record(
        actor=request.user, action="referral.inbox_read", target_type="referral", request=request,
        data={"status": status, "ids": [str(r.pk) for r in rows]},
    )  # fmt: skip
    return render(request, "referrals/inbox.html", {"form": form, "referrals": rows})


@require_GET
@access(Perm.CHILD_VIEW)
def outgoing(request):
    form = forms.StatusFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    rows = selectors.outbox(request.user, status=status)
    return render(request, "referrals/outgoing.html", {"form": form, "referrals": rows})


def _render_detail(request, referral_id, *, bound=None, status=200):
    referral, as_provider = selectors.referral_get_for_user(
        request.user, referral_id, request=request
    )
    bound = bound or {}
    context = {"referral": referral, "as_provider": as_provider, "packet": referral.packet}
    if as_provider:
        context.update(
            decline_form=bound.get("decline") or forms.DeclineForm(auto_id="decline_%s"),
            complete_form=bound.get("complete") or forms.CompleteForm(auto_id="complete_%s"),
        )
    else:
        context["cancel_form"] = bound.get("cancel") or forms.CancelForm(auto_id="cancel_%s")
    return render(request, "referrals/detail.html", context, status=status)


@require_GET
@access(AUTHENTICATED)
def detail(request, referral_id):
    """The provider's packet, or the case team's view of the referral (404 for anyone else)."""
    return _render_detail(request, referral_id)


def _act(request, referral_id, call, form=None, key=""):
    try:
        call()
    except ValidationError as error:
        if form is None:
            raise
        _apply_errors(form, error)
        return _render_detail(request, referral_id, bound={key: form}, status=400)
    except Conflict as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The referral was updated."))
    return redirect("referrals:detail", referral_id=referral_id)


@require_POST
@access(Perm.REFERRAL_RESPOND)
def accept(request, referral_id):
    selectors.referral_get_for_provider(request.user, referral_id, request=request, audit=False)
    return _act(
        request, referral_id,
        lambda: services.referral_accept(actor=request.user, referral_id=referral_id, request=request),
    )  # fmt: skip


@require_POST
@access(Perm.REFERRAL_RESPOND)
def decline(request, referral_id):
    selectors.referral_get_for_provider(request.user, referral_id, request=request, audit=False)
    form = forms.DeclineForm(request.POST, auto_id="decline_%s")
    if not form.is_valid():
        return _render_detail(request, referral_id, bound={"decline": form}, status=400)
    return _act(
        request, referral_id,
        lambda: services.referral_decline(
            actor=request.user, referral_id=referral_id, reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"], request=request,
        ),
        form, "decline",
    )  # fmt: skip


@require_POST
@access(Perm.REFERRAL_RESPOND)
def complete(request, referral_id):
    selectors.referral_get_for_provider(request.user, referral_id, request=request, audit=False)
    form = forms.CompleteForm(request.POST, auto_id="complete_%s")
    if not form.is_valid():
        return _render_detail(request, referral_id, bound={"complete": form}, status=400)
    return _act(
        request, referral_id,
        lambda: services.referral_complete(
            actor=request.user, referral_id=referral_id, outcome=form.cleaned_data["outcome"], request=request
        ),
        form, "complete",
    )  # fmt: skip


@require_POST
@access(Perm.CASE_WORK)
def cancel(request, referral_id):
    selectors.referral_get_for_case_team(request.user, referral_id, request=request)
    form = forms.CancelForm(request.POST, auto_id="cancel_%s")
    if not form.is_valid():
        return _render_detail(request, referral_id, bound={"cancel": form}, status=400)
    return _act(
        request, referral_id,
        lambda: services.referral_cancel(
            actor=request.user, referral_id=referral_id, reason=form.cleaned_data["reason"], request=request
        ),
        form, "cancel",
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@access(Perm.CASE_WORK)
def new(request, case_id):
    """Refer the case's child: choose the service, then one of the suggested institutions."""
    case = case_selectors.case_get_for_user(request.user, case_id, request=request)
    service = request.POST.get("service") or request.GET.get("service") or ""
    form = forms.ReferralForm(
        request.POST or None, initial={"service": service, "urgency": "routine"}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                referral = services.referral_send(
                    actor=request.user, case_id=case.pk, institution_id=data["institution"],
                    service=data["service"], due_on=data["due_on"], note=data["note"],
                    urgency=data["urgency"], request=request,
                )  # fmt: skip
            except ValidationError as error:
                _apply_errors(form, error)
            except Conflict as refusal:
                form.add_error(None, refusal.message)
                status = 409
            else:
                messages.success(request, _("The referral was sent."))
                return redirect("referrals:detail", referral_id=referral.pk)
    suggestions = []
    if service:
        child = case.child
        age = None
        if child.birth_date:
            from django.utils import timezone

            today = timezone.localdate()
            age = (
                today.year
                - child.birth_date.year
                - ((today.month, today.day) < (child.birth_date.month, child.birth_date.day))
            )
        suggestions = directory_selectors.suggest_institutions(
            service=service, province=case.province,
            origin=directory_selectors.origin_of(request.user, case.province),
            age=age if age is not None and age <= 17 else None, sex=child.sex,
        )  # fmt: skip
    return render(
        request,
        "referrals/new.html",
        {
            "case": case,
            "form": form,
            "service": service,
            "suggestions": suggestions,
            "referrals": selectors.referrals_of_case(case),
        },
        status=status,
    )


def case_panel(request, case, bound: dict):
    """The case page's section listing the case's referrals (cases/panels.py); the case was
    read through its selector, so the user may see it."""
    from himaya.cases.panels import PanelContent

    return PanelContent(
        "referrals/case_panel.html",
        {"case": case, "referrals": selectors.referrals_of_case(case)},
    )
