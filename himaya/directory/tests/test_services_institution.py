"""Maintaining the directory: who may, what is kept (history), what is refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from himaya.audit.models import AuditEvent
from himaya.directory import services
from himaya.directory.models import Institution, InstitutionChange

pytestmark = pytest.mark.django_db


def test_admin_creates_an_institution_with_its_history(world):
    inst = services.institution_create(
        actor=world.admin, code="eps-sale-1", name_fr="EPS Salé", name_ar="مؤسسة سلا", type="eps",
        province="04.441", capacity=40, occupancy=12, services=["shelter", "education"],
        managing_body="Association Al Amal", supervising_authority="Entraide Nationale",
        authorisation_number="65-15/2021/017", languages=["ar", "fr"], age_min=6, age_max=17,
        sexes="female", latitude=34.04, longitude=-6.80,
    )  # fmt: skip
    assert sorted(inst.services.values_list("code", flat=True)) == ["education", "shelter"]
    change = InstitutionChange.objects.get(institution=inst)
    assert change.kind == "created" and change.changes["capacity"] == [None, 40]
    assert AuditEvent.objects.filter(action="institution.created", target_id=str(inst.pk)).exists()


def test_only_administrators_create(world):
    with pytest.raises(PermissionDenied):
        services.institution_create(
            actor=world.provider_hospital_sale, code="x", name_fr="x", name_ar="x", type="eps",
            province="04.441",
        )  # fmt: skip


def test_own_users_edit_their_institution_and_every_change_is_kept(world):
    inst = world.institutions["hospital_sale"]
    services.institution_update(
        actor=world.provider_hospital_sale, institution_id=inst.pk, version=1,
        opening_hours="24/7", services=["health"],
    )  # fmt: skip
    services.institution_update(
        actor=world.provider_hospital_sale,
        institution_id=inst.pk,
        version=2,
        opening_hours="8h-18h",
    )
    inst.refresh_from_db()
    assert inst.version == 3 and inst.opening_hours == "8h-18h"
    history = list(inst.changes.order_by("version").values_list("changes", flat=True))
    assert history[0]["services"] == [["health", "mental_health"], ["health"]]
    assert history[1]["opening_hours"] == ["24/7", "8h-18h"]


def test_own_users_cannot_touch_the_administrators_fields_or_other_institutions(world):
    inst = world.institutions["hospital_sale"]
    with pytest.raises(ValidationError) as error:
        services.institution_update(
            actor=world.provider_hospital_sale, institution_id=inst.pk, province="01.511"
        )
    assert "province" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.institution_update(
            actor=world.provider_hospital_sale,
            institution_id=world.institutions["cape_sale"].pk,
            phone="1",
        )
    with pytest.raises(PermissionDenied):
        services.institution_update(actor=world.manager_sale, institution_id=inst.pk, phone="1")


def test_a_stale_version_is_refused(world):
    inst = world.institutions["hospital_sale"]
    services.institution_update(actor=world.admin, institution_id=inst.pk, version=1, phone="1")
    with pytest.raises(services.StaleVersion):
        services.institution_update(actor=world.admin, institution_id=inst.pk, version=1, phone="2")


@pytest.mark.parametrize(
    ("values", "field"),
    [({"occupancy": -1}, "occupancy"), ({"age_min": 12, "age_max": 6}, "age_max"),
     ({"services": ["teleportation"]}, "services"), ({"languages": ["xx"]}, "languages"),
     ({"latitude": 120.0}, "latitude"), ({"sexes": "both"}, "sexes")],
)  # fmt: skip
def test_bad_values_are_refused_naming_the_field_and_change_nothing(world, values, field):
    inst = world.institutions["hospital_sale"]
    with pytest.raises(ValidationError) as error:
        services.institution_update(actor=world.admin, institution_id=inst.pk, **values)
    assert field in error.value.message_dict
    inst.refresh_from_db()
    assert inst.version == 1 and not inst.changes.exists()


def test_deactivating_keeps_the_row(world):
    inst = world.institutions["hospital_sale"]
    services.institution_update(
        actor=world.admin, institution_id=inst.pk, active=False, reason="fermé"
    )
    assert Institution.objects.filter(pk=inst.pk, active=False).exists()
    assert inst.changes.get().kind == "deactivated"


def test_occupancy_set_and_adjust_for_placements(world):
    shelter = world.institutions["shelter_rabat"]  # 4 of 10
    services.institution_occupancy_adjust(
        actor=world.manager_sale, institution_id=shelter.pk, delta=1, reason="admission"
    )
    services.institution_occupancy_adjust(
        actor=world.manager_sale, institution_id=shelter.pk, delta=-9, reason="sorties"
    )
    shelter.refresh_from_db()
    assert shelter.occupancy == 0
    assert [c.changes["occupancy"] for c in shelter.changes.order_by("version")] == [[4, 5], [5, 0]]
    services.institution_occupancy_set(actor=world.admin, institution_id=shelter.pk, occupancy=10)
    shelter.refresh_from_db()
    assert shelter.at_capacity and shelter.free_places == 0
    with pytest.raises(ValidationError):
        services.institution_occupancy_set(
            actor=world.admin, institution_id=shelter.pk, occupancy=-2
        )
