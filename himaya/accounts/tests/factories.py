"""Small builders for the login tests: a user with one membership, and TOTP codes.

The shared personas (`himaya.accounts.testing`, fixture `personas`) serve the permission
tests; these helpers make one user of a chosen role with a known password."""

from __future__ import annotations

import time

import pyotp

from himaya.accounts.models import Membership, Organisation, User
from himaya.core.models import Province

PASSWORD = "correct-horse-battery-staple"


def make_org(
    code: str = "t-cape-sale", *, org_type: str = "cape", province: str | None = "04.441"
) -> Organisation:
    org, _created = Organisation.objects.get_or_create(
        code=code,
        defaults={"type": org_type, "name_fr": code, "name_ar": code, "province_id": province},
    )
    return org


def make_user(
    username: str,
    *,
    role: str | None = None,
    org: Organisation | None = None,
    scope: str = "national",
    province: str | None = None,
    password: str = PASSWORD,
    **fields,
) -> User:
    """A user with `password`; with `role`, one active membership at `org` (a CAPE by default)
    over the whole country (`scope="national"`) or one province (`scope="province"`)."""
    user = User.objects.create_user(username=username, password=password, **fields)
    if role:
        if scope == "province" and province is None:
            province = Province.objects.order_by("code").values_list("code", flat=True).first()
        Membership.objects.create(
            user=user,
            organisation=org or make_org(),
            role=role,
            scope=scope,
            scope_province_id=province if scope == "province" else None,
        )
    return user


def enrol(user: User, secret: str | None = None) -> str:
    """Turn two-factor on for `user` directly (no code used yet); returns the secret."""
    secret = secret or pyotp.random_base32()
    user.totp_secret, user.totp_enabled, user.totp_last_step = secret, True, 0
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
    return secret


def code(secret: str, *, steps_ahead: int = 0) -> str:
    """The TOTP code of `secret` for the current 30-second step, or one step later (still
    accepted: valid_window=1) to get a fresh code without waiting."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def wrong_code(secret: str) -> str:
    """A six-digit code that `secret` does not produce in the accepted window."""
    valid = {code(secret, steps_ahead=n) for n in (-1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in valid)
