"""Reads of a child's record — the one door (DESIGN.md rule 2).

`children_visible_to` is the scope of every list, search, export and API queryset;
`child_get_for_user` opens one record: outside the user's scope it does not exist (404), in
scope without the permission asked it is refused (403), and an active break-the-glass access
opens it read-only. Every opening is audited before the record is returned (DP-27)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from himaya.accounts.permissions import ROLE_REACH, Perm, Reach, has_perm, memberships, scope_q
from himaya.audit.models import BreakGlassAccess
from himaya.audit.services import audit_record
from himaya.children.models import Child, ChildNameKey


def children_visible_to(user, perm: Perm = Perm.CHILD_VIEW) -> QuerySet[Child]:
    """The children on which `user` holds `perm` through a membership (no break-the-glass),
    tombstones of merges excluded."""
    q = scope_q(user, perm, assigned=_assigned_to)
    if q is None:
        return Child.objects.none()
    # A merged record is a tombstone: out of every list (it is opened only by its id, DP-59).
    return Child.objects.filter(q, merged_into__isnull=True)


def _assigned_to(user_id: int) -> Q:
    """A child is assigned to the workers who manage or evaluate one of its cases."""
    case_model = apps.get_model("cases", "Case")  # cases depends on children, not the reverse
    cases = case_model.objects.filter(child_id=OuterRef("pk")).filter(
        Q(case_manager_id=user_id) | Q(evaluator_id=user_id)
    )
    return Q(Exists(cases))


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
    """DP-18: the search for a child by name, in either script, across all territories. It uses
    the duplicate search's phonetic keys (indexed, spelling- and script-tolerant) and returns a
    minimal identity; logged with the query and the ids returned."""
    from himaya.children.matching import ChildIdentity

    if not has_perm(user, Perm.CHILD_SEARCH_ALL):
        raise PermissionDenied
    terms = [t for t in query.split() if t][:4]
    if not terms:
        return []
    arabic = [t for t in terms if any("\u0600" <= ch <= "\u06ff" for ch in t)]
    latin = [t for t in terms if t not in arabic]
    identity = ChildIdentity(
        first_name_ar=arabic[0] if arabic else "", last_name_ar=" ".join(arabic[1:]),
        first_name_lat=latin[0] if latin else "", last_name_lat=" ".join(latin[1:]),
    )  # fmt: skip
    found = _ranked_candidates(identity, limit=limit)
    rows = [r["child"] for r in found]
    visible = set(
        children_visible_to(user).filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True)
    )
    results = [
        {
            "child": row,
            "in_scope": row.pk in visible,
            "birth_year": row.birth_date.year if row.birth_date else None,
            "score": r["score"],
        }
        for row, r in zip(rows, found, strict=True)
    ]
    audit_record(
        actor=user, action="child.search", target_type="child", request=request,
        data={"query": query[:100], "result_ids": [str(r.pk) for r in rows]},
    )  # fmt: skip
    return results


def identity_of(child: Child):
    from himaya.children.matching import ChildIdentity

    return ChildIdentity(
        first_name_ar=child.first_name_ar,
        last_name_ar=child.last_name_ar,
        first_name_lat=child.first_name_lat,
        last_name_lat=child.last_name_lat,
        sex=child.sex,
        birth_year=child.birth_date.year if child.birth_date else None,
        birth_year_estimated=child.birth_date_estimated,
        mother_name=child.mother_name,
        province_code=child.province_id,
    )


def identities_of(child: Child) -> list:
    """The child's identity and one per alias (names only: the other fields are the child's),
    so that a name the child was known by — a merged record's — still finds and scores it.
    Uses `child.aliases` (prefetch it on lists)."""
    from dataclasses import replace

    own = identity_of(child)
    return [own] + [
        replace(
            own,
            first_name_ar=alias.first_name_ar,
            last_name_ar=alias.last_name_ar,
            first_name_lat=alias.first_name_lat,
            last_name_lat=alias.last_name_lat,
        )
        for alias in child.aliases.all()
    ]


def best_score(identity, child: Child) -> float:
    from himaya.children.matching import match_score

    return round(max(match_score(identity, known) for known in identities_of(child)), 3)


MATCH_THRESHOLD = 0.6


def _ranked_candidates(identity, *, limit: int, exclude_id=None) -> list[dict]:
    """Children sharing name keys with `identity` (an indexed lookup), ranked by
    `matching.match_score`, at or above MATCH_THRESHOLD. No permission check, no audit: the
    two public searches below do both."""
    from himaya.children.matching import search_keys

    keys = sorted(k for k in search_keys(identity, query=True) if k.startswith("n:"))[:40]
    if not keys:
        return []
    # Candidates sharing the most name keys first: one shared key pulls every "Amina", two
    # keys (first and family name) narrow it to the plausible few (matching.py, weakness 5).
    shared = (
        ChildNameKey.objects.filter(key__in=keys)
        .exclude(child_id=exclude_id)
        .values("child_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "child_id")
    )
    if len(keys) >= 2:  # keys are distinct (a sorted set)
        shared = shared.filter(shared__gte=2)
    ids = [row["child_id"] for row in shared[:500]]
    candidates = (
        Child.objects.filter(pk__in=ids, merged_into__isnull=True)
        .select_related("province", "organisation")
        .prefetch_related("aliases")
    )
    scored = sorted(
        ((best_score(identity, c), c) for c in candidates),
        key=lambda pair: (-pair[0], str(pair[1].pk)),
    )
    return [
        {"child_id": c.pk, "score": score, "child": c}
        for score, c in scored
        if score >= MATCH_THRESHOLD
    ][:limit]


def children_match_candidates(
    user, query, *, limit: int = 10, exclude_id=None, request=None
) -> list[dict]:
    """DP-18 duplicate search at reception, across all territories, minimal identity only;
    logged with the ids returned. `query` is a Child or a ChildIdentity."""
    if not has_perm(user, Perm.CHILD_SEARCH_ALL):
        raise PermissionDenied
    identity = identity_of(query) if isinstance(query, Child) else query
    excluded = exclude_id or (query.pk if isinstance(query, Child) else None)
    results = _ranked_candidates(identity, limit=limit, exclude_id=excluded)
    audit_record(
        actor=user, action="child.match", target_type="child", request=request,
        data={"result_ids": [str(r["child_id"]) for r in results]},
    )  # fmt: skip
    return results


# --- merges (DP-58..60) ----------------------------------------------------------------------------


def child_merges(child: Child, *, limit: int = 50) -> list:
    """The merges a record took part in, as survivor or as the merged record, newest first.
    The caller has opened `child` through `child_get_for_user` (scope and audit)."""
    from himaya.children.models import ChildMerge

    return list(
        ChildMerge.objects.filter(Q(survivor=child) | Q(duplicate=child))
        .select_related("survivor", "duplicate", "approved_by", "unmerged_by")
        .order_by("-merged_at")[:limit]
    )


@dataclass(frozen=True)
class MergePair:
    """Two opened records side by side, for a supervisor deciding whether to merge them."""

    survivor: Child
    duplicate: Child
    rows: list[dict]  # {"name", "label", "survivor", "duplicate", "*_label", "differs"}
    score: float
    counts: dict[str, dict[str, int]]  # {"survivor": {"cases": n, "relations": n}, ...}


def child_merge_pair(user, survivor_id, duplicate_id, *, request=None) -> MergePair:
    """Open both records with the merge permission (404 outside scope, 403 without the
    right, each opening audited) and line up the fields a merge may take from either."""
    from himaya.children.services import CHILD_EDITABLE, MERGE_CHOICES
    from himaya.core import codes

    def shown(name: str, value):
        if name in ("commune", "birth_date"):
            return str(value) if value else ""
        if isinstance(value, bool):
            return value
        return codes.label(CHILD_EDITABLE[name], value) if CHILD_EDITABLE.get(name) else value

    opened = [
        child_get_for_user(user, pk, Perm.CHILD_MERGE, request=request).child
        for pk in (survivor_id, duplicate_id)
    ]
    survivor, duplicate = opened
    rows = []
    for name in MERGE_CHOICES:
        field = Child._meta.get_field(name)
        left, right = getattr(survivor, name), getattr(duplicate, name)
        rows.append(
            {
                "name": name, "label": field.verbose_name, "survivor": left, "duplicate": right,
                "survivor_label": shown(name, left), "duplicate_label": shown(name, right),
                "differs": left != right,
            }
        )  # fmt: skip
    counts = {
        side: {"cases": child.cases.count(), "relations": child.relations.count()}
        for side, child in (("survivor", survivor), ("duplicate", duplicate))
    }
    return MergePair(
        survivor=survivor,
        duplicate=duplicate,
        rows=rows,
        score=best_score(identity_of(duplicate), survivor),
        counts=counts,
    )


DUPLICATE_PAGE = 100  # records examined per page of the likely-duplicates list
MAX_CANDIDATES_PER_RECORD = 10


@dataclass(frozen=True)
class DuplicatePage:
    pairs: list[dict]  # {"child", "candidate", "score"}: child is the newer record
    next_cursor: str | None
    examined: int


def _parse_cursor(cursor: str):
    from django.utils.dateparse import parse_datetime

    created, _sep, pk = (cursor or "").partition("|")
    try:
        return parse_datetime(created), uuid.UUID(pk)
    except ValueError:
        return None


def child_duplicate_pairs(
    user, *, cursor: str = "", page_size: int = DUPLICATE_PAGE
) -> DuplicatePage:
    """DP-58: likely duplicates among the records a supervisor may merge, proposed — never
    merged — by the indexed name matching: for a page of records (newest first, keyset on
    created_at and id), the records of the same scope sharing at least two phonetic name keys,
    ranked by `matching.match_score`, kept at or above MATCH_THRESHOLD. A pair is listed once,
    on the page of its newer record. A fixed number of queries per page, whatever the size."""
    if not has_perm(user, Perm.CHILD_MERGE):
        raise PermissionDenied
    scope = children_visible_to(user, Perm.CHILD_MERGE)
    page = scope.order_by("-created_at", "-pk")
    if cursor:
        parsed = _parse_cursor(cursor)
        if parsed is None or parsed[0] is None:
            return DuplicatePage(pairs=[], next_cursor=None, examined=0)
        created, pk = parsed
        page = page.filter(Q(created_at__lt=created) | Q(created_at=created, pk__lt=pk))
    records = list(page.prefetch_related("aliases")[: page_size + 1])
    more = len(records) > page_size
    records = records[:page_size]
    by_id = {c.pk: c for c in records}
    own_keys: dict[str, set] = {}
    for child_id, key in ChildNameKey.objects.filter(child_id__in=by_id).values_list(
        "child_id", "key"
    ):
        own_keys.setdefault(key, set()).add(child_id)
    shared: dict[tuple, int] = {}
    if own_keys:
        others = (
            ChildNameKey.objects.filter(key__in=sorted(own_keys), child__in=scope)
            .values_list("child_id", "key")
            .order_by("child_id")[:20000]
        )
        for other_id, key in others:
            for child_id in own_keys[key]:
                if other_id != child_id:
                    shared[(child_id, other_id)] = shared.get((child_id, other_id), 0) + 1
    best: dict = {}
    for (child_id, other_id), count in sorted(shared.items(), key=lambda kv: -kv[1]):
        if count >= 2 and len(best.setdefault(child_id, [])) < MAX_CANDIDATES_PER_RECORD:
            best[child_id].append(other_id)
    candidate_ids = {pk for ids in best.values() for pk in ids}
    candidates = {
        c.pk: c
        for c in Child.objects.filter(pk__in=candidate_ids, merged_into__isnull=True)
        .select_related("province")
        .prefetch_related("aliases")
    }
    pairs = []
    for child in records:
        identity = identity_of(child)
        for other_id in best.get(child.pk, []):
            other = candidates.get(other_id)
            if other is None or (other.created_at, other.pk) > (child.created_at, child.pk):
                continue  # listed on the newer record's page
            score = best_score(identity, other)
            if score >= MATCH_THRESHOLD:
                pairs.append({"child": child, "candidate": other, "score": score})
    pairs.sort(key=lambda p: (-p["score"], str(p["child"].pk), str(p["candidate"].pk)))
    last = records[-1] if records else None
    next_cursor = f"{last.created_at.isoformat()}|{last.pk}" if more and last else None
    return DuplicatePage(pairs=pairs, next_cursor=next_cursor, examined=len(records))


def merge_requests_pending(user, *, limit: int = 50) -> list:
    """DP-59: the pending merge requests a supervisor may answer — those whose record to keep
    is in the supervisor's merge scope — oldest first (bounded)."""
    from himaya.children.models import ChildMergeRequest

    if not has_perm(user, Perm.CHILD_MERGE):
        raise PermissionDenied
    scope = children_visible_to(user, Perm.CHILD_MERGE)
    return list(
        ChildMergeRequest.objects.filter(status="pending", survivor__in=scope)
        .select_related("survivor", "duplicate", "requested_by")
        .order_by("created_at")[:limit]
    )
