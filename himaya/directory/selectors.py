"""Reads of the directory: institutions, the service catalogue, suggestions.

The directory holds no child data, but it is not public either (a shelter's address protects
the children it hosts): every role of the circuit reads it (DIRECTORY_VIEW), nobody else.

The allowed area of a referral is the referring case's region: a child is oriented to the
institutions of its own territory and of the neighbouring territories of the same region
(a CPE or a specialised service often serves several provinces), never further without a
transfer. See docs/adr/0007-directory-and-referrals.md.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from himaya.accounts.permissions import Perm, has_perm
from himaya.core.models import Province
from himaya.directory.models import Institution, InstitutionChange, Service

EARTH_RADIUS_KM = 6371.0088
SUGGESTION_LIMIT = 10


def services_catalogue(*, include_retired: bool = False) -> list[Service]:
    rows = Service.objects.all()
    if not include_retired:
        rows = rows.filter(active=True)
    return list(rows.order_by("sort_order", "code"))


def _require_view(user) -> None:
    if not has_perm(user, Perm.DIRECTORY_VIEW):
        raise PermissionDenied


def institutions_visible_to(user) -> QuerySet[Institution]:
    """Every institution, for the roles of the circuit (403 for anyone else)."""
    _require_view(user)
    return Institution.objects.select_related(
        "province", "commune", "organisation"
    ).prefetch_related(Prefetch("services", queryset=Service.objects.order_by("sort_order")))


def institutions_filter(
    rows: QuerySet[Institution],
    *,
    province: str = "",
    type: str = "",
    service: str = "",
    has_capacity: bool = False,
    active_only: bool = True,
) -> QuerySet[Institution]:
    """The API's and the list page's filters. `has_capacity`: a free place, or no counted
    capacity (a legal-aid office takes every child it is sent)."""
    if active_only:
        rows = rows.filter(active=True)
    if province:
        rows = rows.filter(province_id=province)
    if type:
        rows = rows.filter(type=type)
    if service:
        rows = rows.filter(services__code=service)
    if has_capacity:
        rows = rows.filter(Q(capacity__isnull=True) | Q(occupancy__lt=F("capacity")))
    return rows


def institution_get(user, institution_id) -> Institution:
    _require_view(user)
    try:
        key = uuid.UUID(str(institution_id))
    except ValueError:
        raise Http404 from None
    institution = institutions_visible_to(user).filter(pk=key).first()
    if institution is None:
        raise Http404
    return institution


def institution_history(institution: Institution, *, limit: int = 100) -> list[InstitutionChange]:
    return list(institution.changes.select_related("actor").order_by("-at", "-version")[:limit])


# --- the allowed area of a referral --------------------------------------------------------------


def allowed_area_q(province: Province, *, prefix: str = "") -> Q:
    """Institutions a case of `province` may be referred to: those of the same region."""
    return Q(**{f"{prefix}province__region_id": province.region_id})


def in_allowed_area(institution: Institution, province: Province) -> bool:
    return institution.province.region_id == province.region_id


# --- suggestions ---------------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points, in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class Suggestion:
    institution: Institution
    distance_km: float | None
    free_places: int | None
    reasons: list[str] = field(default_factory=list)


def origin_of(user, province: Province) -> tuple[float, float] | None:
    """Where distances are measured from when the caller gives no point: the directory entry
    of the caller's own organisation in that territory (the CAPE itself), if it has one."""
    from himaya.accounts.permissions import memberships

    organisations = [m.organisation_id for m in memberships(user)]
    own = (
        Institution.objects.filter(
            organisation_id__in=organisations,
            province=province,
            latitude__isnull=False,
        )
        .order_by("code")
        .first()
    )
    return (own.latitude, own.longitude) if own else None


def suggest_institutions(
    *,
    service: str,
    province: Province,
    origin: tuple[float, float] | None = None,
    age: int | None = None,
    sex: str = "",
    limit: int = SUGGESTION_LIMIT,
) -> list[Suggestion]:
    """For a need (`service`) in a territory: the active institutions of the allowed area that
    offer it and have a free place (or an uncounted capacity), that admit the child's age and
    sex when given — nearest to `origin` first (great-circle distance), those without
    coordinates last; ties by more free places. Each carries the reasons it is suggested."""
    rows = (
        Institution.objects.filter(allowed_area_q(province), active=True, services__code=service)
        .filter(Q(capacity__isnull=True) | Q(occupancy__lt=F("capacity")))
        .select_related("province", "commune", "organisation")
        .prefetch_related(Prefetch("services", queryset=Service.objects.order_by("sort_order")))
    )
    if age is not None:
        rows = rows.filter(age_min__lte=age, age_max__gte=age)
    if sex in ("female", "male"):
        rows = rows.filter(sexes__in=["any", sex])
    suggestions = []
    for institution in rows[:500]:  # a region holds tens of service points per service
        distance = None
        if origin and institution.latitude is not None:
            distance = haversine_km(
                origin[0], origin[1], institution.latitude, institution.longitude
            )
        suggestions.append(
            Suggestion(
                institution=institution,
                distance_km=distance,
                free_places=institution.free_places,
                reasons=_reasons(institution, province, service, distance, age, sex),
            )
        )
    suggestions.sort(
        key=lambda s: (
            s.distance_km is None,
            s.distance_km or 0.0,
            -(s.free_places if s.free_places is not None else 10**6),
            s.institution.code,
        )
    )
    return suggestions[:limit]


def _reasons(institution, province, service, distance, age, sex) -> list[str]:
    from himaya.core import codes

    reasons = [_("Offers %(service)s.") % {"service": codes.label("service_type", service)}]
    if institution.capacity is None:
        reasons.append(_("Capacity not counted: takes every child referred."))
    else:
        reasons.append(
            _("%(free)s free places of %(capacity)s.")
            % {"free": institution.free_places, "capacity": institution.capacity}
        )
    if distance is not None:
        reasons.append(_("%(km)s km away.") % {"km": f"{distance:.1f}"})
    else:
        reasons.append(_("Distance unknown (no coordinates)."))
    if institution.province_id == province.code:
        reasons.append(_("In the same territory."))
    else:
        reasons.append(
            _("In %(territory)s, same region.") % {"territory": institution.province.name}
        )
    if age is not None:
        reasons.append(
            _("Admits ages %(min)s to %(max)s.")
            % {"min": institution.age_min, "max": institution.age_max}
        )
    if sex in ("female", "male") and institution.sexes != "any":
        reasons.append(str(institution.get_sexes_display()))
    return reasons
