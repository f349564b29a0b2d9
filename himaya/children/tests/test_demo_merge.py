from io import StringIO

import pytest
from django.core.management import call_command

from himaya.accounts.models import User
from himaya.children import selectors
from himaya.children.models import Child

pytestmark = pytest.mark.django_db


def test_the_demo_gives_supervisor_sale_a_likely_duplicate_once():
    call_command("seed_demo", password="demo-password-12", stdout=StringIO())
    call_command("seed_demo", password="demo-password-12", stdout=StringIO())
    assert Child.objects.filter(first_name_lat="Amina", last_name_lat="Idrissi").count() == 1
    supervisor = User.objects.get(username="supervisor.sale")
    pairs = selectors.child_duplicate_pairs(supervisor).pairs
    names = {(p["child"].last_name_lat, p["candidate"].last_name_lat) for p in pairs}
    assert ("El Idrissi", "Idrissi") in names
