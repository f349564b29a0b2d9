"""Reads of a child's record — the one door (DESIGN.md rule 2).

`children_visible_to` is the scope of every list, search, export and API queryset;
`child_get_for_user` opens one record: outside the user's scope it does not exist (404), in
scope without the permission asked it is refused (403), and an active break-the-glass access
opens it read-only. Every opening is audited before the record is returned (DP-27)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from himaya.accounts.permissions import ROLE_REACH, Perm, Reach, has_perm, memberships, scope_q
from himaya.audit.models import BreakGlassAccess
from himaya.audit.services import audit_record
from himaya.children.models import Child


def children_visible_to(user, perm: Perm = Perm.CHILD_VIEW) -> QuerySet[Child]:
    """The children on which `user` holds `perm` through a membership (no break-the-glass)."""
    q = scope_q(user, perm, assigned=_assigned_to)
    if q is None:
        return Child.objects.none()
    return Child.objects.filter(q)


def _assigned_to(user_id: int) -> Q:
    assignments = Child.assigned_workers.through.objects.filter(
        child_id=OuterRef("pk"), user_id=user_id
    )
    return Q(Exists(assignments))


def _in_any_scope(user, child: Child) -> bool:
    """Whether a membership of `user` reaches this record's territory (and organisation, for
    organisation-bound roles) at all, whatever it may do there: other staff of the owning
    organisation are in scope but see the summary only (DP-19), so they get 403, not 404."""
    from himaya.accounts.permissions import territory_covers

    for m in memberships(user):
        reach = ROLE_REACH.get(m.role, Reach.NONE)
        if reach == Reach.NONE or not territory_covers(m, child):
            continue
        if reach == Reach.TERRITORY or m.organisation_id == child.organisation_id:
            return True
    return False


def active_break_glass(user, child_id) -> BreakGlassAccess | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        BreakGlassAccess.objects.filter(user=user, child_id=child_id, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


@dataclass(frozen=True)
class ChildAccess:
    """An opened record and what the opener may see of it."""

    child: Child
    break_glass: BreakGlassAccess | None
    can_edit: bool
    sees_health: bool


def child_get_for_user(
    user, child_id, perm: Perm = Perm.CHILD_VIEW, *, request=None
) -> ChildAccess:
    try:
        child_uuid = uuid.UUID(str(child_id))
    except ValueError:
        raise Http404 from None
    child = Child.objects.select_related("province", "organisation").filter(pk=child_uuid).first()
    if child is None:
        raise Http404
    glass = None
    if not has_perm(user, perm, child):
        glass = (
            active_break_glass(user, child.pk)
            if perm in (Perm.CHILD_VIEW, Perm.CHILD_VIEW_SUMMARY)
            else None
        )
        if glass is None:
            in_scope = _in_any_scope(user, child)
            audit_record(
                actor=user, action="child.read", target_type="child", target_id=str(child.pk),
                child_id=child.pk, outcome="denied", request=request,
                data={"permission": str(perm), "in_scope": in_scope},
            )  # fmt: skip
            if in_scope:
                raise PermissionDenied
            raise Http404
    access = ChildAccess(
        child=child,
        break_glass=glass,
        can_edit=glass is None and has_perm(user, Perm.CHILD_EDIT, child),
        sees_health=glass is not None or has_perm(user, Perm.DATA_HEALTH, child),
    )
    audit_record(
        actor=user, action="child.read", target_type="child", target_id=str(child.pk), child_id=child.pk,
        request=request, reason=glass.justification if glass else "",
        data={"permission": str(perm), "break_glass": str(glass.pk) if glass else None},
    )  # fmt: skip
    return access


def children_search_minimal(user, query: str, *, limit: int = 20, request=None) -> list[dict]:
    """DP-18: the duplicate search at reception runs across all territories but returns only
    a minimal identity. Logged with the query and the ids returned."""
    if not has_perm(user, Perm.CHILD_SEARCH_ALL):
        raise PermissionDenied
    terms = [t for t in query.split() if t][:4]
    if not terms:
        return []
    q = Q()
    for term in terms:
        q &= (
            Q(first_name_ar__icontains=term)
            | Q(last_name_ar__icontains=term)
            | Q(first_name_lat__icontains=term)
            | Q(last_name_lat__icontains=term)
        )
    rows = list(
        Child.objects.filter(q)
        .select_related("province", "organisation")
        .order_by("-created_at")[:limit]
    )
    visible = set(
        children_visible_to(user).filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True)
    )
    results = [
        {
            "child": row,
            "in_scope": row.pk in visible,
            "birth_year": row.birth_date.year if row.birth_date else None,
        }
        for row in rows
    ]
    audit_record(
        actor=user, action="child.search", target_type="child", request=request,
        data={"query": query[:100], "result_ids": [str(r.pk) for r in rows]},
    )  # fmt: skip
    return results
