"""Reads of care arrangements. A case's arrangements are read through the case, which was
opened by `cases.selectors.case_get_for_user` (scope and audit); an institution's occupancy is
a count, no child data."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from himaya.accounts.permissions import Perm
from himaya.placements.models import RESIDENTIAL, CareArrangement


def arrangements_of_child(user, child_id) -> QuerySet[CareArrangement]:
    """The child's arrangements across episodes, current first (circuit.md §6.2: the history
    belongs to the child) — of the cases the user may open (`cases_visible_to`): an episode
    held by another territory stays out of sight."""
    from himaya.cases.selectors import cases_visible_to

    return (
        CareArrangement.objects.filter(
            child_id=child_id, case__in=cases_visible_to(user, Perm.CHILD_VIEW)
        )
        .select_related("provider_org", "carer", "case")
        .order_by("end_date", "-start_date")[:50]
    )


def current_arrangement(child_id) -> CareArrangement | None:
    return (
        CareArrangement.objects.filter(child_id=child_id, is_primary=True, end_date__isnull=True)
        .select_related("provider_org")
        .first()
    )


def occupancy(organisation_ids) -> dict:
    """Children in residential care now, per receiving organisation (one indexed query)."""
    rows = (
        CareArrangement.objects.filter(
            provider_org_id__in=list(organisation_ids),
            end_date__isnull=True,
            care_type__in=RESIDENTIAL,
        )
        .values("provider_org_id")
        .annotate(n=Count("id"))
    )
    return {row["provider_org_id"]: row["n"] for row in rows}
