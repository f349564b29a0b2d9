"""The one permission module: named permissions, the role → permissions map, how far each
role's scope reaches, and the questions "may this user do X?" and "on which records?".

Roles are data (Membership.role holds a code of `user_role`); permissions are code. A user may
hold several memberships: a permission is granted by any active membership whose role grants it
*and* whose scope covers the record (territory, organisation, assignment — DP-16).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

from django.db.models import Q


class Perm(StrEnum):
    # Administration (configuration only, no case content)
    ORG_VIEW = "org.view"
    ORG_MANAGE = "org.manage"
    USER_VIEW = "user.view"
    USER_MANAGE = "user.manage"
    # A child's record
    CHILD_VIEW = "child.view"  # full identity and case content
    CHILD_VIEW_SUMMARY = "child.view_summary"  # identity, stage, level, organisation, manager
    CHILD_CREATE = "child.create"
    CHILD_EDIT = "child.edit"
    CHILD_SEARCH_ALL = "child.search_all"  # DP-18: duplicate search across territories
    CHILD_MERGE = "child.merge"  # DP-59/60: merge and unmerge duplicate records (supervisor)
    CHILD_MERGE_REQUEST = "child.merge_request"  # DP-59: ask a supervisor to merge (case manager)
    # The circuit (which transition a role may perform is the workflow table, cases/workflow.py)
    REPORT_CREATE = "report.create"
    CASE_ASSIGN = "case.assign"
    CASE_WORK = "case.work"  # record emergency actions, plan actions, follow-ups, views
    JUDICIAL_RECORD = "judicial.record"  # reports to the prosecutor, measures, hearings
    JUDICIAL_WAIVE = "judicial.waive"  # waive a mandatory judicial task (supervisor)
    TRANSFER_DECIDE = "transfer.decide"  # accept or reject an incoming transfer (supervisor)
    # Danger assessment (assessment.md §5): record one (raise at once, request a lowering);
    # approve or reject a lowered level (supervisor).
    ASSESSMENT_RECORD = "assessment.record"
    ASSESSMENT_APPROVE = "assessment.approve"
    # Restricted data categories (data-protection.md §4) need their own permission
    DATA_HEALTH = "data.health"
    DATA_SEXUAL_VIOLENCE = "data.sexual_violence"
    DATA_JUDICIAL = "data.judicial"
    # Break-the-glass (DP-20..23)
    BREAK_GLASS = "breakglass.use"
    BREAK_GLASS_REVIEW = "breakglass.review"
    # Audit, aggregates, referrals
    AUDIT_VIEW = "audit.view"
    AGGREGATES_VIEW = "aggregates.view"
    REFERRAL_PACKET_VIEW = "referral.view_packet"
    REFERRAL_RESPOND = "referral.respond"  # accept, decline, complete a referral (provider)
    # The directory of institutions (no child data; shelters' addresses are not public)
    DIRECTORY_VIEW = "directory.view"
    INSTITUTION_MAINTAIN_OWN = "institution.maintain_own"  # the institution's own users


class Reach(StrEnum):
    """How far a role's membership reaches over child records, inside its territory."""

    ASSIGNED = "assigned"  # records of the organisation assigned to the user
    ORGANISATION = "organisation"  # every record of the organisation
    TERRITORY = "territory"  # every record of the territory, whatever the organisation
    NONE = "none"  # no record at all (aggregates, packets, configuration, audit)


_CASE_WORK = {
    Perm.DIRECTORY_VIEW,
    Perm.CHILD_VIEW,
    Perm.CHILD_VIEW_SUMMARY,
    Perm.CHILD_CREATE,
    Perm.CHILD_EDIT,
    Perm.CHILD_SEARCH_ALL,
    Perm.BREAK_GLASS,
    Perm.CASE_WORK,
    Perm.JUDICIAL_RECORD,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    "reporter": frozenset(),
    "reception_officer": frozenset(
        _CASE_WORK
        | {Perm.DATA_HEALTH, Perm.DATA_SEXUAL_VIOLENCE, Perm.REPORT_CREATE, Perm.CASE_ASSIGN}
    ),
    "evaluator": frozenset(
        _CASE_WORK
        | {Perm.DATA_HEALTH, Perm.DATA_SEXUAL_VIOLENCE, Perm.DATA_JUDICIAL, Perm.ASSESSMENT_RECORD}
    ),
    "case_manager": frozenset(
        _CASE_WORK
        | {
            Perm.DATA_HEALTH,
            Perm.DATA_SEXUAL_VIOLENCE,
            Perm.DATA_JUDICIAL,
            Perm.CHILD_MERGE_REQUEST,
            Perm.ASSESSMENT_RECORD,
        }
    ),
    "orientation_officer": frozenset({Perm.CHILD_VIEW_SUMMARY, Perm.ORG_VIEW, Perm.DIRECTORY_VIEW}),
    "supervisor": frozenset(
        _CASE_WORK
        | {Perm.DATA_HEALTH, Perm.DATA_SEXUAL_VIOLENCE, Perm.DATA_JUDICIAL, Perm.BREAK_GLASS_REVIEW}
        | {Perm.REPORT_CREATE, Perm.CASE_ASSIGN, Perm.JUDICIAL_WAIVE, Perm.TRANSFER_DECIDE}
        | {Perm.CHILD_MERGE, Perm.ASSESSMENT_RECORD, Perm.ASSESSMENT_APPROVE}
        | {Perm.AGGREGATES_VIEW, Perm.ORG_VIEW, Perm.USER_VIEW, Perm.INSTITUTION_MAINTAIN_OWN}
    ),
    "judicial_liaison": frozenset(
        {
            Perm.CHILD_VIEW_SUMMARY,
            Perm.DATA_JUDICIAL,
            Perm.DATA_SEXUAL_VIOLENCE,
            Perm.BREAK_GLASS,
            Perm.JUDICIAL_RECORD,
            Perm.DIRECTORY_VIEW,
        }
    ),
    "service_provider": frozenset(
        {
            Perm.REFERRAL_PACKET_VIEW,
            Perm.REFERRAL_RESPOND,
            Perm.DIRECTORY_VIEW,
            Perm.INSTITUTION_MAINTAIN_OWN,
        }
    ),
    "cppe_member": frozenset({Perm.AGGREGATES_VIEW, Perm.DIRECTORY_VIEW}),
    "statistician": frozenset({Perm.AGGREGATES_VIEW, Perm.DIRECTORY_VIEW}),
    "auditor": frozenset(
        {Perm.AUDIT_VIEW, Perm.BREAK_GLASS_REVIEW, Perm.USER_VIEW, Perm.ORG_VIEW}
        | {Perm.DIRECTORY_VIEW}
    ),
    "administrator": frozenset(
        {Perm.ORG_VIEW, Perm.ORG_MANAGE, Perm.USER_VIEW, Perm.USER_MANAGE, Perm.DIRECTORY_VIEW}
    ),
}

ROLE_REACH: dict[str, Reach] = {
    "reporter": Reach.NONE,
    "reception_officer": Reach.ORGANISATION,
    "evaluator": Reach.ASSIGNED,
    "case_manager": Reach.ASSIGNED,
    "orientation_officer": Reach.ORGANISATION,
    "supervisor": Reach.ORGANISATION,
    "judicial_liaison": Reach.TERRITORY,
    "service_provider": Reach.NONE,
    "cppe_member": Reach.NONE,
    "statistician": Reach.NONE,
    "auditor": Reach.NONE,
    "administrator": Reach.NONE,
}

# Permissions that reach further than the role's usual reach: other staff of the owning
# organisation see a record's summary (identity, stage, level, case manager) — DP-19.
SUMMARY_PERMISSIONS = frozenset({Perm.CHILD_VIEW_SUMMARY})


def reach_of(role: str, perm: Perm | None = None) -> Reach:
    """How far a membership in `role` reaches for `perm`."""
    reach = ROLE_REACH.get(role, Reach.NONE)
    if reach == Reach.ASSIGNED and perm in SUMMARY_PERMISSIONS:
        return Reach.ORGANISATION
    return reach


# Roles whose holders must log in with a second factor (issue 3; DP-50 would extend it).
TWO_FACTOR_ROLES = frozenset({"supervisor", "administrator", "auditor"})


class Scoped(Protocol):
    """What a record exposes to be placed in a scope: its territory, its organisation and,
    for assignment-based roles, whether a user is assigned to it."""

    province_id: str | None
    organisation_id: object

    def assigned_user_ids(self) -> set[int]: ...


def memberships(user) -> list:
    """The user's active memberships, loaded once per user object (one query)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_himaya_memberships", None)
    if cached is None:
        cached = list(
            user.memberships.filter(active=True, organisation__active=True).select_related(
                "organisation", "scope_province", "scope_commune"
            )
        )
        user._himaya_memberships = cached
    return cached


def forget_memberships(user) -> None:
    user.__dict__.pop("_himaya_memberships", None)


def roles(user) -> set[str]:
    return {m.role for m in memberships(user)}


def granting(user, perm: Perm) -> list:
    """The memberships of `user` whose role grants `perm`."""
    return [m for m in memberships(user) if perm in ROLE_PERMISSIONS.get(m.role, frozenset())]


def has_perm(user, perm: Perm, obj: Scoped | None = None) -> bool:
    """May `user` do `perm` — on `obj` when given (its territory, organisation, assignment)?"""
    candidates = granting(user, perm)
    if obj is None:
        return bool(candidates)
    return any(covers(m, obj, perm) for m in candidates)


def covers(membership, obj: Scoped, perm: Perm | None = None) -> bool:
    reach = reach_of(membership.role, perm)
    if reach == Reach.NONE:
        return False
    if not territory_covers(membership, obj):
        return False
    if reach == Reach.TERRITORY:
        return True
    if obj.organisation_id != membership.organisation_id:
        return False
    return reach == Reach.ORGANISATION or membership.user_id in obj.assigned_user_ids()


def territory_covers(membership, obj) -> bool:
    """Whether `membership`'s territory contains `obj` (a record with province_id / commune_id)."""
    scope = membership.scope
    if scope == "national":
        return True
    if obj.province_id is None:
        return False
    if scope == "province":
        return obj.province_id == membership.scope_province_id or (
            obj.province_id.startswith(membership.scope_province_id + ".")
        )
    if scope == "region":
        return obj.province_id.split(".")[0] == membership.scope_region_id
    return getattr(obj, "commune_id", None) == membership.scope_commune_id


def territory_q(membership, *, prefix: str = "") -> Q:
    """The records of `membership`'s territory, as a filter on a model with `province` (and
    `commune`) fields reached through `prefix` (e.g. "child__")."""
    scope = membership.scope
    if scope == "national":
        return Q()
    if scope == "region":
        return Q(**{f"{prefix}province__region_id": membership.scope_region_id})
    if scope == "province":
        # A prefecture's membership also covers its prefectures of arrondissements (Casablanca):
        # an IN list of codes keeps the (province, organisation, created_at) index usable.
        return Q(**{f"{prefix}province_id__in": province_family(membership.scope_province_id)})
    return Q(**{f"{prefix}commune_id": membership.scope_commune_id})


@lru_cache(maxsize=128)
def province_family(code: str) -> tuple[str, ...]:
    """A territory's code with the codes of the territories inside it (reference data, fixed
    for the life of a process)."""
    from himaya.core.models import Province

    return (
        code,
        *Province.objects.filter(parent_id=code).order_by("code").values_list("code", flat=True),
    )


def scope_q(user, perm: Perm, *, prefix: str = "", assigned: Callable[[int], Q]) -> Q | None:
    """The filter selecting every record on which `user` holds `perm`, or None for none.

    `assigned(user_id)` returns the filter "this user is assigned to the record" (an EXISTS
    subquery, so that no join multiplies rows). Used by every app's scoping selector so that
    pages, API, exports and fragments share one definition of scope."""
    combined: Q | None = None
    for m in granting(user, perm):
        reach = reach_of(m.role, perm)
        if reach == Reach.NONE:
            continue
        q = territory_q(m, prefix=prefix)
        if reach in (Reach.ORGANISATION, Reach.ASSIGNED):
            q &= Q(**{f"{prefix}organisation_id": m.organisation_id})
        if reach == Reach.ASSIGNED:
            q &= assigned(m.user_id)
        if q == Q():
            return Q()  # everything (Q() | x would collapse to x, so "all" must short-circuit)
        combined = q if combined is None else combined | q
    return combined
