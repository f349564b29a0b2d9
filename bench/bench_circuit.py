"""Circuit benchmark for issue #4: the daily escalation of overdue tasks and the judicial inbox.

`.venv/bin/python bench/bench_circuit.py` (SQLite, throw-away file var/bench_circuit.sqlite3) or
with `DATABASE_URL=postgres://.../<new empty database>`. `BENCH_CASES` cases (default 20,000)
spread over the 83 territories, each with two open deadline tasks due between 10 days ago and
20 days ahead (about a third overdue) and, for one case in ten, an overdue report to the
prosecutor. Measures the first escalation run (everything newly overdue), the second run the
same day (nothing to send: the idempotent scan alone), the run of the next day (only the daily
judicial reminders), and the judicial liaison's inbox. Results go to
bench/results/<date>-<commit>-circuit-<vendor>.json with the machine.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.machine import boot, fresh_database, machine_info

boot("bench_circuit")

from django.db import connection

CASES = int(os.environ.get("BENCH_CASES", "20000"))


def main() -> None:
    fresh_database()
    from django.utils import timezone

    from himaya.accounts.models import Notification, User
    from himaya.cases import selectors
    from himaya.cases.escalation import escalate_overdue
    from himaya.cases.models import Task

    _fill(CASES)
    results: dict = {
        "machine": {**machine_info(), "database": connection.vendor},
        "cases": CASES,
        "open_tasks": Task.objects.filter(status="open").count(),
    }
    now = timezone.now()
    results["overdue_open_tasks"] = Task.objects.filter(status="open", due_at__lt=now).count()
    before = Notification.objects.count()

    started = time.perf_counter()
    first = escalate_overdue(now=now)
    elapsed = time.perf_counter() - started
    results["escalation_first_run_s"] = round(elapsed, 2)
    results["escalation_first_run_tasks"] = first.tasks
    results["escalation_first_run_notifications"] = first.notifications
    results["escalation_ms_per_task"] = round(elapsed / max(first.tasks, 1) * 1000, 2)

    started = time.perf_counter()
    second = escalate_overdue(now=now + timedelta(minutes=5))
    results["escalation_same_day_rerun_s"] = round(time.perf_counter() - started, 3)
    results["escalation_same_day_rerun_notifications"] = second.notifications

    started = time.perf_counter()
    next_day = escalate_overdue(now=now + timedelta(days=1))
    results["escalation_next_day_s"] = round(time.perf_counter() - started, 2)
    results["escalation_next_day_tasks"] = next_day.tasks
    results["notifications_written"] = Notification.objects.count() - before

    liaison = User.objects.get(username="judicial.sale")

    def inbox():
        return selectors.judicial_inbox(liaison, now=timezone.now())

    inbox()
    started = time.perf_counter()
    for _ in range(20):
        rows = inbox()
    results["judicial_inbox_ms"] = round((time.perf_counter() - started) / 20 * 1000, 2)
    results["judicial_inbox_pending_rows"] = len(rows["pending"])

    out = (
        ROOT
        / "bench"
        / "results"
        / f"{time.strftime('%Y-%m-%d')}-{results['machine']['commit']}-circuit-{connection.vendor}.json"
    )
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


def _fill(count: int) -> None:
    from django.utils import timezone

    from himaya.accounts.models import Organisation, User
    from himaya.cases.models import Case, Task
    from himaya.children.models import Child
    from himaya.core.models import Province

    rng = random.Random(20261122)
    provinces = list(Province.objects.values_list("code", flat=True))
    capes = {o.province_id: o for o in Organisation.objects.filter(type="cape")}
    fallback = Organisation.objects.get(code="cape-sal")
    opener = User.objects.get(username="reception.sale")
    manager = User.objects.get(username="manager.sale")
    now = timezone.now()
    for start in range(0, count, 5000):
        children, cases, tasks = [], [], []
        for index in range(start, min(start + 5000, count)):
            province = provinces[index % len(provinces)]
            children.append(
                Child(
                    first_name_lat=f"Bench{index}",
                    last_name_lat="Circuit",
                    sex="female",
                    province_id=province,
                    organisation=capes.get(province, fallback),
                )
            )
        Child.objects.bulk_create(children)
        for child in children:
            cases.append(
                Case(
                    number=f"E-{child.pk.hex[:16]}",
                    child=child,
                    province_id=child.province_id,
                    organisation_id=child.organisation_id,
                    case_manager=manager if child.province_id == "04.441" else None,
                    stage=rng.choice(("reception", "assessment", "planning", "accompaniment")),
                    t0=now,
                    opened_at=now,
                    opened_by=opener,
                    triage_level=2,
                    risk_level=2,
                    offence_suspected=True,
                )
            )
        Case.objects.bulk_create(cases)
        for index, case in enumerate(cases):
            for kind in ("first_contact", "case_plan"):
                tasks.append(
                    Task(
                        case=case,
                        kind=kind,
                        assignee=case.case_manager,
                        due_at=now + timedelta(days=rng.randint(-10, 20)),
                    )
                )
            if index % 10 == 0:
                tasks.append(
                    Task(
                        case=case,
                        kind="report_to_prosecutor",
                        blocking_closure=True,
                        due_at=now - timedelta(hours=rng.randint(1, 48)),
                    )
                )
        Task.objects.bulk_create(tasks, batch_size=5000)


if __name__ == "__main__":
    main()
