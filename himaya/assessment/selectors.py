"""Reads of instruments and assessments.

Assessments belong to a case: they are read through the case's scoping selector
(`cases.selectors.case_get_for_user` / `cases_visible_to`), so an assessment outside the
user's scope does not exist (404) and one inside it without the right is 403.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from himaya.accounts.permissions import Perm, has_perm
from himaya.assessment.models import Assessment, InstrumentVersion, pick_label
from himaya.cases import selectors as case_selectors
from himaya.cases.models import Case

CLOSING_ASSESSMENT_WITHIN = timedelta(days=30)  # circuit.md §5.4 check 5


# --- instruments ----------------------------------------------------------------------------


def instrument_versions() -> list[InstrumentVersion]:
    return list(
        InstrumentVersion.objects.select_related("instrument").order_by(
            "instrument__code", "-loaded_at"
        )
    )


def active_version(code: str | None = None) -> InstrumentVersion | None:
    """The version used for new assessments: the active version of instrument `code`, or,
    without a code, of the instrument whose active version is valid from the latest date
    (publishing the official référentiel with a later `valid_from` makes it the default —
    data, no code change)."""
    versions = InstrumentVersion.objects.select_related("instrument").filter(status="active")
    if code is not None:
        return versions.filter(instrument__code=code).first()
    return versions.order_by("-valid_from", "instrument__code").first()


def version_get(code: str, version: str) -> InstrumentVersion | None:
    return (
        InstrumentVersion.objects.select_related("instrument")
        .filter(instrument__code=code, version=version)
        .first()
    )


def tier_a_codes() -> list[str]:
    """The Tier A flags of the default instrument (the screen at intake uses the same ones)."""
    version = active_version()
    return [flag["code"] for flag in version.definition["tier_a"]] if version else []


def tier_a_choices() -> list[tuple[str, str]]:
    """(code, label in the active language) of the default instrument's Tier A flags."""
    version = active_version()
    if version is None:
        return []
    return [(flag["code"], pick_label(flag["label"])) for flag in version.definition["tier_a"]]


# --- assessments ----------------------------------------------------------------------------


def case_assessments(case: Case) -> list[Assessment]:
    """A case's assessments, oldest first (the reassessment history and its chart)."""
    return list(
        case.assessments.select_related(
            "assessor", "approved_by", "instrument_version__instrument"
        ).order_by("completed_at")
    )


def child_assessments(child_id) -> QuerySet[Assessment]:
    return Assessment.objects.filter(child_id=child_id).order_by("completed_at")


def case_has_pending_override(case: Case) -> bool:
    """A lowered level waits for a supervisor's approval (guard of T3, assessment.md §5)."""
    return case.assessments.filter(override_status=Assessment.OverrideStatus.PENDING).exists()


def case_has_closing_assessment(case: Case, *, now=None) -> bool:
    """Closure check 5 (circuit.md §5.4): a closing assessment completed in the last 30 days
    whose level is settled (not waiting for a supervisor's approval)."""
    now = now or timezone.now()
    return (
        case.assessments.filter(
            kind=Assessment.Kind.CLOSING, completed_at__gte=now - CLOSING_ASSESSMENT_WITHIN
        )
        .exclude(override_status=Assessment.OverrideStatus.PENDING)
        .exists()
    )


def assessment_get_for_user(
    user, assessment_id, perm: Perm = Perm.CHILD_VIEW, *, request=None
) -> Assessment:
    """One assessment through its case's door: 404 outside the case's scope, 403 inside it
    without `perm` (checked on the case); the read of the case is audited."""
    try:
        key = uuid.UUID(str(assessment_id))
    except ValueError:
        raise Http404 from None
    row = Assessment.objects.filter(pk=key).values_list("case_id", flat=True).first()
    if row is None:
        raise Http404
    case = case_selectors.case_get_for_user(user, row, Perm.CHILD_VIEW, request=request)
    if perm != Perm.CHILD_VIEW and not has_perm(user, perm, case):
        raise PermissionDenied
    return (
        Assessment.objects.select_related(
            "case", "assessor", "approved_by", "instrument_version__instrument"
        )
        .filter(pk=key)
        .get()
    )


def pending_approvals_for(user) -> QuerySet[Assessment]:
    """Lowered levels waiting for approval on the cases where `user` may approve."""
    cases = case_selectors.cases_visible_to(user, Perm.ASSESSMENT_APPROVE)
    return (
        Assessment.objects.filter(override_status=Assessment.OverrideStatus.PENDING, case__in=cases)
        .select_related("case", "assessor", "instrument_version__instrument")
        .order_by("completed_at")
    )
