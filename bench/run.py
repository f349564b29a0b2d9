"""Himaya benchmarks: `make bench` (SQLite) or `DATABASE_URL=postgres://... make bench`.

Measures, on a throw-away database, the figures that matter for access control and audit:
- audit_record throughput (events/s) — every read and write of a child's record pays it;
- audit_verify throughput and peak Python memory — it must walk a million rows in bounded memory;
- the scoped child and case lists, my work, the supervisor's overdue list, the duplicate search
  and report registration with many children on file (realistic names, one case each).
Results are written to bench/results/<date>-<commit>-<vendor>.json with the machine they ran on.
"""

from __future__ import annotations

import json
import os
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
if "DATABASE_URL" not in os.environ:
    os.environ["SQLITE_PATH"] = str(ROOT / "var" / "bench.sqlite3")
    Path(os.environ["SQLITE_PATH"]).unlink(missing_ok=True)

import django

django.setup()

from django.core.management import call_command
from django.db import connection, transaction

from bench.machine import machine_info

EVENTS = int(os.environ.get("BENCH_EVENTS", "20000"))
CHILDREN = int(os.environ.get("BENCH_CHILDREN", "100000"))


def _machine() -> dict:
    return {**machine_info(), "database": connection.vendor}


# BENCH_REUSE=1: measure again on a database a previous run filled (a million children take
# about an hour to fill on this machine): migrate it to the current code, skip the audit
# figures and the fill, and measure the lists, searches and report registration again.
REUSE = os.environ.get("BENCH_REUSE") == "1"
# A case manager's realistic caseload (my work): the first CASELOAD cases of Salé.
CASELOAD = int(os.environ.get("BENCH_CASELOAD", "150"))


def main() -> None:
    filled = "django_migrations" in connection.introspection.table_names()
    if connection.vendor == "postgresql" and filled and not REUSE:
        # Never run against a database with data in it: the benchmark needs a fresh one.
        raise SystemExit(
            "bench: DATABASE_URL must name a new, empty database (createdb himaya_bench), "
            "or set BENCH_REUSE=1 to measure again on one a previous run filled."
        )
    call_command("migrate", verbosity=0)
    call_command("seed_demo", password="bench-password-0123", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from himaya.accounts.models import User
    from himaya.audit.services import audit_chain_verify, audit_record
    from himaya.children.models import Child

    results: dict = {"machine": _machine(), "events": EVENTS, "children": CHILDREN}
    if REUSE:
        if connection.vendor == "postgresql":
            # New columns (from migrations since the fill) have no statistics until autovacuum
            # analyses them; a stale estimate sent the child list to a bitmap scan (45 → 0.1 ms).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        results.update(reused=True, events=0, children=Child.objects.count())
        _measure(results)
        return
    actor = User.objects.get(username="manager.sale")

    started = time.perf_counter()
    for index in range(EVENTS):
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="child.read",
                target_type="child",
                target_id=str(uuid.UUID(int=index)),
                interface="cli",
            )
    elapsed = time.perf_counter() - started
    results["audit_record_per_second"] = round(EVENTS / elapsed)
    results["audit_record_ms_each"] = round(elapsed / EVENTS * 1000, 3)

    tracemalloc.start()
    started = time.perf_counter()
    verdict = audit_chain_verify()
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert verdict.ok, verdict.problem
    results["audit_verify_events"] = verdict.checked
    results["audit_verify_per_second"] = round(verdict.checked / elapsed)
    results["audit_verify_peak_python_mib"] = round(peak / 2**20, 2)

    # Many children on file, spread over the 83 territories, each with realistic names in one
    # or both scripts (their phonetic keys indexed) and one case with two open tasks.
    _fill_circuit(CHILDREN)
    _measure(results)


def _measure(results: dict) -> None:
    from himaya.accounts.models import User
    from himaya.accounts.permissions import Perm
    from himaya.children.models import Child
    from himaya.children.selectors import children_visible_to

    _realistic_caseload()
    supervisor = User.objects.get(username="supervisor.sale")
    manager = User.objects.get(username="manager.sale")

    def timed(fn, repeat: int = 20) -> float:
        fn()
        started = time.perf_counter()
        for _ in range(repeat):
            fn()
        return round((time.perf_counter() - started) / repeat * 1000, 2)

    def first_page():
        return list(
            children_visible_to(supervisor, Perm.CHILD_VIEW_SUMMARY).order_by("-created_at")[:50]
        )

    # A page deep in the list (the 600th child, or the last with a small BENCH_CHILDREN).
    times = (
        children_visible_to(supervisor, Perm.CHILD_VIEW_SUMMARY)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
    )
    pivot = times[min(600, times.count() - 1)]

    def deep_page():
        return list(
            children_visible_to(supervisor, Perm.CHILD_VIEW_SUMMARY)
            .filter(created_at__lt=pivot)
            .order_by("-created_at")[:50]
        )

    from django.utils import timezone as tz

    from himaya.cases import selectors as case_selectors

    def case_first_page():
        return list(
            case_selectors.cases_visible_to(supervisor, Perm.CHILD_VIEW_SUMMARY).order_by(
                "-opened_at", "-id"
            )[:50]
        )

    results["child_list_first_page_ms"] = timed(first_page)
    results["child_list_deep_page_ms"] = timed(deep_page)
    results["case_list_first_page_ms"] = timed(case_first_page)
    results["my_work_ms"] = timed(lambda: case_selectors.my_work(manager, now=tz.now()))
    caseworker = User.objects.get(username="manager.bench")
    results["my_work_caseload"] = CASELOAD
    results["my_work_realistic_ms"] = timed(
        lambda: case_selectors.my_work(caseworker, now=tz.now())
    )
    results["supervisor_overdue_ms"] = timed(
        lambda: case_selectors.overdue_for_supervisor(supervisor, now=tz.now())
    )
    results["children_on_file"] = Child.objects.count()
    results.update(_duplicate_search_latency(manager))
    results.update(_report_create_latency())

    out = (
        ROOT
        / "bench"
        / "results"
        / f"{time.strftime('%Y-%m-%d')}-{results['machine']['commit']}-{connection.vendor}.json"
    )
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


def _fill_circuit(count: int) -> None:
    import random

    from django.utils import timezone as tz

    from himaya.accounts.models import Organisation, User
    from himaya.cases.models import Case, Task
    from himaya.children.matching import search_keys
    from himaya.children.matching_testdata import FAMILY_NAMES, FIRST_NAMES, render
    from himaya.children.models import Child, ChildNameKey
    from himaya.children.selectors import identity_of
    from himaya.core.models import Province

    rng = random.Random(20261122)
    provinces = list(Province.objects.values_list("code", flat=True))
    capes = {o.province_id: o for o in Organisation.objects.filter(type="cape")}
    fallback = Organisation.objects.get(code="cape-sal")
    opener = User.objects.get(username="reception.sale")
    manager = User.objects.get(username="manager.sale")
    now = tz.now()
    for start in range(0, count, 5000):
        children, keys, cases = [], [], []
        for index in range(start, min(start + 5000, count)):
            first, family = rng.choice(FIRST_NAMES), rng.choice(FAMILY_NAMES)
            names = {"ar": ("", ""), "lat": ("", "")}
            for script in rng.choice((("ar",), ("lat",), ("ar", "lat"))):
                names[script] = render(first, family, script, rng)
            province = provinces[index % len(provinces)]
            children.append(Child(
                first_name_ar=names["ar"][0], last_name_ar=names["ar"][1], first_name_lat=names["lat"][0], last_name_lat=names["lat"][1],
                sex=first[2], province_id=province, organisation=capes.get(province, fallback),
            ))  # fmt: skip
        Child.objects.bulk_create(children)
        for child in children:
            keys += [
                ChildNameKey(child=child, key=k[:60])
                for k in search_keys(identity_of(child))
                if k.startswith("n:")
            ]
            cases.append(Case(
                number=f"B-{child.pk.hex[:16]}", child=child, province_id=child.province_id, organisation_id=child.organisation_id,
                case_manager=manager if child.province_id == "04.441" else None,
                stage=rng.choice(("reception", "assessment", "planning", "accompaniment", "follow_up")),
                t0=now, opened_at=now, opened_by=opener, triage_level=2, risk_level=rng.choice((1, 2, 3)),
            ))  # fmt: skip
        ChildNameKey.objects.bulk_create(keys, batch_size=5000)
        Case.objects.bulk_create(cases)
        Task.objects.bulk_create(
            [
                Task(
                    case=c,
                    kind=kind,
                    due_at=now + tz.timedelta(days=rng.randint(-10, 20)),
                    assignee=c.case_manager,
                )
                for c in cases
                for kind in ("first_contact", "case_plan")
            ],
            batch_size=5000,
        )


def _realistic_caseload() -> None:
    """`manager.bench`, a case manager of CAPE Salé, manages CASELOAD of the bench's Salé cases
    (manager.sale, who manages every one of them, is the worst case)."""
    from himaya.accounts.models import Membership, Organisation, User
    from himaya.cases.models import Case, Task

    user, created = User.objects.get_or_create(username="manager.bench")
    if created:
        cape = Organisation.objects.get(code="cape-sal")
        Membership.objects.create(
            user=user, organisation=cape, role="case_manager", scope="province",
            scope_province_id="04.441",
        )  # fmt: skip
    if Case.objects.filter(case_manager=user).exists():
        return
    ids = list(
        Case.objects.filter(province_id="04.441", number__startswith="B-")
        .order_by("id")
        .values_list("id", flat=True)[:CASELOAD]
    )
    Case.objects.filter(id__in=ids).update(case_manager=user)
    Task.objects.filter(case_id__in=ids).update(assignee=user)


def _duplicate_search_latency(user) -> dict:
    import random
    import statistics

    from himaya.children.matching import ChildIdentity
    from himaya.children.matching_testdata import FAMILY_NAMES, FIRST_NAMES, render
    from himaya.children.selectors import children_match_candidates

    rng = random.Random(7)
    samples = []
    for _ in range(40):
        first, family = rng.choice(FIRST_NAMES), rng.choice(FAMILY_NAMES)
        latin = render(first, family, "lat", rng)
        identity = ChildIdentity(first_name_lat=latin[0], last_name_lat=latin[1], sex=first[2])
        started = time.perf_counter()
        children_match_candidates(user, identity)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "duplicate_search_median_ms": round(statistics.median(samples), 1),
        "duplicate_search_p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1),
    }


def _report_create_latency() -> dict:
    from datetime import timedelta

    from django.utils import timezone as tz

    from himaya.accounts.models import User
    from himaya.cases import services
    from himaya.core.models import Province

    reception = User.objects.get(username="reception.sale")
    sale = Province.objects.get(pk="04.441")
    timings = []
    for index in range(20):
        started = time.perf_counter()
        services.report_create(
            actor=reception,
            data=services.ReportInput(
                received_at=tz.now() - timedelta(minutes=5), channel="onde_2511_line", province=sale, narrative="bench",
                concerns=["VPH.FAM"], immediate_danger_flags=["A1"] if index % 2 else [],
                children=[services.ChildInput(first_name_lat=f"Bench{index}", last_name_lat="Report", sex="male", estimated_age=10)],
            ),
        )  # fmt: skip
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "report_create_median_ms": round(timings[len(timings) // 2], 1),
        "report_create_max_ms": round(timings[-1], 1),
    }


if __name__ == "__main__":
    main()
