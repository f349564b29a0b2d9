"""Reading the audit trail. Only auditors read it (DP-28 access logs for supervisors, per
child in their scope, will be a separate selector built on the child's own scoping)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db.models import QuerySet

from himaya.accounts.permissions import Perm, has_perm
from himaya.audit.models import AuditEvent


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """Auditors (Perm.AUDIT_VIEW, national by role) see every event; everyone else none."""
    if has_perm(user, Perm.AUDIT_VIEW):
        return AuditEvent.objects.all()
    return AuditEvent.objects.none()


def audit_events_search(
    user,
    *,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    child: UUID | str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The events `user` may see, filtered, newest first (ordered by id, the chain order).

    `actor` is the acting user's current username (matched through the user, so renamed
    accounts are found by their new name and use the (actor, at) index); `target` is an
    object id and `child` a child id, both exact; `since` and `until` bound `at`, inclusive.
    Callers paginate with `id__lt` (keyset): the log is far too large for offsets."""
    events = audit_events_visible_to(user)
    if actor:
        events = events.filter(actor__username=actor)
    if action:
        events = events.filter(action=action)
    if target:
        events = events.filter(target_id=target)
    if child:
        events = events.filter(child_id=child)
    if since:
        events = events.filter(at__gte=since)
    if until:
        events = events.filter(at__lte=until)
    return events.order_by("-id")
