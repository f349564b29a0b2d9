"""Writes of `children`. Each checks permission, validates, writes and audits in one transaction."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from himaya.accounts.models import Membership, Notification
from himaya.accounts.permissions import Perm, has_perm, memberships
from himaya.audit.models import BreakGlassAccess
from himaya.audit.services import audit_record
from himaya.children.models import Child

BREAK_GLASS_DURATION = timedelta(hours=2)
BREAK_GLASS_REASONS = ("child_present_now", "urgent_safety_check", "hearing_today", "other")
MIN_JUSTIFICATION = 15


@transaction.atomic
def child_create(*, actor, organisation, province, request=None, **identity) -> Child:
    """Register a child held by `organisation` in `province` (the actor must be able to
    create children there: a case role of that organisation over that territory)."""
    child = Child(organisation=organisation, province=province, **identity)
    if not has_perm(actor, Perm.CHILD_CREATE):
        raise PermissionDenied
    if (
        not any(m.organisation_id == organisation.pk for m in memberships(actor))
        and not actor.is_superuser
    ):
        raise PermissionDenied
    if child.birth_date and child.birth_date > timezone.localdate():
        raise ValidationError({"birth_date": _("The birth date cannot be in the future.")})
    child.full_clean()
    child.save()
    index_names(child)
    audit_record(
        actor=actor,
        action="child.create",
        target_type="child",
        target_id=str(child.pk),
        child_id=child.pk,
        request=request,
    )
    return child


def index_names(child: Child) -> None:
    """Store the child's phonetic name keys, so that the duplicate search is an indexed lookup.
    Call after every change of a name."""
    from himaya.children.matching import search_keys
    from himaya.children.models import ChildNameKey
    from himaya.children.selectors import identity_of

    keys = {k[:60] for k in search_keys(identity_of(child)) if k.startswith("n:")}
    ChildNameKey.objects.filter(child=child).exclude(key__in=keys).delete()
    existing = set(ChildNameKey.objects.filter(child=child).values_list("key", flat=True))
    ChildNameKey.objects.bulk_create(
        [ChildNameKey(child=child, key=k) for k in sorted(keys - existing)]
    )


def _supervisors_of(child: Child) -> list:
    """Supervisors whose territory covers the child's (whatever their organisation)."""
    from himaya.accounts.permissions import territory_covers

    candidates = Membership.objects.filter(
        role="supervisor", active=True, user__is_active=True
    ).select_related("user")
    return sorted({m.user for m in candidates if territory_covers(m, child)}, key=lambda u: u.pk)


@transaction.atomic
def child_break_glass_open(
    *, actor, child_id, reason_code: str, justification: str, request=None
) -> BreakGlassAccess:
    """Open a record outside one's scope in an emergency (DP-20..23): only roles allowed to,
    with a reason code and a written justification; read-only, for one child, for two hours;
    recorded, and notified at once to the supervisors of the record's territory."""
    if not has_perm(actor, Perm.BREAK_GLASS):
        raise PermissionDenied
    child = Child.objects.filter(pk=child_id).first()
    if child is None:
        raise Http404
    errors = {}
    if reason_code not in BREAK_GLASS_REASONS:
        errors["reason_code"] = _("Choose a reason from the list.")
    if len((justification or "").strip()) < MIN_JUSTIFICATION:
        errors["justification"] = _(
            "Write why you must open this record now (at least %(count)s characters)."
        ) % {"count": MIN_JUSTIFICATION}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    access = BreakGlassAccess.objects.create(
        user=actor,
        target_type="child",
        target_id=str(child.pk),
        child_id=child.pk,
        province=child.province,
        reason_code=reason_code,
        justification=justification.strip(),
        started_at=now,
        expires_at=now + BREAK_GLASS_DURATION,
    )
    audit_record(
        actor=actor, action="breakglass.open", target_type="child", target_id=str(child.pk), child_id=child.pk,
        reason=access.justification, request=request,
        data={"reason_code": reason_code, "expires_at": access.expires_at.isoformat(), "access": str(access.pk)},
    )  # fmt: skip
    link = reverse("breakglass:detail", args=[access.pk])
    # The message names no child (DP-48); the supervisor opens the access through its page.
    for supervisor in _supervisors_of(child):
        Notification.objects.create(
            user=supervisor,
            kind="break_glass",
            message=gettext_noop("A record of your territory was opened with break-the-glass."),
            link=link,
        )
    return access


@transaction.atomic
def child_relation_add(
    *, actor, child_id, relationship: str, name_ar: str = "", name_lat: str = "", phone: str = "",
    lives_with_child: bool = False, is_primary_caregiver: bool = False, is_legal_representative: bool = False,
    is_alleged_perpetrator: bool = False, perpetrator_has_access: bool = False, request=None,
):  # fmt: skip
    """Link a related adult (parent, relative, caregiver, alleged perpetrator) to a child."""
    from himaya.children.models import ChildPerson, Person
    from himaya.core import codes

    child = Child.objects.select_for_update().filter(pk=child_id).first()
    if child is None:
        raise Http404
    if not has_perm(actor, Perm.CHILD_EDIT, child):
        raise PermissionDenied
    errors = {}
    if not codes.is_valid("relationship", relationship):
        errors["relationship"] = _("Choose a value from the list.")
    if not (name_ar.strip() or name_lat.strip()):
        errors["name_lat"] = _("Give the person's name in either script.")
    if perpetrator_has_access and not is_alleged_perpetrator:
        errors["perpetrator_has_access"] = _(
            "Only an alleged perpetrator can have access to the child in this sense."
        )
    if errors:
        raise ValidationError(errors)
    person = Person.objects.create(
        name_ar=name_ar.strip(), name_lat=name_lat.strip(), phone=phone.strip(), created_by=actor
    )
    link = ChildPerson.objects.create(
        child=child, person=person, relationship=relationship, lives_with_child=lives_with_child,
        is_primary_caregiver=is_primary_caregiver, is_legal_representative=is_legal_representative,
        is_alleged_perpetrator=is_alleged_perpetrator, perpetrator_has_access=perpetrator_has_access,
    )  # fmt: skip
    child.version += 1
    child.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor, action="child.relation_add", target_type="child", target_id=str(child.pk), child_id=child.pk,
        request=request, data={"relationship": relationship, "alleged_perpetrator": is_alleged_perpetrator},
    )  # fmt: skip
    return link


CHILD_EDITABLE = {
    "identity_status": "identity_status",
    "first_name_ar": None,
    "last_name_ar": None,
    "first_name_lat": None,
    "last_name_lat": None,
    "known_as": None,
    "sex": "sex",
    "birth_date": None,
    "birth_date_estimated": None,
    "age_estimation_method": "age_estimation_method",
    "mother_name": None,
    "nationality": "nationality",
    "migrant_status": "migrant_status",
    "civil_registration_status": "civil_registration_status",
    "disability": "yes_no_unknown",
    "languages": None,
    "education_status": "education_status",
    "commune": None,
    "current_address": None,
    "health_notes": None,
}
NAME_FIELDS = {"first_name_ar", "last_name_ar", "first_name_lat", "last_name_lat", "mother_name"}


@transaction.atomic
def child_update(*, actor, child_id, version: int, request=None, **values) -> Child:
    """Complete or correct a child's identity (an unknown child named later, an estimated age
    confirmed). A stale `version` changes nothing; every change is audited field by field."""
    from himaya.children.models import Child as ChildModel
    from himaya.core import codes

    unknown = set(values) - set(CHILD_EDITABLE)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed here.") for name in sorted(unknown)}
        )
    child = ChildModel.objects.select_for_update().filter(pk=child_id).first()
    if child is None:
        raise Http404
    if not has_perm(actor, Perm.CHILD_EDIT, child):
        raise PermissionDenied
    if child.version != version:
        from himaya.cases.services import StaleVersion

        raise StaleVersion
    errors = {}
    for name, list_name in CHILD_EDITABLE.items():
        if (
            list_name
            and name in values
            and values[name]
            and not codes.is_valid(list_name, values[name], allow_retired=False)
        ):
            errors[name] = _("Choose a value from the list.")
    if values.get("birth_date") and values["birth_date"] > timezone.localdate():
        errors["birth_date"] = _("The birth date cannot be in the future.")
    commune = values.get("commune")
    if (
        commune is not None
        and commune.province_id != child.province_id
        and not commune.province_id.startswith(child.province_id.split(".")[0] + ".")
    ):
        errors["commune"] = _("This commune is not in the child's territory.")
    if (
        "health_notes" in values
        and values["health_notes"] != child.health_notes
        and not has_perm(actor, Perm.DATA_HEALTH, child)
    ):
        errors["health_notes"] = _("You may not write health information.")
    if errors:
        raise ValidationError(errors)
    changes = {}
    for name, value in values.items():
        before = getattr(child, name)
        if before != value:
            changes[name] = [
                str(getattr(before, "pk", before)) if before is not None else None,
                str(getattr(value, "pk", value)) if value is not None else None,
            ]
            setattr(child, name, value)
    if values.get("birth_date_estimated"):
        child.birth_date_precision = "estimated"
    if changes:
        child.version += 1
        child.full_clean()
        child.save()
        if NAME_FIELDS & set(changes):
            index_names(child)
        audit_record(
            actor=actor, action="child.update", target_type="child", target_id=str(child.pk), child_id=child.pk,
            request=request, data={"changes": {k: v for k, v in changes.items() if k != "health_notes"}, "health_changed": "health_notes" in changes},
        )  # fmt: skip
    return child
