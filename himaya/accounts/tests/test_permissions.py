"""The permission module: role → permissions, and how far each membership reaches."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himaya.accounts.permissions import (
    ROLE_PERMISSIONS,
    ROLE_REACH,
    TWO_FACTOR_ROLES,
    Perm,
    has_perm,
    territory_covers,
)
from himaya.core import codes

pytestmark = pytest.mark.django_db


def test_every_role_of_the_code_list_is_mapped():
    role_codes = {entry.code for entry in codes.entries("user_role")}
    assert role_codes == set(ROLE_PERMISSIONS) == set(ROLE_REACH)
    assert {"supervisor", "administrator", "auditor"} == TWO_FACTOR_ROLES


def test_administrators_and_auditors_see_no_case_content():
    for role in ("administrator", "auditor", "cppe_member", "statistician", "service_provider"):
        assert Perm.CHILD_VIEW not in ROLE_PERMISSIONS[role]
        assert Perm.DATA_HEALTH not in ROLE_PERMISSIONS[role]


def test_restricted_categories_need_their_own_permission():
    assert Perm.DATA_HEALTH not in ROLE_PERMISSIONS["judicial_liaison"]
    assert Perm.DATA_JUDICIAL in ROLE_PERMISSIONS["judicial_liaison"]
    assert Perm.DATA_JUDICIAL not in ROLE_PERMISSIONS["reception_officer"]


def test_scope_of_each_persona_on_the_sale_child(personas):
    child = personas.children["sale"]
    allowed = {
        name for name, user in personas.users.items() if has_perm(user, Perm.CHILD_VIEW, child)
    }
    assert allowed == {"reception_sale", "manager_sale", "supervisor_sale"}
    assert not has_perm(personas.manager_tanger, Perm.CHILD_VIEW, child)
    assert has_perm(personas.manager_tanger, Perm.CHILD_VIEW, personas.children["tanger"])


class _Record:
    def __init__(self, province_id, commune_id=None):
        self.province_id = province_id
        self.commune_id = commune_id


class _Membership:
    def __init__(self, scope, **kw):
        self.scope = scope
        self.scope_province_id = kw.get("province")
        self.scope_region_id = kw.get("region")
        self.scope_commune_id = kw.get("commune")


def test_casablanca_prefecture_covers_its_arrondissements():
    prefecture = _Membership("province", province="06.141")
    assert territory_covers(prefecture, _Record("06.141.01.00"))
    assert not territory_covers(
        _Membership("province", province="06.141.01.00"), _Record("06.141.01.10")
    )


@given(st.sampled_from(["01.511", "04.441", "06.141.01.00", "11.321"]))
def test_national_covers_everything_and_region_covers_its_provinces(province):
    assert territory_covers(_Membership("national"), _Record(province))
    region = province.split(".")[0]
    assert territory_covers(_Membership("region", region=region), _Record(province))
    assert not territory_covers(_Membership("region", region="99"), _Record(province))
