"""A small, hand-counted world for the indicator tests (figures worked out in
test_indicators_exact.py, next to each assertion).

Everything happens in 2025, in Africa/Casablanca time: five reports (one received at 00:30 on
1 January local time, which is still 31 December in UTC), four children, five cases — one
transferred from Tanger to Salé in August — follow-ups, judicial tasks, a measure, closures.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from himaya.cases.models import (
    Case,
    CaseConcern,
    FollowUp,
    JudicialMeasure,
    JudicialReferral,
    Report,
    Task,
    Transfer,
)
from himaya.children.models import Child
from himaya.indicators.periods import TZ

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

    # B: level 3, assigned after 2 h, only a phone call; closed with goals achieved
    w.B = w.case(w.c2, w.r2, SALE, triage=3, assigned_at=at(2025, 2, 20, 12),
                 closed_at=at(2025, 6, 30, 12), closure_reason="goals_achieved", stage="closed",
                 closure={"goals_outcome": "achieved", "living_situation_at_opening": "street",
                          "living_situation": "family", "education_status_at_opening": "dropped_out",
                          "education_status": "enrolled_school", "child_views": ""})  # fmt: skip
    w.follow_up(w.B, at(2025, 2, 20, 15), "phone_call")
    w.task(w.B, "report_to_prosecutor", at(2025, 2, 20, 11), at(2025, 2, 20, 23), status="done",
           done_at=at(2025, 2, 20, 18))  # fmt: skip
    JudicialReferral.objects.create(case=w.B, court="TPI Salé", sent_at=at(2025, 2, 20, 18),
                                    recorded_by=w.user)  # fmt: skip
    JudicialMeasure.objects.create(case=w.B, measure_type="protection_measure_481",
                                   decided_at=date(2025, 4, 10), starts_on=date(2025, 4, 10),
                                   recorded_by=w.user)  # fmt: skip

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
    return w
