from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from himaya.core.models import Code, Commune, Province, Region

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Region.objects.count(),
        Province.objects.count(),
        Commune.objects.count(),
        Code.objects.count(),
    )


def test_seed_demo_is_idempotent():
    call_command("seed_demo", password="demo-password-12", stdout=StringIO())
    first = _counts()
    out = StringIO()
    call_command("seed_demo", password="another-password-34", stdout=out)
    assert _counts() == first
    assert first[:3] == (12, 83, 1503)
    assert "Demo data ready." in out.getvalue()
    from django.contrib.auth import authenticate

    from himaya.cases.models import Case

    assert authenticate(username="manager.sale", password="another-password-34") is not None
    stages = set(Case.objects.filter(province_id="04.441").values_list("stage", flat=True))
    assert stages == {"reception", "assessment", "planning", "accompaniment", "follow_up", "closed"}
    assert (
        Case.objects.filter(province_id="04.441")
        .exclude(stage="reception")
        .filter(case_manager__username="manager.sale")
        .count()
        == 5
    )
    assert Case.objects.filter(
        province_id="01.511", case_manager__username="manager.tanger"
    ).exists()
    assert Case.objects.values("province_id").distinct().count() == 8
    from himaya.placements.models import CareArrangement

    # one EPS placement and a shelter stay then a return home per territory, not doubled
    assert CareArrangement.objects.filter(care_type="eps", end_date__isnull=True).count() == 8
    assert CareArrangement.objects.filter(end_reason="returned_to_family").count() == 8
    from himaya.assessment.models import Assessment

    sale = Assessment.objects.filter(case__province_id="04.441")
    assert sale.filter(override_status="pending").count() == 1  # waits for supervisor.sale
    assert sale.filter(kind="reassessment").count() >= 4  # history on the cases past planning
    assert (
        not Case.objects.exclude(stage__in=["reception", "assessment"])
        .filter(assessments=None)
        .exists()
    )
    # The directory (issue #6): institutions of every type in the eight territories, and
    # referrals to the Salé hospital unit waiting in provider.hospital.sale's inbox.
    from himaya.accounts.models import User
    from himaya.directory.models import Institution
    from himaya.referrals.selectors import referrals_incoming

    assert Institution.objects.values("province_id").distinct().count() == 8
    assert Institution.objects.values("type").distinct().count() >= 16
    provider = User.objects.get(username="provider.hospital.sale")
    waiting = referrals_incoming(provider).filter(status="sent")
    assert waiting.count() == 2 and {r.institution.code for r in waiting} == {"sal-hospital"}


def test_seed_demo_refuses_a_short_password():
    with pytest.raises(CommandError, match="at least 12 characters"):
        call_command("seed_demo", password="short", stdout=StringIO())
