"""Each computed indicator against the hand-counted world of fixtures.py (runs on SQLite and
PostgreSQL: the same figures on both). The counting is written next to each assertion."""

from __future__ import annotations

from datetime import date

import pytest

from himaya.indicators import aggregates
from himaya.indicators.models import AggregateCell
from himaya.indicators.registry import INDICATORS
from himaya.indicators.tests.fixtures import SALE, TANGER, at, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    w = build_world(personas)
    aggregates.rebuild()
    return w


def cell(code, period, territory=SALE, dims=""):
    breakdown = ",".join(part.split("=")[0] for part in dims.split("|")) if dims else ""
    found = AggregateCell.objects.filter(
        indicator=code, period=period, territory=territory, breakdown=breakdown, dims=dims
    ).first()
    return (found.numerator, found.denominator, found.value) if found else (0, 0, None)


def test_in01_reports_by_territory_period_channel_and_concern(world):
    # r1 r2 r3 r5 r6 in Salé (r5 at 00:30 on 1 January local time is 2025, not 2024), r4 Tanger
    assert cell("IN01", "2025")[0] == 5
    assert cell("IN01", "2025", TANGER)[0] == 1
    assert cell("IN01", "2025", "04")[0] == 5  # region Rabat-Salé-Kénitra
    assert cell("IN01", "2025", "MA")[0] == 6
    assert cell("IN01", "2025-Q1")[0] == 3  # r1 r2 r5
    assert cell("IN01", "2025-05")[0] == 1  # r3
    assert cell("IN01", "2025", dims="channel=2511")[0] == 2  # line r1 + portal r6
    assert cell("IN01", "2025", dims="channel=police_gendarmerie")[0] == 1
    assert cell("IN01", "2025", dims="channel=health")[0] == 0
    # any concern: VPH r1 r3, NEG r2 r5, SCO r2 r6 — 6 in categories, 5 reports in total
    assert cell("IN01", "2025", dims="concern=VPH")[0] == 2
    assert cell("IN01", "2025", dims="concern=NEG")[0] == 2
    assert cell("IN01", "2025", dims="concern=SCO")[0] == 2


def test_in02_children_counted_once(world):
    # Salé: c1 (r1, r3), c2 (r2, r6), c3 (r5) → 3 distinct children; Tanger c4
    assert cell("IN02", "2025")[0] == 3
    assert cell("IN02", "2025", "MA")[0] == 4
    assert cell("IN02", "2025", dims="sex=female")[0] == 2
    assert cell("IN02", "2025", dims="sex=male")[0] == 1
    assert cell("IN02", "2025", dims="age_band=6_11")[0] == 1  # c1 is 9
    assert cell("IN02", "2025", dims="age_band=12_15")[0] == 1  # c2 is 15
    assert cell("IN02", "2025", dims="age_band=unknown")[0] == 1  # c3, no birth date
    assert cell("IN02", "2025", dims="sex=female|age_band=6_11")[0] == 1
    assert cell("IN02", "2025", dims="nationality=foreign")[0] == 1  # c2 (SN)
    assert cell("IN02", "2025", dims="migrant_status=unaccompanied")[0] == 1


def test_in03_stock_follows_the_transfer(world):
    # 31 Dec 2025: A (c1), D (c4, transferred to Salé on 1 Aug), E (c2) open → Salé 3
    assert cell("IN03", "2025")[0] == 3
    assert cell("IN03", "2025", TANGER)[0] == 0
    # 31 Mar 2025: A, B open (C closed 20 Jan) in Salé; D still in Tanger
    assert cell("IN03", "2025-Q1")[0] == 2
    assert cell("IN03", "2025-Q1", TANGER)[0] == 1
    assert cell("IN03", "2025-Q1", "MA")[0] == 3


def test_in04_children_served(world):
    assert cell("IN04", "2025")[0] == 3  # c1, c2 (B then E), c3
    assert cell("IN04", "2025", TANGER)[0] == 1  # D placed at its start, in Tanger
    assert cell("IN04", "2025", "MA")[0] == 4


def test_in05_caseload_mean(world):
    # 2026: A, D, E and the persona's case open in Salé; one case manager (manager.sale)
    assert cell("IN05", "2026") == (4, 1, 4.0)
    assert cell("IN05", "2026", TANGER) == (1, 1, 1.0)


def test_timeliness(world):
    assert cell("TM01", "2025")[:2] == (1, 2)  # A assigned in 30 min, B after 2 h
    assert cell("TM02", "2025")[:2] == (1, 2)  # A seen at home after 20 h, B phone only
    assert cell("TM03", "2025")[:2] == (0, 1)  # C seen after 80 h
    assert cell("TM03", "2025", TANGER)[:2] == (1, 1)  # D seen after 24 h
    assert cell("TM03", "2025", "MA")[:2] == (1, 2)
    # A: 10 Feb 10:00 → 12 Mar 10:00 local (clocks went back an hour for Ramadan): 30.0 days
    assert cell("TM05B", "2025", "MA")[1:] == (1, 30.0)
    assert cell("TM06", "2025")[:2] == (1, 1)  # B sent the same day; A waived, left out
    assert cell("TM07", "2025")[:2] == (1, 2)  # A waived out of A and B
    assert cell("TM07", "2025", dims="waiver_reason=offence_ruled_out")[:2] == (1, 1)


def test_process_quality(world):
    assert cell("PQ01", "2025")[:2] == (1, 2)  # A approved; E due 15 Sep, not approved
    assert cell("PQ01", "2025-02")[:2] == (0, 1)  # A due 24 Feb, approved 12 Mar
    # Salé: A's full assessment (views) and B's (none); A's plan (views); B and C closures
    # (none); B's EPS review on 15 Apr (views) → 3 of 6. Tanger: D's CPE review on 15 Jul
    # (views could not be obtained) → 0 of 1.
    assert cell("PQ06", "2025")[:2] == (3, 6)
    assert cell("PQ06", "2025", dims="record_type=closure")[:2] == (0, 2)
    assert cell("PQ06", "2025", dims="record_type=assessment")[:2] == (1, 2)
    assert cell("PQ06", "2025", dims="record_type=case_plan")[:2] == (1, 1)
    assert cell("PQ06", "2025", dims="record_type=placement_review")[:2] == (1, 1)
    assert cell("PQ06", "2025", TANGER, dims="record_type=placement_review")[:2] == (0, 1)
    assert cell("PQ06", "2025", "MA")[:2] == (3, 7)
    assert cell("PQ06", "2025-Q1")[:2] == (2, 4)  # A, B assessments; A's plan; C's closure


def test_judicial_and_outcomes(world):
    assert cell("JI01", "2025")[0] == 1
    assert cell("JI01", "2025", dims="measure_type=protection_measure_481")[0] == 1
    assert cell("OC01", "2025")[:2] == (1, 1)  # B; C (no protection concern) excluded
    assert cell("OC02", "2025")[:2] == (1, 1)  # B family → EPS → family
    assert cell("OC03", "2025")[:2] == (1, 1)  # B dropped out → school, 15 at closure
    assert cell("OC04A", "2025")[:2] == (1, 2)  # B re-reported (r6); C not
    assert cell("OC04B", "2025")[:2] == (1, 2)


def test_assessments(world):
    # TM04: A due 13 Feb assessed 12 Feb; B due 23 Feb assessed 25 Feb; C closed before due
    assert cell("TM04", "2025")[:2] == (1, 2)
    assert cell("TM04", "2025", dims="level=3")[:2] == (1, 2)  # triage level
    assert cell("TM04", "2025", dims="org_type=cape")[:2] == (1, 2)
    assert cell("TM04", "2025-01")[:2] == (0, 0)  # C left out
    # TM05A: A 2.0 days; B 20 Feb 10:00 → 25 Feb 10:00 local, 5.04 days (the clocks went back
    # on 23 Feb): median 3.5 on 2
    assert cell("TM05A", "2025")[1:] == (2, 3.5)
    assert cell("TM05A", "2025-02")[1:] == (2, 3.5)
    # PQ04: A's reassessment met (May), D's missed (1 Sep, Salé after the transfer), E's
    # cancelled
    assert cell("PQ04", "2025")[:2] == (1, 2)
    assert cell("PQ04", "2025-Q2")[:2] == (1, 1)
    assert cell("PQ04", "2025", TANGER)[:2] == (0, 0)
    # (B's own reassessment of 1 Apr, asked by no task, is not in PQ04)
    assert cell("PQ04", "2025-Q2")[:2] == (1, 1)
    # PQ05: A full, B full raised, B reassessment, A reassessment lowered (approved 11 May)
    assert cell("PQ05", "2025")[:2] == (1, 4)
    assert cell("PQ05", "2025", dims="level=2")[:2] == (1, 1)  # B's full, computed 2
    assert cell("PQ05", "2025", dims="level=3")[:2] == (0, 3)
    assert cell("PQ05B", "2025")[:2] == (1, 4)
    assert cell("PQ05C", "2025")[:2] == (1, 1)
    assert cell("PQ05C", "2025-05")[:2] == (1, 1)


def test_referrals(world):
    # PQ02: R1 due 31 Mar answered 20 Mar; R2 due 4 Apr answered 20 Apr; R3 cancelled before
    # its due date; R4 due 1 Jul, never answered
    assert cell("PQ02", "2025")[:2] == (1, 3)
    assert cell("PQ02", "2025-Q1")[:2] == (1, 1)
    assert cell("PQ02", "2025-Q2")[:2] == (0, 1)
    assert cell("PQ02", "2025", dims="service=mental_health")[:2] == (0, 1)
    # all four went to the hospital's unit (organisation type hospital_unit)
    assert cell("PQ02", "2025", dims="provider_type=hospital_unit")[:2] == (1, 3)
    assert cell("PQ02", "2025", dims="provider_type=cape")[:2] == (0, 0)
    # SG01: R2 refused out of R1 R2 R4 (R3 cancelled)
    assert cell("SG01", "2025")[:2] == (1, 3)
    assert cell("SG01", "2025-Q1")[:2] == (1, 2)
    assert cell("SG01", "2025", dims="refusal_reason=no_capacity")[:2] == (1, 1)
    assert cell("SG01", "2025", dims="service=health")[:2] == (0, 2)
    assert cell("SG01", "2025", dims="provider_type=hospital_unit")[:2] == (1, 3)


def test_care_arrangements(world):
    # OC05: B's EPS 1 Mar → 30 May, 90 days, ended in Q2
    assert cell("OC05", "2025")[1:] == (1, 90.0)
    assert cell("OC05", "2025-Q2")[1:] == (1, 90.0)
    assert cell("OC05", "2025", dims="care_type=eps")[1:] == (1, 90.0)
    assert cell("OC05", "2025-Q1")[1:] == (0, None)  # C's emergency shelter is not in (a)
    assert cell("OC05", "2025", dims="sex=male|age_band=12_15")[1:] == (1, 90.0)  # c2, 15
    assert cell("OC05C", "2025-01")[1:] == (1, 3.0)  # C: 2 → 5 January
    # OC06 on 31 Dec: c1 in foster care (A), c4 in a CPE (D, now Salé); E at home left out
    assert cell("OC06", "2025")[:2] == (1, 2)
    assert cell("OC06", "2025", TANGER)[:2] == (0, 0)
    assert cell("OC06B", "2025")[:2] == (1, 2)  # c4 in the CPE
    assert cell("OC06", "2025", dims="sex=female")[:2] == (1, 1)  # c1
    assert cell("OC06", "2025", dims="age_band=0_5")[:2] == (0, 1)  # c4, 5 on 31 Dec
    # 30 Jun: c1 in foster care (Salé); c4 in the CPE (Tanger, before the transfer); B's EPS
    # ended on 30 May
    assert cell("OC06", "2025-Q2")[:2] == (1, 1)
    assert cell("OC06", "2025-Q2", TANGER)[:2] == (0, 1)
    # OC02: B at home at opening but placed in an EPS during the case → counted, reintegrated
    assert cell("OC02", "2025")[:2] == (1, 1)


def test_supervised_liberty_reports(world):
    # D's reports: due 30 Jun (Tanger) sent in 10 days; due 30 Sep (Salé) 20 days late;
    # due 31 Dec (Salé) not sent
    assert cell("JI03", "2025", TANGER)[:2] == (1, 1)
    assert cell("JI03", "2025")[:2] == (0, 2)
    assert cell("JI03", "2025", "MA")[:2] == (1, 3)
    assert cell("JI01", "2025", TANGER)[0] == 1  # the LS measure, decided in Tanger


def test_ji02_decisions_received_by_the_cape_within_30_days(world):
    # B's 481 measure (Salé, 10 Apr) received 25 Apr: 15 days, in time. D's supervised liberty
    # (Tanger on 15 Mar, before the transfer) received 1 May: 47 days, late.
    assert cell("JI02", "2025")[:2] == (1, 1)
    assert cell("JI02", "2025-Q2")[:2] == (1, 1)
    assert cell("JI02", "2025-Q1")[:2] == (0, 0)
    assert cell("JI02", "2025", TANGER)[:2] == (0, 1)
    assert cell("JI02", "2025", "MA")[:2] == (1, 2)
    assert cell("JI02", "2025", "MA", dims="measure_type=supervised_liberty")[:2] == (0, 1)
    # JI02B: median delay — Salé 15, Tanger 47, national median of (15, 47) = 31
    assert cell("JI02B", "2025")[1:] == (1, 15)
    assert cell("JI02B", "2025", TANGER)[1:] == (1, 47)
    assert cell("JI02B", "2025", "MA")[1:] == (2, 31)


def test_ji02_a_decision_without_reception_date_is_not_met(world):
    from himaya.cases.models import JudicialMeasure

    JudicialMeasure.objects.filter(case=world.B).update(received_on=None)
    aggregates.rebuild()
    assert cell("JI02", "2025")[:2] == (0, 1)
    assert cell("JI02B", "2025")[1:] == (0, None)  # no delay to take the median of


def test_oc05b_time_so_far_of_active_institutional_placements(world):
    # B in an EPS 1 Mar → 30 May (Salé); D in a CPE from 1 Jun (Tanger, Salé from 1 Aug).
    # 31 Mar: B, 30 days so far. 30 Apr (month): B, 60. 30 Jun: B ended; D 29 days, in Tanger.
    # 31 Dec: D, 213 days (29 + 31 + 31 + 30 + 31 + 30 + 31), in Salé.
    assert cell("OC05B", "2025-Q1")[1:] == (1, 30)
    assert cell("OC05B", "2025-04")[1:] == (1, 60)
    assert cell("OC05B", "2025-Q2")[1:] == (0, None)
    assert cell("OC05B", "2025-Q2", TANGER)[1:] == (1, 29)
    assert cell("OC05B", "2025")[1:] == (1, 213)
    assert cell("OC05B", "2025", TANGER)[1:] == (0, None)
    assert cell("OC05B", "2025", "MA")[1:] == (1, 213)
    assert cell("OC05B", "2025", dims="care_type=cpe")[1:] == (1, 213)
    assert cell("OC05B", "2025-Q1", dims="care_type=eps")[1:] == (1, 30)
    # (a) is unchanged: B's 90 days, placed on its end date
    assert cell("OC05", "2025")[1:] == (1, 90)


def test_a_merged_child_is_counted_once(world):
    from himaya.cases.models import Case

    w = world
    # A duplicate record of c2 with its own report and case, then merged into c2: a tombstone
    duplicate = w.child("male", date(2010, 1, 10), SALE)
    report = w.report(SALE, at(2025, 10, 1, 10), "school_cell", ["SCO.DRP"])
    case = w.case(duplicate, report, SALE, triage=1)
    type(duplicate).objects.filter(pk=duplicate.pk).update(merged_into=w.c2)
    aggregates.rebuild()
    assert cell("IN01", "2025")[0] == 6  # one more report
    assert cell("IN02", "2025")[0] == 3  # c1, c2 (and its tombstone), c3
    assert cell("IN03", "2025")[0] == 3  # A (c1), D (c4), E and the new case (c2)
    assert cell("IN04", "2025")[0] == 3
    assert Case.objects.filter(child=duplicate).get() == case


def test_periods_computed_are_recorded_and_empty_cells_are_not_stored(world):
    from himaya.indicators.models import ComputedPeriod

    assert ComputedPeriod.objects.filter(period__in=["2025", "2025-Q1", "2025-12"]).count() == 3
    assert not ComputedPeriod.objects.filter(period="2024").exists()  # before any data
    assert not AggregateCell.objects.filter(numerator=0, denominator__isnull=True).exists()
    assert {"IN01", "TM01", "OC01", "PG05"} <= set(INDICATORS) & set(
        AggregateCell.objects.values_list("indicator", flat=True)
    )


def test_refresh_gives_the_same_figures_as_a_rebuild(world):
    from himaya.cases.models import Case

    w = world
    w.report(SALE, world.r1.received_at.replace(month=4), "health_unit", ["VPH.FAM"])
    Case.objects.filter(pk=w.E.pk).update(plan_approved_at=w.r6.received_at.replace(day=20))
    Case.objects.filter(pk=w.E.pk).update(updated_at=w.r6.received_at.replace(year=2030))
    aggregates.refresh()
    refreshed = snapshot()
    aggregates.rebuild()
    assert snapshot() == refreshed
    assert cell("IN01", "2025")[0] == 6
    assert cell("PQ01", "2025")[:2] == (2, 2)


def test_refresh_sees_the_records_of_the_other_apps(world):
    """A change in an assessment, referral, care arrangement, placement review, judicial
    measure or LS report (not in the case itself) dirties its case's years: refresh still
    equals a rebuild."""
    from himaya.assessment.models import Assessment
    from himaya.cases.models import JudicialMeasure
    from himaya.placements.models import CareArrangement, PlacementReview
    from himaya.referrals.models import Referral

    aggregates.refresh()  # records the watermark
    late = Referral.objects.get(status="sent")
    late.status, late.responded_at = "service_unavailable", late.sent_at
    late.save()
    foster = CareArrangement.objects.get(care_type="foster")
    foster.care_type = "kinship"
    foster.save()
    raised = Assessment.objects.get(override_direction="up")
    raised.override_direction = "none"
    raised.save()
    review = PlacementReview.objects.get(reviewed_on=date(2025, 7, 15))
    review.child_views = "wants to stay"
    review.save()
    measure = JudicialMeasure.objects.get(measure_type="supervised_liberty")
    measure.received_on = date(2025, 4, 1)  # 17 days after the decision
    measure.save()
    aggregates.refresh()
    refreshed = snapshot()
    aggregates.rebuild()
    assert snapshot() == refreshed
    assert cell("SG01", "2025")[:2] == (2, 3)
    assert cell("PQ02", "2025")[:2] == (2, 3)
    assert cell("PQ05", "2025")[:2] == (0, 4)
    assert cell("PQ06", "2025", TANGER)[:2] == (1, 1)
    assert cell("JI02", "2025", TANGER)[:2] == (1, 1)


def snapshot():
    return sorted(
        AggregateCell.objects.values_list(
            "indicator",
            "period",
            "territory",
            "breakdown",
            "dims",
            "numerator",
            "denominator",
            "value",
        )
    )


def test_commands_refresh_and_rebuild(world):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("indicators_refresh", stdout=out)
    assert "refreshed" in out.getvalue()
    before = snapshot()
    call_command("indicators_rebuild", stdout=out)
    assert "rebuilt" in out.getvalue() and snapshot() == before


def test_refresh_of_the_current_year_only_matches_a_rebuild(world):
    from django.utils import timezone

    aggregates.refresh()  # records the watermark
    world.report(SALE, timezone.now(), "health_unit", ["VPH.FAM"])
    state = aggregates.refresh()
    refreshed = snapshot()
    assert state.periods <= 17  # the current year's periods only
    aggregates.rebuild()
    assert snapshot() == refreshed
