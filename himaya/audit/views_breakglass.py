"""Pages listing and reviewing break-the-glass accesses."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himaya.accounts.access import AUTHENTICATED, access
from himaya.audit.breakglass import (
    break_glass_get_for_user,
    break_glass_review,
    break_glass_visible_to,
    can_review,
)

PAGE_SIZE = 50


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Review"),
        choices=[
            ("justified", gettext_lazy("Justified")),
            ("not_justified", gettext_lazy("Not justified")),
        ],
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


@access(AUTHENTICATED)
def break_glass_list(request):
    queryset = break_glass_visible_to(request.user).order_by("-started_at", "-pk")
    status = request.GET.get("status", "")
    if status in ("pending", "justified", "not_justified"):
        queryset = queryset.filter(review_status=status)
    before = request.GET.get("before", "")
    if before:
        try:
            pivot = break_glass_get_for_user(request.user, before)
            queryset = queryset.filter(started_at__lt=pivot.started_at)
        except Http404:  # a stale or foreign cursor restarts at the first page
            before = ""
    rows = list(queryset[: PAGE_SIZE + 1])
    return render(
        request,
        "audit/break_glass_list.html",
        {
            "accesses": rows[:PAGE_SIZE],
            "next_before": rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None,
            "status": status,
        },
    )


@access(AUTHENTICATED)
def break_glass_detail(request, access_id):
    item = break_glass_get_for_user(request.user, access_id)
    reviewer = can_review(request.user, item)
    form = ReviewForm(request.POST or None) if reviewer else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            break_glass_review(
                actor=request.user, access_id=item.pk, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("breakglass:detail", access_id=item.pk)
    return render(
        request,
        "audit/break_glass_detail.html",
        {"access": item, "form": form},
        status=400 if form is not None and form.errors else 200,
    )
