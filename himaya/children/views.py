"""Pages of a child's record. Every read goes through `selectors` (scope + audit)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himaya.accounts.access import access
from himaya.accounts.permissions import Perm
from himaya.children import selectors, services

PAGE_SIZE = 50


@access(Perm.CHILD_VIEW_SUMMARY)
def child_list(request):
    queryset = selectors.children_visible_to(request.user, Perm.CHILD_VIEW_SUMMARY).select_related(
        "province"
    )
    before = request.GET.get("before", "")
    if before:
        queryset = (
            queryset.filter(created_at__lt=before) if _is_datetime(before) else queryset.none()
        )
    rows = list(queryset.order_by("-created_at")[: PAGE_SIZE + 1])
    next_before = rows[PAGE_SIZE - 1].created_at.isoformat() if len(rows) > PAGE_SIZE else None
    return render(
        request,
        "children/child_list.html",
        {"children": rows[:PAGE_SIZE], "next_before": next_before},
    )


def _is_datetime(value: str) -> bool:
    from django.utils.dateparse import parse_datetime

    try:
        return parse_datetime(value) is not None
    except ValueError:
        return False


@access(Perm.CHILD_VIEW)
def child_detail(request, child_id):
    opened = selectors.child_get_for_user(request.user, child_id, Perm.CHILD_VIEW, request=request)
    return render(request, "children/child_detail.html", {"access": opened, "child": opened.child})


@access(Perm.CHILD_SEARCH_ALL)
def child_search(request):
    query = request.GET.get("q", "").strip()[:100]
    results = (
        selectors.children_search_minimal(request.user, query, request=request) if query else []
    )
    return render(request, "children/child_search.html", {"q": query, "results": results})


class BreakGlassForm(forms.Form):
    reason_code = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        choices=[
            ("child_present_now", gettext_lazy("The child is here now")),
            ("urgent_safety_check", gettext_lazy("Urgent safety check")),
            ("hearing_today", gettext_lazy("Hearing today")),
            ("other", gettext_lazy("Other")),
        ],
    )
    justification = forms.CharField(
        label=gettext_lazy("Justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


@access(Perm.BREAK_GLASS)
def child_break_glass(request, child_id):
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.child_break_glass_open(
                actor=request.user, child_id=child_id, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.warning(
                request,
                _(
                    "Emergency access opened for two hours, read-only. Your supervisor has been told."
                ),
            )
            return redirect("children:detail", child_id=child_id)
    status = 400 if form.errors else 200
    return render(
        request,
        "children/break_glass_form.html",
        {"form": form, "child_id": child_id},
        status=status,
    )


@access(Perm.CHILD_EDIT)
def child_edit(request, child_id):
    """Complete or correct the child's identity (both scripts, estimated age, status...)."""
    from himaya.cases.services import StaleVersion
    from himaya.children.forms import ChildIdentityForm

    opened = selectors.child_get_for_user(request.user, child_id, Perm.CHILD_EDIT, request=request)
    child = opened.child
    initial = {
        name: getattr(child, name)
        for name in ChildIdentityForm.base_fields
        if name not in ("commune", "version")
    }
    initial.update({"commune": child.commune_id or "", "version": child.version})
    form = ChildIdentityForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.child_update(
                    actor=request.user, child_id=child.pk, version=version, request=request, **data
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except StaleVersion:
                form.add_error(
                    None,
                    _(
                        "This record was changed by someone else in the meantime. Reload it and try again."
                    ),
                )
                status = 409
            else:
                messages.success(request, _("Identity saved."))
                return redirect("children:detail", child_id=child.pk)
    return render(
        request, "children/child_edit.html", {"form": form, "child": child}, status=status
    )
