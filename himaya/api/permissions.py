"""DRF side of the default-deny rule: a view sets `himaya_access` (a Perm, or AUTHENTICATED /
PUBLIC from himaya.accounts.access) and `HimayaAccess` enforces it before the view runs."""

from rest_framework.permissions import BasePermission

from himaya.accounts.access import AUTHENTICATED, PUBLIC
from himaya.accounts.permissions import has_perm


class HimayaAccess(BasePermission):
    def has_permission(self, request, view) -> bool:
        requirement = getattr(view, "himaya_access", None)
        if requirement is None:
            return False  # undeclared: default deny
        if requirement == PUBLIC:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        if requirement == AUTHENTICATED:
            return True
        return has_perm(request.user, requirement)
