"""Every view declares who may reach it — default deny (Oscar's URL maps).

`@access(Perm.X)` on a function view, or `himaya_access = Perm.X` on a class view, states the
permission a user must hold somewhere in their memberships to reach the view at all; the
view's selector then decides per object (404 outside scope, 403 in scope without the right).
`PUBLIC` pages need no login; `AUTHENTICATED` pages need a login and no particular role.
A test walks the URL map and fails on any view that declares nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from himaya.accounts.permissions import Perm, has_perm

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def access(requirement: Perm | str) -> Callable:
    """Declare and enforce the access requirement of a function view."""
    if requirement not in (PUBLIC, AUTHENTICATED) and not isinstance(requirement, Perm):
        raise TypeError(f"unknown access requirement {requirement!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if requirement != PUBLIC:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if isinstance(requirement, Perm) and not has_perm(request.user, requirement):
                    raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.himaya_access = requirement
        return wrapper

    return decorate


def declared_access(callback) -> Perm | str | None:
    """The requirement a URL callback declares (function views, DRF or Django class views)."""
    for candidate in (
        callback,
        getattr(callback, "view_class", None),
        getattr(callback, "cls", None),
    ):
        value = getattr(candidate, "himaya_access", None)
        if value is not None:
            return value
    return None
