"""Indicator benchmark: `python bench/bench_indicators.py` (SQLite) or with
`DATABASE_URL=postgres://.../<empty db>`.

Fills BENCH_CHILDREN children (default 100,000) over the 83 territories, each with a report
and a case over 2025–2026 (triage levels, assignments, follow-ups, a third closed with an
outcome, judicial tasks, case-plan tasks), then measures:
- a full rebuild of the aggregates, and an incremental refresh after 200 cases changed;
- the national, regional and provincial dashboards (as a statistician) and the API figures
  with a disaggregation, read from the aggregate tables.
Writes bench/results/<date>-<commit>-<vendor>-indicators.json.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.machine import boot, fresh_database, machine_info

boot("bench-indicators")

from django.db import connection

CHILDREN = int(os.environ.get("BENCH_CHILDREN", "100000"))


def main() -> None:
    fresh_database()
    from himaya.indicators import aggregates
    from himaya.indicators.models import AggregateCell

    results: dict = {"machine": {**machine_info(), "database": connection.vendor}}
    started = time.perf_counter()
    _fill(CHILDREN)
    results["fill_s"] = round(time.perf_counter() - started, 1)
    results["children"] = CHILDREN

    started = time.perf_counter()
    aggregates.rebuild()
    results["rebuild_s"] = round(time.perf_counter() - started, 1)
    results["aggregate_cells"] = AggregateCell.objects.count()

    _touch(200)
    started = time.perf_counter()
    aggregates.refresh()
    results["refresh_after_200_changes_s"] = round(time.perf_counter() - started, 1)
    results.update(_latencies())
    out = (
        ROOT / "bench" / "results"
        / f"{time.strftime('%Y-%m-%d')}-{results['machine']['commit']}-{connection.vendor}-indicators.json"
    )  # fmt: skip
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


def _fill(count: int) -> None:
    import random
    from datetime import date, datetime, timedelta

    from himaya.accounts.models import Organisation, User
    from himaya.cases.models import Case, FollowUp, Report, Task
    from himaya.children.models import Child
    from himaya.core.models import Province
    from himaya.indicators.periods import TZ

    rng = random.Random(20261122)
    provinces = list(Province.objects.values_list("code", flat=True))
    capes = {o.province_id: o for o in Organisation.objects.filter(type="cape")}
    fallback = Organisation.objects.get(code="cape-sal")
    user = User.objects.get(username="reception.sale")
    channels = [
        "onde_2511_line",
        "school_cell",
        "health_unit",
        "police_cell",
        "cape_walk_in",
        "other",
    ]
    concerns = ["VPH.FAM", "NEG.CAR", "SCO.DRP", "EXP.LAB", "RUE.DAY", "VSX.FAM"]
    start = datetime(2025, 1, 1, tzinfo=TZ)
    span = (datetime(2026, 11, 1, tzinfo=TZ) - start).total_seconds()
    for first in range(0, count, 5000):
        children, reports, cases = [], [], []
        for index in range(first, min(first + 5000, count)):
            province = provinces[index % len(provinces)]
            org = capes.get(province, fallback)
            children.append(Child(
                sex=rng.choice(("male", "female", "unknown")), province_id=province, organisation=org,
                birth_date=date(2008 + rng.randint(0, 17), rng.randint(1, 12), rng.randint(1, 28)),
                nationality=rng.choice(("MA", "MA", "MA", "SN", "unknown")),
                disability=rng.choice(("yes", "no", "unknown")),
            ))  # fmt: skip
            received = start + timedelta(seconds=rng.random() * span)
            reports.append(Report(
                number=f"BR-{index}", channel=rng.choice(channels), received_at=received, recorded_by=user,
                receiving_org=org, province_id=province, narrative="-", concerns=[rng.choice(concerns)],
            ))  # fmt: skip
        Child.objects.bulk_create(children)
        Report.objects.bulk_create(reports)
        for child, report in zip(children, reports, strict=True):
            triage = rng.choice((1, 2, 3))
            closed = (
                report.received_at + timedelta(days=rng.randint(20, 300))
                if rng.random() < 0.33
                else None
            )
            cases.append(Case(
                number=f"BC-{report.number}", child=child, first_report=report, province_id=child.province_id,
                organisation_id=child.organisation_id, t0=report.received_at,
                opened_at=report.received_at + timedelta(hours=1), opened_by=user, triage_level=triage,
                risk_level=triage, assigned_at=report.received_at + timedelta(minutes=rng.randint(10, 300)),
                plan_approved_at=report.received_at + timedelta(days=rng.randint(5, 60)) if rng.random() < 0.6 else None,
                closed_at=closed, closure_reason="goals_achieved" if closed else "",
                stage="closed" if closed else "accompaniment",
                closure={"goals_outcome": rng.choice(("achieved", "partly_achieved")),
                         "living_situation_at_opening": rng.choice(("family", "street")),
                         "living_situation": "family"} if closed else {},
            ))  # fmt: skip
        Case.objects.bulk_create(cases)
        Case.reports.through.objects.bulk_create(
            [Case.reports.through(case_id=c.id, report_id=c.first_report_id) for c in cases]
        )
        FollowUp.objects.bulk_create([
            FollowUp(case=c, happened_at=c.t0 + timedelta(hours=rng.randint(2, 120)), kind="home_visit",
                     child_seen=True, recorded_by=user)
            for c in cases
        ])  # fmt: skip
        Task.objects.bulk_create([
            Task(case=c, kind=kind, due_at=c.t0 + timedelta(days=days),
                 status="done" if rng.random() < 0.7 else "open",
                 done_at=c.t0 + timedelta(days=days - 1))
            for c in cases
            for kind, days in (("case_plan", 14), ("report_to_prosecutor", 1))
        ], batch_size=5000)  # fmt: skip


def _touch(count: int) -> None:
    from django.utils import timezone

    from himaya.cases.models import Case

    ids = list(Case.objects.order_by("-opened_at").values_list("id", flat=True)[:count])
    Case.objects.filter(id__in=ids).update(risk_level=3, updated_at=timezone.now())


def _latencies() -> dict:
    from django.test import Client
    from rest_framework.test import APIClient

    from himaya.accounts.models import User

    stats = User.objects.get(username="stats.national")
    page = Client(SERVER_NAME="localhost")
    page.force_login(stats)
    api = APIClient(SERVER_NAME="localhost")
    api.force_authenticate(stats)

    def timed(fn, repeat: int = 10) -> float:
        response = fn()
        assert response.status_code == 200, response.status_code
        started = time.perf_counter()
        for _ in range(repeat):
            fn()
        return round((time.perf_counter() - started) / repeat * 1000, 1)

    return {
        "dashboard_national_ms": timed(lambda: page.get("/indicators/", {"period": "2026"})),
        "dashboard_regional_ms": timed(
            lambda: page.get("/indicators/", {"period": "2026", "region": "04"})
        ),
        "dashboard_provincial_ms": timed(
            lambda: page.get("/indicators/", {"period": "2026-Q2", "province": "04.441"})
        ),
        "api_figures_by_sex_age_ms": timed(
            lambda: api.get("/api/v1/indicators/IN04/", {"period": "2026", "by": "sex,age_band"})
        ),
        "api_figures_total_ms": timed(
            lambda: api.get("/api/v1/indicators/IN01/", {"period": "2025-03", "region": "04"})
        ),
    }


if __name__ == "__main__":
    main()
