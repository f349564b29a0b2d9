"""Reads of `accounts`: which organisations and users a person may see.

Administration is territorial too: a national membership sees every organisation; a regional
or provincial one sees the organisations of its territory and the people who work there."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from himaya.accounts.models import Organisation, User
from himaya.accounts.permissions import Perm, granting, territory_q


def _territory_filter(user, perm: Perm, *, prefix: str = "") -> Q | None:
    combined: Q | None = None
    for membership in granting(user, perm):
        q = territory_q(membership, prefix=prefix)
        if q == Q():
            return Q()  # national: everything (Q() | x would collapse to x)
        combined = q if combined is None else combined | q
    return combined


def organisations_visible_to(user, perm: Perm = Perm.ORG_VIEW) -> QuerySet[Organisation]:
    q = _territory_filter(user, perm)
    if q is None:
        return Organisation.objects.none()
    # National organisations (no province) are visible to national memberships only.
    if q == Q():
        return Organisation.objects.all()
    return Organisation.objects.filter(q)


def organisation_get_for_user(user, organisation_id, perm: Perm = Perm.ORG_VIEW) -> Organisation:
    try:
        return organisations_visible_to(user, perm).get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError):
        raise Http404 from None


def users_visible_to(user, perm: Perm = Perm.USER_VIEW) -> QuerySet[User]:
    q = _territory_filter(user, perm, prefix="memberships__organisation__")
    if q is None:
        return User.objects.none()
    if q == Q():
        return User.objects.all()
    return User.objects.filter(q).distinct()


def user_get_for_user(user, user_id, perm: Perm = Perm.USER_VIEW) -> User:
    try:
        return users_visible_to(user, perm).get(pk=user_id)
    except (User.DoesNotExist, ValueError):
        raise Http404 from None
