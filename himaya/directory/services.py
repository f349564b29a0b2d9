"""Writes of the directory. Administrators (ORG_MANAGE) create and edit any institution; an
institution's own users (INSTITUTION_MAINTAIN_OWN in the institution's organisation) edit
theirs. Every write locks the institution, bumps `version`, appends an `InstitutionChange`
row (nothing is overwritten without a trace, nothing is deleted) and an audit event.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import Organisation
from himaya.accounts.permissions import Perm, granting, has_perm
from himaya.audit.services import audit_record
from himaya.core import codes
from himaya.core.models import Commune, Province
from himaya.directory.models import Institution, InstitutionChange, Service

LANGUAGE_CODES = frozenset({"ar", "ber", "fr", "en", "es"})

# The fields an institution's own users and administrators may edit (not code, type, area:
# those define which referrals reach it and are the administrator's).
OWN_FIELDS = frozenset(
    {
        "address",
        "phone",
        "email",
        "contact_person",
        "opening_hours",
        "languages",
        "age_min",
        "age_max",
        "sexes",
        "capacity",
        "occupancy",
        "services",
        "latitude",
        "longitude",
    }
)
ADMIN_FIELDS = OWN_FIELDS | {
    "name_fr",
    "name_ar",
    "type",
    "organisation",
    "managing_body",
    "supervising_authority",
    "authorisation_number",
    "province",
    "commune",
    "active",
}


class StaleVersion(Exception):
    """The institution changed since the caller read it (HTTP 412); nothing was changed."""

    api_code = "precondition_failed"


def may_maintain(user, institution: Institution) -> bool:
    """Administrators maintain every institution; an institution's own users theirs."""
    if has_perm(user, Perm.ORG_MANAGE):
        return True
    return institution.organisation_id is not None and any(
        m.organisation_id == institution.organisation_id
        for m in granting(user, Perm.INSTITUTION_MAINTAIN_OWN)
    )


def _snapshot_value(institution: Institution, name: str):
    if name == "services":
        return sorted(institution.services.values_list("code", flat=True))
    if name in ("province", "commune", "organisation"):
        value = getattr(institution, f"{name}_id")
        return None if value is None else str(value)
    return getattr(institution, name)


def _clean(values: dict) -> dict:
    """Check and normalise submitted values; errors name the field."""
    cleaned = dict(values)
    errors: dict[str, str] = {}
    if "type" in cleaned and not codes.is_valid("org_type", cleaned["type"]):
        errors["type"] = _("Choose a value from the list.")
    if "province" in cleaned and not isinstance(cleaned["province"], Province):
        province = Province.objects.filter(pk=cleaned["province"]).first()
        if province is None:
            errors["province"] = _("Unknown territory code.")
        cleaned["province"] = province
    for optional in ("commune", "organisation"):
        if optional in cleaned and not cleaned[optional]:
            cleaned[optional] = None  # an empty form field clears the link
    if cleaned.get("commune") and not isinstance(cleaned["commune"], Commune):
        commune = Commune.objects.filter(pk=cleaned["commune"]).first()
        if commune is None:
            errors["commune"] = _("Unknown commune code.")
        cleaned["commune"] = commune
    if cleaned.get("organisation") and not isinstance(cleaned["organisation"], Organisation):
        organisation = Organisation.objects.filter(code=cleaned["organisation"]).first()
        if organisation is None:
            errors["organisation"] = _("No organisation has this code.")
        cleaned["organisation"] = organisation
    if "services" in cleaned:
        wanted = list(dict.fromkeys(cleaned["services"]))
        found = {s.code: s for s in Service.objects.filter(code__in=wanted, active=True)}
        if len(found) != len(wanted):
            errors["services"] = _("Choose services from the catalogue.")
        cleaned["services"] = [found[c] for c in wanted if c in found]
    if "languages" in cleaned and not set(cleaned["languages"]) <= LANGUAGE_CODES:
        errors["languages"] = _("Choose languages from the list.")
    if "sexes" in cleaned and cleaned["sexes"] not in Institution.Sexes.values:
        errors["sexes"] = _("Choose a value from the list.")
    for name in ("age_min", "age_max"):
        if name in cleaned and not (0 <= int(cleaned[name]) <= 17):
            errors[name] = _("An age from 0 to 17.")
    for name in ("capacity", "occupancy"):
        value = cleaned.get(name)
        if value is not None and int(value) < 0:
            errors[name] = _("A number of places cannot be negative.")
    latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
    if latitude is not None and not -90 <= latitude <= 90:
        errors["latitude"] = _("A latitude from -90 to 90.")
    if longitude is not None and not -180 <= longitude <= 180:
        errors["longitude"] = _("A longitude from -180 to 180.")
    for name in ("name_fr", "name_ar"):
        if name in cleaned and not str(cleaned[name]).strip():
            errors[name] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_consistency(institution: Institution) -> None:
    if institution.age_min > institution.age_max:
        raise ValidationError({"age_max": _("The oldest age is below the youngest.")})
    if (institution.latitude is None) != (institution.longitude is None):
        raise ValidationError({"longitude": _("Give both coordinates, or neither.")})
    if institution.commune_id and institution.commune.province_id != institution.province_id:
        raise ValidationError({"commune": _("This commune is not in the territory.")})


def _record(institution, actor, kind, changes, reason="", request=None) -> None:
    InstitutionChange.objects.create(
        institution=institution, version=institution.version, at=timezone.now(), actor=actor,
        kind=kind, changes=changes, reason=reason[:300],
    )  # fmt: skip
    audit_record(
        actor=actor, action=f"institution.{kind}", target_type="institution",
        target_id=str(institution.pk), request=request, data={"changes": changes},
    )  # fmt: skip


def _jsonable(value):
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "pk"):
        return str(value.pk)
    return value


@transaction.atomic
def institution_create(*, actor, code: str, request=None, **values) -> Institution:
    """A new institution (administrators)."""
    if not has_perm(actor, Perm.ORG_MANAGE):
        raise PermissionDenied
    unknown = set(values) - ADMIN_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    for required in ("name_fr", "name_ar", "type", "province"):
        if not values.get(required):
            raise ValidationError({required: _("This field is required.")})
    if not code or Institution.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Choose a short code not used by another institution.")})
    cleaned = _clean(values)
    services = cleaned.pop("services", [])
    institution = Institution(code=code, **cleaned)
    _check_consistency(institution)
    institution.full_clean(exclude=["services"])
    institution.save()
    institution.services.set(services)
    changes = {k: [None, _jsonable(v)] for k, v in {**cleaned, "services": services}.items()}
    _record(institution, actor, "created", changes, request=request)
    return institution


@transaction.atomic
def institution_update(
    *, actor, institution_id, version: int | None = None, reason: str = "", request=None, **values
) -> Institution:
    """Edit an institution; each changed field is kept with its before and after values."""
    institution = Institution.objects.select_for_update().get(pk=institution_id)
    if not may_maintain(actor, institution):
        raise PermissionDenied
    if version is not None and institution.version != version:
        raise StaleVersion
    allowed = ADMIN_FIELDS if has_perm(actor, Perm.ORG_MANAGE) else OWN_FIELDS
    refused = set(values) - allowed
    if refused:
        raise ValidationError({name: _("This field cannot be changed here.") for name in refused})
    cleaned = _clean(values)
    changes = {}
    for name, value in cleaned.items():
        before = _snapshot_value(institution, name)
        after = sorted(s.code for s in value) if name == "services" else _jsonable(value)
        if before != after:
            changes[name] = [before, after]
    if not changes:
        return institution
    services = cleaned.pop("services", None)
    for name, value in cleaned.items():
        setattr(institution, name, value)
    _check_consistency(institution)
    institution.full_clean(exclude=["services"])
    institution.version += 1
    kind = "deactivated" if changes.get("active", [None, True])[1] is False else "updated"
    institution.save()
    if services is not None:
        institution.services.set(services)
    _record(institution, actor, kind, changes, reason, request)
    return institution


@transaction.atomic
def institution_occupancy_set(
    *, actor, institution_id, occupancy: int, reason: str = "", request=None
) -> Institution:
    """The institution's own users (or an administrator) state the current occupancy."""
    institution = Institution.objects.select_for_update().get(pk=institution_id)
    if not may_maintain(actor, institution):
        raise PermissionDenied
    return _set_occupancy(institution, actor, occupancy, reason, request)


@transaction.atomic
def institution_occupancy_adjust(
    *, actor, institution_id, delta: int, reason: str, request=None
) -> Institution:
    """Admissions (+1) and discharges (-1) recorded by the placements app.

    The caller (placements' admission or discharge service) has already checked that `actor`
    may place or discharge the child; this service records who and why, under the lock, so two
    admissions at once never lose a count. Occupancy never goes below zero; it may go above
    the capacity (an emergency admission happens), which makes the institution "at capacity"."""
    institution = Institution.objects.select_for_update().get(pk=institution_id)
    return _set_occupancy(
        institution, actor, max(institution.occupancy + delta, 0), reason, request
    )


def _set_occupancy(institution, actor, occupancy, reason, request) -> Institution:
    if occupancy is None or int(occupancy) < 0:
        raise ValidationError({"occupancy": _("A number of places cannot be negative.")})
    occupancy = int(occupancy)
    if occupancy == institution.occupancy:
        return institution
    changes = {"occupancy": [institution.occupancy, occupancy]}
    institution.occupancy = occupancy
    institution.version += 1
    institution.save(update_fields=["occupancy", "version", "updated_at"])
    _record(institution, actor, "occupancy", changes, reason, request)
    return institution
