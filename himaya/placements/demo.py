"""Demo care arrangements: in each pilot territory the case in accompaniment lives in the
territory's EPS (administrative admission, reviewed every 3 months) and the case in follow-up
went back to its family after two weeks in the SAMU social's emergency shelter (both from the
directory's demo, whose occupancy they move). Recorded through the services.
Idempotent: a case that has arrangements is left as it is."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from himaya.accounts.models import Membership, Organisation
from himaya.cases.models import Case
from himaya.core.demo import PILOT_TERRITORIES, DemoContext
from himaya.core.models import Province
from himaya.placements import services


def _manager(case: Case):
    if case.case_manager_id:
        return case.case_manager
    return Membership.objects.get(
        organisation_id=case.organisation_id, role="case_manager", active=True
    ).user


def seed(ctx: DemoContext) -> None:
    today = timezone.localdate()
    for key, province_code in PILOT_TERRITORIES.items():
        province = Province.objects.get(pk=province_code)
        # the directory's EPS and SAMU social of the territory (directory/demo.py)
        eps = Organisation.objects.get(code=f"dir-{key.lower()}-eps")
        shelter = Organisation.objects.get(code=f"dir-{key.lower()}-samu")
        cases = Case.objects.filter(
            province=province, first_report__external_reference__startswith=f"DEMO-{key}-"
        )
        for case in cases.filter(stage="accompaniment"):
            if case.care_arrangements.exists():
                continue
            services.care_arrangement_open(
                actor=_manager(case), case_id=case.pk, care_type="eps",
                legal_basis="administrative_admission", provider_org=eps,
                start_date=today - timedelta(days=20),
            )  # fmt: skip
        for case in cases.filter(stage="follow_up"):
            if case.care_arrangements.exists():
                continue
            manager = _manager(case)
            shelter_stay = services.care_arrangement_open(
                actor=manager, case_id=case.pk, care_type="emergency_shelter",
                legal_basis="administrative_admission", provider_org=shelter,
                start_date=today - timedelta(days=30),
            )  # fmt: skip
            services.care_arrangement_end(
                actor=manager, arrangement_id=shelter_stay.pk,
                end_date=today - timedelta(days=16), end_reason="returned_to_family",
            )  # fmt: skip
            services.care_arrangement_open(
                actor=manager, case_id=case.pk, care_type="family",
                legal_basis="family_agreement", start_date=today - timedelta(days=16),
            )  # fmt: skip
    ctx.stdout.write(
        "Demo care arrangements: an EPS placement and a return to the family per territory."
    )
