"""Himaya benchmarks: `make bench` (SQLite) or `DATABASE_URL=postgres://... make bench`.

Measures, on a throw-away database, the figures that matter for access control and audit:
- audit_record throughput (events/s) — every read and write of a child's record pays it;
- audit_verify throughput and peak Python memory — it must walk a million rows in bounded memory;
- the scoped child list (first page and a deep keyset page) with many children on file.
Results are written to bench/results/<date>-<commit>-<vendor>.json with the machine they ran on.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
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

EVENTS = int(os.environ.get("BENCH_EVENTS", "20000"))
CHILDREN = int(os.environ.get("BENCH_CHILDREN", "100000"))


def _machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "commit": commit,
        "database": connection.vendor,
    }


def main() -> None:
    if connection.vendor == "postgresql":
        # Never run against a database with data in it: the benchmark owns a fresh schema.
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", password="bench-password-0123", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from himaya.accounts.models import User
    from himaya.accounts.permissions import Perm
    from himaya.audit.services import audit_chain_verify, audit_record
    from himaya.children.models import Child
    from himaya.children.selectors import children_visible_to

    results: dict = {"machine": _machine(), "events": EVENTS, "children": CHILDREN}
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

    # Many children on file, spread over the 83 territories; Salé's CAPE holds its share.
    from himaya.accounts.models import Organisation
    from himaya.core.models import Province

    provinces = list(Province.objects.values_list("code", flat=True))
    capes = {o.province_id: o for o in Organisation.objects.filter(type="cape")}
    fallback = Organisation.objects.get(code="cape-sal")
    batch = []
    for index in range(CHILDREN):
        province = provinces[index % len(provinces)]
        batch.append(
            Child(
                first_name_lat=f"Child{index}",
                sex="female" if index % 2 else "male",
                province_id=province,
                organisation=capes.get(province, fallback),
            )
        )
        if len(batch) == 5000:
            Child.objects.bulk_create(batch)
            batch = []
    Child.objects.bulk_create(batch)
    supervisor = User.objects.get(username="supervisor.sale")

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

    pivot = (
        children_visible_to(supervisor, Perm.CHILD_VIEW_SUMMARY)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[600]
    )

    def deep_page():
        return list(
            children_visible_to(supervisor, Perm.CHILD_VIEW_SUMMARY)
            .filter(created_at__lt=pivot)
            .order_by("-created_at")[:50]
        )

    results["child_list_first_page_ms"] = timed(first_page)
    results["child_list_deep_page_ms"] = timed(deep_page)
    results["children_on_file"] = Child.objects.count()

    out = (
        ROOT
        / "bench"
        / "results"
        / f"{time.strftime('%Y-%m-%d')}-{results['machine']['commit']}-{connection.vendor}.json"
    )
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
