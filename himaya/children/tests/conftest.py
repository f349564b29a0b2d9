from datetime import date

import pytest

from himaya.accounts.testing import _case
from himaya.children.models import Child
from himaya.children.services import child_relation_add, index_names


@pytest.fixture
def duplicate(personas):
    """A second record of Salé's Amina El Idrissi (spelled differently, Latin script only),
    with its own case and a relation — what a merge must move and an unmerge restore."""
    child = Child.objects.create(
        first_name_lat="Amina", last_name_lat="Idrissi", sex="female", mother_name="Fatima",
        province_id="04.441", organisation=personas.orgs["cape_sale"], birth_date=date(2014, 5, 2),
    )  # fmt: skip
    index_names(child)
    _case(child, personas.orgs["cape_sale"], "SAL-2000-000002",
          manager=personas.manager_sale, opener=personas.reception_sale)  # fmt: skip
    child_relation_add(
        actor=personas.supervisor_sale, child_id=child.pk, relationship="mother", name_lat="Fatima"
    )
    child.refresh_from_db()
    return child
