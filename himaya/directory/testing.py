"""Test helpers of the directory: a small, fixed directory around Salé (04.441, region 04)
and Tanger (01.511, region 01), used by the directory's and the referrals' tests."""

from __future__ import annotations

from himaya.directory.catalogue import load_catalogue
from himaya.directory.models import Institution, Service

SALE, RABAT, TANGER = "04.441", "04.421", "01.511"
# Salé's CAPE, the origin of distances in the tests.
CAPE_SALE_POINT = (34.0531, -6.7985)


def institution(code: str, *, province: str, services: list[str], **values) -> Institution:
    defaults = {"name_fr": code, "name_ar": code, "type": "association"}
    defaults.update(values)
    inst = Institution.objects.create(code=code, province_id=province, **defaults)
    inst.services.set(Service.objects.filter(code__in=services))
    return inst


def build_directory(personas) -> dict[str, Institution]:
    """The hospital unit of Salé (answered by the persona provider_hospital_sale), Salé's
    CAPE as a directory entry, a Rabat shelter, a Tanger hospital."""
    load_catalogue()
    orgs = personas.orgs
    return {
        "hospital_sale": institution(
            "t-inst-hospital-sale", province=SALE, services=["health", "mental_health"],
            type="hospital_unit", organisation=orgs["hospital_sale"], latitude=34.0395,
            longitude=-6.8116, phone="0537000001",
        ),
        "cape_sale": institution(
            "t-inst-cape-sale", province=SALE, services=["mental_health", "family_support"],
            type="cape", organisation=orgs["cape_sale"], latitude=CAPE_SALE_POINT[0],
            longitude=CAPE_SALE_POINT[1], phone="0537000002",
        ),
        "shelter_rabat": institution(
            "t-inst-shelter-rabat", province=RABAT, services=["shelter"], type="eps",
            capacity=10, occupancy=4,
            latitude=34.0209, longitude=-6.8416,
        ),
        "hospital_tanger": institution(
            "t-inst-hospital-tanger", province=TANGER, services=["health"], type="hospital_unit",
            organisation=orgs["cape_tanger"], latitude=35.7595, longitude=-5.8340,
        ),
    }  # fmt: skip
