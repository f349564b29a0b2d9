"""Auditor pages: search the audit trail, verify the hash chain. Viewing is itself audited."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from himaya.accounts.permissions import Perm, has_perm
from himaya.audit.forms import AuditSearchForm
from himaya.audit.selectors import audit_events_search
from himaya.audit.services import audit_chain_verify, audit_record

PAGE_SIZE = 50


def _auditors_only(action: str) -> Callable:
    """Login required (anonymous → login page), then Perm.AUDIT_VIEW (others → 403). A refused
    attempt is itself audited under `action` with outcome "denied" (DP-24), which is why this
    is not the generic `accounts.access.access` decorator; `himaya_access` declares the
    requirement for the URL-map permission test all the same."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not has_perm(request.user, Perm.AUDIT_VIEW):
                audit_record(
                    actor=request.user,
                    action=action,
                    outcome="denied",
                    request=request,
                    data={"path": request.path},
                )
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper = login_required(checked)
        wrapper.himaya_access = Perm.AUDIT_VIEW
        return wrapper

    return decorate


@require_GET
@_auditors_only("audit.search")
def events(request: HttpRequest) -> HttpResponse:
    """The audit trail, newest first, 50 per page, filtered by the search form. Pages follow
    a keyset cursor (`?before=<id>`): offsets would scan millions of rows."""
    form = AuditSearchForm(request.GET)
    context: dict = {"form": form, "events": None}
    if form.is_valid():
        filters = form.filters()
        before = form.cleaned_data["before"]
        found = audit_events_search(request.user, **filters)
        if before:
            found = found.filter(id__lt=before)
        page = list(found[: PAGE_SIZE + 1])
        has_next = len(page) > PAGE_SIZE
        page = page[:PAGE_SIZE]
        audit_record(
            actor=request.user,
            action="audit.search",
            request=request,
            data={"filters": filters, "before": before, "result_ids": [e.id for e in page]},
        )
        context |= {
            "events": page,
            "next_before": page[-1].id if has_next else None,
            "is_first_page": not before,
        }
    return render(request, "audit/events.html", context)


@require_http_methods(["GET", "POST"])
@_auditors_only("audit.verify")
def verify(request: HttpRequest) -> HttpResponse:
    """Check the whole hash chain on demand (POST: it reads every event)."""
    result = None
    if request.method == "POST":
        result = audit_chain_verify()
        audit_record(
            actor=request.user,
            action="audit.verify",
            request=request,
            data={
                "ok": result.ok,
                "checked": result.checked,
                "first_broken_id": result.first_broken_id,
                "problem": result.problem_code,
            },
        )
    return render(request, "audit/verify.html", {"result": result})
