"""Pages of a child's record. Every read goes through `selectors` (scope + audit)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himaya.accounts.access import access
from himaya.accounts.permissions import Perm, has_perm
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
    child = opened.child
    if child.merged_into_id:
        # A tombstone points to the survivor, which is opened through its own scope check.
        messages.info(request, _("This record was merged into another one: here is the survivor."))
        return redirect("children:detail", child_id=child.merged_into_id)
    can_merge = opened.break_glass is None and has_perm(request.user, Perm.CHILD_MERGE, child)
    can_request = (
        not can_merge
        and opened.break_glass is None
        and has_perm(request.user, Perm.CHILD_MERGE_REQUEST, child)
    )
    return render(
        request,
        "children/child_detail.html",
        {
            "access": opened,
            "child": child,
            "merges": selectors.child_merges(child),
            "can_merge": can_merge,
            "can_request": can_request,
        },
    )


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


# --- merge and unmerge of duplicate records (DP-58..60) --------------------------------------------


@access(Perm.CHILD_MERGE)
def child_duplicates(request):
    """A supervisor's list of likely duplicates in their scope (proposals: never merged
    automatically, DP-58), keyset-paginated over the records examined."""
    page = selectors.child_duplicate_pairs(request.user, cursor=request.GET.get("cursor", ""))
    requests = selectors.merge_requests_pending(request.user)
    return render(request, "children/duplicates.html", {"page": page, "requests": requests})


@access(Perm.CHILD_MERGE)
def child_duplicates_of(request, child_id):
    """From a child's page: the records of the supervisor's scope close to this one."""
    opened = selectors.child_get_for_user(request.user, child_id, Perm.CHILD_MERGE, request=request)
    found = selectors.children_match_candidates(request.user, opened.child, request=request)
    mergeable = set(
        selectors.children_visible_to(request.user, Perm.CHILD_MERGE)
        .filter(pk__in=[r["child_id"] for r in found])
        .values_list("pk", flat=True)
    )
    rows = [{**r, "mergeable": r["child_id"] in mergeable} for r in found]
    return render(
        request, "children/duplicates_of.html", {"child": opened.child, "candidates": rows}
    )


class MergeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why are these two records the same child?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    evidence = forms.CharField(
        label=gettext_lazy("Evidence (documents seen, people consulted)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        required=False,
    )
    survivor_version = forms.IntegerField(widget=forms.HiddenInput)
    duplicate_version = forms.IntegerField(widget=forms.HiddenInput)
    merge_request = forms.UUIDField(widget=forms.HiddenInput, required=False)


@access(Perm.CHILD_MERGE)
def child_merge(request, child_id, duplicate_id):
    """Compare two records side by side and merge the second into the first, with a reason
    and the field-by-field choices (DP-59)."""
    from himaya.cases.services import Conflict, StaleVersion

    pair = selectors.child_merge_pair(request.user, child_id, duplicate_id, request=request)
    form = MergeForm(
        request.POST or None,
        initial={
            "survivor_version": pair.survivor.version,
            "duplicate_version": pair.duplicate.version,
            "merge_request": request.GET.get("request", ""),
        },
    )
    choices = {
        row["name"]: "duplicate"
        for row in pair.rows
        if row["differs"] and request.POST.get(f"take_{row['name']}") == "duplicate"
    }
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.child_merge(
                    actor=request.user, survivor_id=pair.survivor.pk,
                    duplicate_id=pair.duplicate.pk, reason=data["reason"],
                    evidence=data["evidence"], choices=choices,
                    survivor_version=data["survivor_version"],
                    duplicate_version=data["duplicate_version"],
                    merge_request_id=data["merge_request"], request=request,
                )  # fmt: skip
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except StaleVersion:
                form.add_error(
                    None,
                    _(
                        "One of these records was changed in the meantime. Reload and compare again."
                    ),
                )
                status = 409
            except Conflict as refusal:
                form.add_error(None, refusal.message)
                status = 409
            else:
                messages.success(request, _("The records were merged. The merge can be undone."))
                return redirect("children:detail", child_id=pair.survivor.pk)
    return render(
        request,
        "children/merge.html",
        {
            "pair": pair,
            "form": form,
            "rows": [
                {
                    **row,
                    "label": _field_label(row["name"], row["label"]),
                    "take": choices.get(row["name"], "survivor"),
                }
                for row in pair.rows
            ],
        },
        status=status,
    )


def _field_label(name: str, default) -> str:
    """The identity form's label of a field (translated), else the model's."""
    from himaya.children.forms import ChildIdentityForm

    field = ChildIdentityForm.base_fields.get(name)
    return field.label if field is not None else default


class UnmergeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is this merge undone?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


@access(Perm.CHILD_MERGE)
def child_unmerge(request, child_id, duplicate_id):
    """Undo the merge of `duplicate_id` into this record (DP-60)."""
    from himaya.cases.services import Conflict

    opened = selectors.child_get_for_user(request.user, child_id, Perm.CHILD_MERGE, request=request)
    merge = next(
        (
            m
            for m in selectors.child_merges(opened.child)
            if m.active and m.survivor_id == opened.child.pk and m.duplicate_id == duplicate_id
        ),
        None,
    )
    if merge is None:
        raise Http404
    form = UnmergeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.child_unmerge(
                    actor=request.user, survivor_id=opened.child.pk, duplicate_id=duplicate_id,
                    reason=form.cleaned_data["reason"], request=request,
                )  # fmt: skip
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except Conflict as refusal:
                form.add_error(None, refusal.message)
                status = 409
            else:
                messages.success(request, _("The merge was undone; both records are back."))
                return redirect("children:detail", child_id=opened.child.pk)
    return render(
        request,
        "children/unmerge.html",
        {"child": opened.child, "merge": merge, "form": form},
        status=status,
    )


class MergeRequestForm(forms.Form):
    duplicate_id = forms.UUIDField(
        label=gettext_lazy("The other record"), widget=forms.RadioSelect(choices=[])
    )
    reason = forms.CharField(
        label=gettext_lazy("Why are these two records the same child?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate_id"].widget.choices = [
            (
                str(c["child_id"]),
                _("%(name)s, born %(year)s, %(territory)s (score %(score)s)")
                % {
                    "name": c["child"].display_name,
                    "year": c["child"].birth_date.year if c["child"].birth_date else "—",
                    "territory": c["child"].province.name,
                    "score": f"{c['score']:.2f}",
                },
            )
            for c in candidates
        ]


@access(Perm.CHILD_MERGE_REQUEST)
def child_merge_request(request, child_id):
    """DP-59: a case manager asks a supervisor to merge a close record into the child's."""
    from himaya.cases.services import Conflict

    opened = selectors.child_get_for_user(
        request.user, child_id, Perm.CHILD_MERGE_REQUEST, request=request
    )
    candidates = selectors.children_match_candidates(request.user, opened.child, request=request)
    form = MergeRequestForm(request.POST or None, candidates=candidates)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.child_merge_request(
                    actor=request.user, child_id=opened.child.pk, request=request,
                    duplicate_id=form.cleaned_data["duplicate_id"], reason=form.cleaned_data["reason"],
                )  # fmt: skip
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except Conflict as refusal:
                form.add_error(None, refusal.message)
                status = 409
            else:
                messages.success(request, _("Your request was sent to the supervisors."))
                return redirect("children:detail", child_id=opened.child.pk)
    return render(
        request,
        "children/merge_request.html",
        {"child": opened.child, "form": form, "candidates": candidates},
        status=status,
    )


@access(Perm.CHILD_MERGE)
def child_merge_request_decline(request, request_id):
    """A supervisor declines a merge request, saying why."""
    from himaya.cases.services import Conflict

    asked = next(
        (r for r in selectors.merge_requests_pending(request.user) if r.pk == request_id), None
    )
    if asked is None:
        raise Http404
    form = UnmergeForm(request.POST or None)
    form.fields["reason"].label = gettext_lazy("Why is this request declined?")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.child_merge_request_decline(
                    actor=request.user, request_id=asked.pk,
                    reason=form.cleaned_data["reason"], request=request,
                )  # fmt: skip
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except Conflict as refusal:
                form.add_error(None, refusal.message)
                status = 409
            else:
                messages.success(request, _("The request was declined; its author is told."))
                return redirect("children:duplicates")
    return render(
        request,
        "children/merge_request_decline.html",
        {"asked": asked, "form": form},
        status=status,
    )
