"""Break-the-glass accesses: who may list and review them (DP-22).

Opening one is a service of the app that owns the record (`children.services`); this module
is record-agnostic so that `audit` imports no domain app."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.permissions import Perm, granting, territory_q
from himaya.audit.models import BreakGlassAccess
from himaya.audit.services import audit_record

REVIEW_STATUSES = ("justified", "not_justified")


def break_glass_visible_to(user) -> QuerySet[BreakGlassAccess]:
    """Auditors see every access; supervisors those of their territory; anyone their own."""
    if not getattr(user, "is_authenticated", False):
        return BreakGlassAccess.objects.none()
    accesses = BreakGlassAccess.objects.select_related("user", "province", "reviewed_by")
    q = Q(user=user)
    for membership in granting(user, Perm.BREAK_GLASS_REVIEW):
        territory = territory_q(membership)
        if territory == Q():
            return accesses  # national reviewer (Q() | x would collapse to x)
        q |= territory
    return accesses.filter(q)


def break_glass_get_for_user(user, access_id) -> BreakGlassAccess:
    try:
        return break_glass_visible_to(user).get(pk=access_id)
    except (BreakGlassAccess.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def can_review(user, access: BreakGlassAccess) -> bool:
    """A reviewer of the territory, never the person who opened the record."""
    if access.user_id == user.pk:
        return False
    for membership in granting(user, Perm.BREAK_GLASS_REVIEW):
        if BreakGlassAccess.objects.filter(territory_q(membership), pk=access.pk).exists():
            return True
    return False


@transaction.atomic
def break_glass_review(
    *, actor, access_id, status: str, note: str = "", request=None
) -> BreakGlassAccess:
    access = BreakGlassAccess.objects.select_for_update().filter(pk=access_id).first()
    if access is None:
        raise Http404
    if not can_review(actor, access):
        raise PermissionDenied
    if status not in REVIEW_STATUSES:
        raise ValidationError({"status": _("Choose justified or not justified.")})
    if status == "not_justified" and not note.strip():
        raise ValidationError({"note": _("Say why this use was not justified.")})
    access.review_status = status
    access.review_note = note.strip()
    access.reviewed_by = actor
    access.reviewed_at = timezone.now()
    access.save(
        update_fields=["review_status", "review_note", "reviewed_by", "reviewed_at", "updated_at"]
    )
    audit_record(
        actor=actor, action="breakglass.review", target_type=access.target_type, target_id=access.target_id,
        child_id=access.child_id, reason=access.review_note, request=request, data={"status": status, "access": str(access.pk)},
    )  # fmt: skip
    return access
