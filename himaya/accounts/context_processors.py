"""Template context: what the signed-in user may do, for navigation only (views still check)."""

from himaya.accounts.models import Notification
from himaya.accounts.permissions import ROLE_PERMISSIONS, Perm, memberships


def access(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}, "unread_notifications": 0}
    granted = set()
    for membership in memberships(user):
        granted |= ROLE_PERMISSIONS.get(membership.role, frozenset())
    can = {perm.name.lower(): perm in granted for perm in Perm}
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {"can": can, "unread_notifications": unread, "my_memberships": memberships(user)}
