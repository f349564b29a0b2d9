"""Small builders for the audit tests: users with a role in a ministry organisation."""

from __future__ import annotations

import itertools

from himaya.accounts.models import Membership, Organisation, User

PASSWORD = "correct-horse-battery-staple"
_numbers = itertools.count(1)


def make_organisation(code: str | None = None) -> Organisation:
    code = code or f"ministry-{next(_numbers)}"
    return Organisation.objects.create(
        code=code, name_fr=f"Ministère {code}", name_ar=f"وزارة {code}", type="ministry"
    )


def make_user(username: str | None = None, *, role: str | None = None, organisation=None) -> User:
    """A user; with `role`, also a national membership in `organisation` (a new ministry)."""
    user = User.objects.create_user(
        username=username or f"user-{next(_numbers)}", password=PASSWORD
    )
    if role:
        Membership.objects.create(
            user=user,
            organisation=organisation or make_organisation(),
            role=role,
            scope="national",
        )
    return user


def make_auditor(username: str = "auditor.national") -> User:
    return make_user(username, role="auditor")


def make_outsider(username: str = "stats.national") -> User:
    """Logged in, with a role that does not include reading the audit trail."""
    return make_user(username, role="statistician")


def sign_in(client, user):
    """Log `user` in on a test client, second factor included (the shared accounts helper)."""
    from himaya.accounts.testing import sign_in as accounts_sign_in

    return accounts_sign_in(client, user)
