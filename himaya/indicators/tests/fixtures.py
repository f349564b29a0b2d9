"""A small, hand-counted world for the indicator tests (figures worked out in
test_indicators_exact.py, next to each assertion).

Everything happens in 2025, in Africa/Casablanca time: five reports (one received at 00:30 on
1 January local time, which is still 31 December in UTC), four children, five cases — one
transferred from Tanger to Salé in August — follow-ups, judicial tasks, a measure, closures;
then the records of the other apps: assessments (TM04, TM05A, PQ04, PQ05), referrals (PQ02,
SG01), care arrangements (OC02, OC05, OC06) and supervised-liberty reports (JI03).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from himaya.assessment.models import Assessment, InstrumentVersion
from himaya.cases.models import (
    Case,
    CaseConcern,
    FollowUp,
    JudicialMeasure,
    JudicialReferral,
    PlanAction,
    Report,
    SupervisedLibertyReport,
    Task,
    Transfer,
)
from himaya.children.models import Child
from himaya.directory.testing import build_directory
from himaya.indicators.periods import TZ
from himaya.placements.models import CareArrangement, PlacementReview
from himaya.referrals.models import Referral

SALE, TANGER = "04.441", "01.511"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


class World:
    def __init__(self, personas):
        self.p = personas
        self.user = personas.reception_sale
        self.org_sale = personas.orgs["cape_sale"]
        self.org_tanger = personas.orgs["cape_tanger"]
        self.count = 0

    def child(self, sex, birth, province, **extra) -> Child:
        org = self.org_sale if province == SALE else self.org_tanger
        return Child.objects.create(
            sex=sex, birth_date=birth, province_id=province, organisation=org, **extra
        )

    def report(self, province, received_at, channel, concerns) -> Report:
        self.count += 1
        org = self.org_sale if province == SALE else self.org_tanger
        return Report.objects.create(
            number=f"T-{self.count:04d}", channel=channel, received_at=received_at,
            recorded_by=self.user, receiving_org=org, province_id=province, narrative="-",
            concerns=concerns,
        )  # fmt: skip

    def case(self, child, report, province, *, triage, **extra) -> Case:
        self.count += 1
        org = self.org_sale if province == SALE else self.org_tanger
        case = Case.objects.create(
            number=f"X-{self.count:04d}", child=child, first_report=report, province_id=province,
            organisation=org, t0=report.received_at, opened_at=report.received_at + timedelta(hours=1),
            opened_by=self.user, triage_level=triage, risk_level=triage, **extra,
        )  # fmt: skip
        case.reports.add(report)
        for index, code in enumerate(report.concerns):
            CaseConcern.objects.create(case=case, category=code.split(".")[0], subcategory=code,
                                       primary=index == 0)  # fmt: skip
        return case

    def task(self, case, kind, created_at, due_at, **extra) -> Task:
        task = Task.objects.create(case=case, kind=kind, due_at=due_at, **extra)
        Task.objects.filter(pk=task.pk).update(created_at=created_at)
        return task

    def follow_up(self, case, happened_at, kind, seen=True):
        return FollowUp.objects.create(
            case=case, happened_at=happened_at, kind=kind, child_seen=seen, recorded_by=self.user
        )


def build_world(personas) -> World:
    w = World(personas)
    w.c1 = w.child("female", date(2015, 6, 1), SALE, nationality="MA", disability="no")
    w.c2 = w.child("male", date(2010, 1, 10), SALE, nationality="SN",
                   migrant_status="unaccompanied")  # fmt: skip
    w.c3 = w.child("female", None, SALE)
    w.c4 = w.child("male", date(2020, 3, 1), TANGER, nationality="MA")

    w.r1 = w.report(SALE, at(2025, 2, 10, 10), "onde_2511_line", ["VPH.FAM"])
    w.r2 = w.report(SALE, at(2025, 2, 20, 10), "school_cell", ["NEG.CAR", "SCO.DRP"])
    w.r3 = w.report(SALE, at(2025, 5, 5, 9), "police_cell", ["VPH.FAM"])
    w.r4 = w.report(TANGER, at(2025, 3, 1, 10), "cape_walk_in", ["EXP.LAB"])
    w.r5 = w.report(SALE, at(2025, 1, 1, 0, 30), "other", ["NEG.SUP"])  # 2024-12-31 in UTC
    w.r6 = w.report(SALE, at(2025, 9, 1, 10), "onde_2511_portal", ["SCO.DRP"])

    # A: level 3, assigned in 30 min, seen face to face after 20 h, plan approved after 30 days
    w.A = w.case(w.c1, w.r1, SALE, triage=3, assigned_at=at(2025, 2, 10, 10, 30),
                 plan_approved_at=at(2025, 3, 12, 10), plan_child_views="wants to stay at school")  # fmt: skip
    w.A.reports.add(w.r3)
    w.follow_up(w.A, at(2025, 2, 11, 6), "home_visit")
    w.task(w.A, "case_plan", at(2025, 2, 10, 11), at(2025, 2, 24, 10), status="done",
           done_at=at(2025, 3, 12, 10))  # fmt: skip
    w.task(w.A, "report_to_prosecutor", at(2025, 2, 10, 11), at(2025, 2, 10, 23), status="waived",
           waiver_reason="offence_ruled_out")  # fmt: skip

    # B: level 3, assigned after 2 h, only a phone call; closed with goals achieved (at home
    # at opening, but placed in an EPS during the case: OC02 counts it through its placement)
    w.B = w.case(w.c2, w.r2, SALE, triage=3, assigned_at=at(2025, 2, 20, 12),
                 closed_at=at(2025, 6, 30, 12), closure_reason="goals_achieved", stage="closed",
                 closure={"goals_outcome": "achieved", "living_situation_at_opening": "family",
                          "living_situation": "family", "education_status_at_opening": "dropped_out",
                          "education_status": "enrolled_school", "child_views": ""})  # fmt: skip
    w.follow_up(w.B, at(2025, 2, 20, 15), "phone_call")
    w.task(w.B, "report_to_prosecutor", at(2025, 2, 20, 11), at(2025, 2, 20, 23), status="done",
           done_at=at(2025, 2, 20, 18))  # fmt: skip
    JudicialReferral.objects.create(case=w.B, court="TPI Salé", sent_at=at(2025, 2, 20, 18),
                                    recorded_by=w.user)  # fmt: skip
    # JI02: the CAPE received it on 25 April, 15 days after the decision (in time)
    JudicialMeasure.objects.create(case=w.B, measure_type="protection_measure_481",
                                   decided_at=date(2025, 4, 10), starts_on=date(2025, 4, 10),
                                   received_on=date(2025, 4, 25), recorded_by=w.user)  # fmt: skip

    # C: level 2, seen only after 80 h; closed (no protection concern) on 20 January
    w.C = w.case(w.c3, w.r5, SALE, triage=2, closed_at=at(2025, 1, 20, 12),
                 closure_reason="no_protection_concern", stage="closed")  # fmt: skip
    w.follow_up(w.C, at(2025, 1, 4, 8, 30), "home_visit")

    # D: Tanger, level 2, seen after 24 h; transferred to Salé on 1 August
    w.D = w.case(w.c4, w.r4, TANGER, triage=2)
    w.follow_up(w.D, at(2025, 3, 2, 10), "office_visit")
    Transfer.objects.create(
        case=w.D, from_organisation=w.org_tanger, from_province_id=TANGER,
        to_organisation=w.org_sale, to_province_id=SALE, reason="family_moved", status="accepted",
        requested_by=w.user, requested_at=at(2025, 7, 25), response_due_at=at(2025, 8, 5),
        decided_at=at(2025, 8, 1, 12),
    )  # fmt: skip
    Case.objects.filter(pk=w.D.pk).update(province_id=SALE, organisation=w.org_sale)

    # E: c2 reported again after B's closure (a re-report within 6 months), level 1, no plan yet
    w.E = w.case(w.c2, w.r6, SALE, triage=1)
    w.task(w.E, "case_plan", at(2025, 9, 1, 11), at(2025, 9, 15, 10))
    build_other_apps(w)
    return w


def build_other_apps(w: World) -> None:
    version = InstrumentVersion.objects.order_by("loaded_at").first()

    def assess(case, kind, completed_at, computed, final, direction="none", status=None, **kw):
        return Assessment.objects.create(
            case=case, child=case.child, instrument_version=version, kind=kind,
            level_computed=computed, level_requested=final, level_final=final,
            override_direction=direction, override_status=status or "not_applicable",
            assessor=w.user, completed_at=completed_at, **kw,
        )  # fmt: skip

    # TM04: A due 13 Feb, assessed 12 Feb (met); B due 23 Feb, assessed 25 Feb (late);
    # C due 25 Jan but closed (no protection concern) on 20 Jan: left out.
    w.task(w.A, "full_assessment", at(2025, 2, 10, 11), at(2025, 2, 13, 10), status="done",
           done_at=at(2025, 2, 12, 10))  # fmt: skip
    w.task(w.B, "full_assessment", at(2025, 2, 20, 11), at(2025, 2, 23, 10), status="done",
           done_at=at(2025, 2, 25, 10))  # fmt: skip
    w.task(w.C, "full_assessment", at(2025, 1, 1, 2), at(2025, 1, 25, 10), status="cancelled")
    # PQ06: A's full assessment records the child's views, B's does not
    assess(w.A, "full", at(2025, 2, 12, 10), 3, 3, child_views="wants to stay at school")
    assess(w.B, "full", at(2025, 2, 25, 10), 2, 3, direction="up")  # raised by the assessor
    # PQ04: A's reassessment due 12 May, done 10 May by a reassessment (met), whose lowering a
    # supervisor approved on 11 May (PQ05 c); D's due 1 Sep never done (missed, in Salé by
    # then); E's cancelled (left out).
    w.task(w.A, "reassessment", at(2025, 4, 12, 10), at(2025, 5, 12, 10), status="done",
           done_at=at(2025, 5, 10, 10))  # fmt: skip
    assess(w.A, "reassessment", at(2025, 5, 10, 9, 59, 50), 3, 2, direction="down",
           status="approved", approved_by=w.p.supervisor_sale, approved_at=at(2025, 5, 11, 9))  # fmt: skip
    w.task(w.D, "reassessment", at(2025, 8, 1, 10), at(2025, 9, 1, 10))
    w.task(w.E, "reassessment", at(2025, 9, 2, 10), at(2025, 10, 2, 10), status="cancelled")
    # B reassessed before any task asked for it: the task created done sets no deadline (left
    # out of PQ04), the reassessment counts in PQ05
    w.task(w.B, "reassessment", at(2025, 4, 1, 10), at(2025, 4, 1, 10), status="done",
           done_at=at(2025, 4, 1, 10))  # fmt: skip
    assess(w.B, "reassessment", at(2025, 4, 1, 9, 59, 59), 3, 3)

    # PQ02 / SG01: four referrals of A. R1 answered in 19 days; R2 refused after 46 days;
    # R3 cancelled two days after sending (left out); R4 never answered.
    institution = build_directory(w.p)["hospital_sale"]
    action = PlanAction.objects.create(case=w.A, goal="-", service="health", due_on=date(2025, 6, 1),
                                       created_by=w.user)  # fmt: skip

    def refer(sent_at, status, **kw):
        return Referral.objects.create(
            case=w.A, plan_action=action, service=kw.pop("service", "health"),
            institution=institution, provider_organisation=institution.organisation,
            province_id=SALE, status=status, sent_at=sent_at, sent_by=w.user,
            due_on=sent_at.date() + timedelta(days=14), respond_by=sent_at + timedelta(days=3),
            **kw,
        )  # fmt: skip

    refer(at(2025, 3, 1, 10), "accepted", responded_at=at(2025, 3, 20, 10))
    refer(at(2025, 3, 5, 10), "refused", responded_at=at(2025, 4, 20, 10),
          refusal_reason="no_capacity", service="mental_health")  # fmt: skip
    refer(at(2025, 3, 10, 10), "cancelled", cancelled_at=at(2025, 3, 12, 10))
    refer(at(2025, 6, 1, 10), "sent")

    # OC05 / OC06 / OC02: B in an EPS 1 Mar → 30 May (90 days); A in foster care from 1 Apr;
    # D in a CPE from 1 Jun (Tanger, then Salé); E at home (family: not in OC06).
    def arrange(case, care_type, start, end=None, **kw):
        return CareArrangement.objects.create(
            case=case, child=case.child, care_type=care_type, legal_basis="judicial_decision",
            start_date=start, end_date=end, recorded_by=w.user, **kw,
        )  # fmt: skip

    eps = arrange(w.B, "eps", date(2025, 3, 1), date(2025, 5, 30), end_reason="reunification")
    arrange(w.A, "foster", date(2025, 4, 1))
    cpe = arrange(w.D, "cpe", date(2025, 6, 1))
    # PQ06: B's EPS reviewed 15 Apr with the child's views; D's CPE reviewed 15 Jul (Tanger)
    # without them (the child refused: "could not be obtained" is not "views recorded")
    PlacementReview.objects.create(arrangement=eps, reviewed_on=date(2025, 4, 15), reviewer=w.user,
                                   child_seen=True, child_views="wants to go home",
                                   recommendation="continue")  # fmt: skip
    PlacementReview.objects.create(arrangement=cpe, reviewed_on=date(2025, 7, 15), reviewer=w.user,
                                   child_seen=True, views_not_obtained_reason="child_refused",
                                   recommendation="continue")  # fmt: skip
    arrange(w.E, "family", date(2025, 9, 1))
    # C spent 3 nights in an emergency shelter before its closure (OC05 c; not primary)
    arrange(w.C, "emergency_shelter", date(2025, 1, 2), date(2025, 1, 5), is_primary=False)

    # JI03: D's supervised liberty (decided in Tanger on 15 Mar). Report due 30 Jun sent 10 Jul
    # (in the 15 days); due 30 Sep sent 20 Oct (late); due 31 Dec not sent.
    # JI02: the CAPE received the decision on 1 May, 47 days after it (late).
    measure = JudicialMeasure.objects.create(
        case=w.D, measure_type="supervised_liberty", decided_at=date(2025, 3, 15),
        starts_on=date(2025, 3, 15), received_on=date(2025, 5, 1), recorded_by=w.user,
    )  # fmt: skip
    for due, sent_on in (
        (date(2025, 6, 30), date(2025, 7, 10)),
        (date(2025, 9, 30), date(2025, 10, 20)),
        (date(2025, 12, 31), None),
    ):
        due_at = at(due.year, due.month, due.day, 23, 59)
        task = w.task(w.D, "ls_report", due_at - timedelta(days=90), due_at,
                      status="done" if sent_on else "open")  # fmt: skip
        if sent_on:
            SupervisedLibertyReport.objects.create(
                case=w.D, measure=measure, task=task, period_start=due - timedelta(days=90),
                period_end=due, sent_on=sent_on, recorded_by=w.user,
            )  # fmt: skip
