"""Writes of `accounts`: organisations, users and memberships.

Every service checks the actor's permission, validates, writes and audits in one transaction.
Administrators manage accounts and organisations; they see no case content unless they also
hold a case role (their role grants no child permission).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from himaya.accounts.models import Membership, Organisation, User
from himaya.accounts.permissions import ROLE_PERMISSIONS, Perm, forget_memberships, has_perm
from himaya.audit.services import audit_record
from himaya.core import codes

ORGANISATION_FIELDS = [
    "code",
    "name_fr",
    "name_ar",
    "type",
    "status",
    "region",
    "province",
    "commune",
    "parent",
    "active",
]
USER_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "name_ar",
    "email",
    "preferred_language",
    "is_active",
]


class StaleVersion(ValidationError):
    """The record changed since the editor loaded it (HTTP 412 / form error)."""


def _require(actor, perm: Perm) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied


def _diff(instance, fields: list[str], values: dict) -> dict[str, list]:
    changes = {}
    for name in fields:
        if name not in values:
            continue
        attribute = f"{name}_id" if instance._meta.get_field(name).is_relation else name
        before = getattr(instance, attribute)
        after = values[name]
        after_key = getattr(after, "pk", after)
        if before != after_key:
            changes[name] = [
                None if before is None else str(before),
                None if after_key is None else str(after_key),
            ]
    return changes


def _validate_codes(values: dict, mapping: dict[str, str]) -> None:
    errors = {}
    for field, list_name in mapping.items():
        if field in values and not codes.is_valid(list_name, values[field]):
            errors[field] = _("Choose a value from the list.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organisation_create(*, actor, request=None, **values) -> Organisation:
    _require(actor, Perm.ORG_MANAGE)
    _validate_codes(values, {"type": "org_type", "status": "org_status"})
    organisation = Organisation(**{k: v for k, v in values.items() if k in ORGANISATION_FIELDS})
    organisation.full_clean()
    organisation.save()
    audit_record(
        actor=actor, action="org.create", target_type="organisation", target_id=str(organisation.pk),
        request=request, data={"code": organisation.code, "type": organisation.type},
    )  # fmt: skip
    return organisation


@transaction.atomic
def organisation_update(
    *, actor, organisation_id, version: int, request=None, **values
) -> Organisation:
    """Apply `values` if `version` is still current; a stale version changes nothing."""
    _require(actor, Perm.ORG_MANAGE)
    _validate_codes(values, {"type": "org_type", "status": "org_status"})
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    if organisation.version != version:
        raise StaleVersion(_("The record was changed by someone else; reload it and try again."))
    changes = _diff(organisation, ORGANISATION_FIELDS, values)
    for name, value in values.items():
        if name in ORGANISATION_FIELDS:
            setattr(organisation, name, value)
    organisation.full_clean()
    organisation.version += 1
    organisation.save()
    audit_record(
        actor=actor, action="org.update", target_type="organisation", target_id=str(organisation.pk),
        request=request, data={"changes": changes},
    )  # fmt: skip
    return organisation


@transaction.atomic
def user_create(*, actor, password: str, request=None, **values) -> User:
    """Create a personal account; the password must pass the validators (12+ characters)."""
    _require(actor, Perm.USER_MANAGE)
    from django.contrib.auth.password_validation import validate_password

    user = User(**{k: v for k, v in values.items() if k in USER_FIELDS})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        target_type="user",
        target_id=str(user.pk),
        request=request,
    )
    return user


@transaction.atomic
def user_update(*, actor, user_id, request=None, **values) -> User:
    _require(actor, Perm.USER_MANAGE)
    user = User.objects.select_for_update().get(pk=user_id)
    changes = _diff(user, USER_FIELDS, values)
    for name, value in values.items():
        if name in USER_FIELDS:
            setattr(user, name, value)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor, action="user.update", target_type="user", target_id=str(user.pk),
        request=request, data={"changes": changes},
    )  # fmt: skip
    return user


@transaction.atomic
def membership_create(
    *, actor, user: User, organisation: Organisation, role: str, scope: str,
    scope_region=None, scope_province=None, scope_commune=None, request=None,
) -> Membership:  # fmt: skip
    """Give `user` a role in `organisation` over a territory. The role must be a code of
    `user_role` that the permission module knows."""
    _require(actor, Perm.USER_MANAGE)
    if role not in ROLE_PERMISSIONS or not codes.is_valid("user_role", role):
        raise ValidationError({"role": _("Choose a value from the list.")})
    membership = Membership(
        user=user, organisation=organisation, role=role, scope=scope,
        scope_region=scope_region, scope_province=scope_province, scope_commune=scope_commune,
    )  # fmt: skip
    expected = {
        "national": set(),
        "region": {"scope_region"},
        "province": {"scope_province"},
        "commune": {"scope_commune"},
    }
    given = {
        name
        for name in ("scope_region", "scope_province", "scope_commune")
        if getattr(membership, name) is not None
    }
    if scope not in expected or given != expected[scope]:
        raise ValidationError({"scope": _("Give exactly the territory that matches the scope.")})
    if Membership.objects.filter(
        user=user, organisation=organisation, role=role, active=True
    ).exists():
        raise ValidationError(
            {"role": _("This user already holds this role in this organisation.")}
        )
    membership.full_clean()
    membership.save()
    forget_memberships(user)
    audit_record(
        actor=actor, action="membership.create", target_type="user", target_id=str(user.pk), request=request,
        data={"organisation": organisation.code, "role": role, "scope": scope,
              "territory": str(scope_commune or scope_province or scope_region or "")},
    )  # fmt: skip
    return membership


@transaction.atomic
def membership_deactivate(*, actor, membership_id, request=None) -> Membership:
    """End a membership. It is kept (never deleted) for the history of who could see what."""
    _require(actor, Perm.USER_MANAGE)
    membership = Membership.objects.select_for_update().get(pk=membership_id)
    if membership.active:
        membership.active = False
        membership.save(update_fields=["active", "updated_at"])
        forget_memberships(membership.user)
        audit_record(
            actor=actor, action="membership.deactivate", target_type="user",
            target_id=str(membership.user_id), request=request,
            data={"organisation": membership.organisation.code, "role": membership.role},
        )  # fmt: skip
    return membership
