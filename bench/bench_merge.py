"""Merge benchmark: `python bench/bench_merge.py` (SQLite, throw-away var/bench_merge.sqlite3)
or with `DATABASE_URL=postgres://.../<new empty database>`.

With BENCH_CHILDREN children on file (default 100,000, spread over the 83 territories, names
from the synthetic pool of `matching_testdata`, so common names collide as in life), measures:
- the supervisor's likely-duplicates list (`child_duplicate_pairs`): time and number of
  queries for the first page and a deep keyset page of 100 records examined, pairs found;
- `child_merge` and `child_unmerge` through the real services (locks, re-pointing, aliases,
  re-indexing, timeline, audit), median and max over BENCH_MERGES pairs;
- the search by a merged name (the alias) afterwards.
Writes bench/results/<date>-<commit>-<vendor>-merge.json.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.machine import boot, fresh_database, machine_info

boot("bench_merge")

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

CHILDREN = int(os.environ.get("BENCH_CHILDREN", "100000"))
MERGES = int(os.environ.get("BENCH_MERGES", "30"))


def _timed(fn) -> tuple[float, int, object]:
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = fn()
        elapsed = (time.perf_counter() - started) * 1000
    return round(elapsed, 1), len(queries), result


def main() -> None:
    fresh_database()
    from bench.run import _fill_circuit
    from himaya.accounts.models import User
    from himaya.children import selectors, services

    _fill_circuit(CHILDREN)
    from django.urls import reverse

    reverse("home")  # import the URL conf now: its first load is not a merge's cost
    supervisor = User.objects.get(username="supervisor.sale")
    results: dict = {
        "machine": {**machine_info(), "database": connection.vendor},
        "children_on_file": CHILDREN,
        "children_in_supervisor_scope": selectors.children_visible_to(supervisor).count(),
    }
    selectors.child_duplicate_pairs(supervisor)  # warm caches
    ms, queries, first = _timed(lambda: selectors.child_duplicate_pairs(supervisor))
    results["duplicates_first_page"] = {"ms": ms, "queries": queries, "pairs": len(first.pairs)}
    page, pages, cursor = first, 1, ""
    while page.next_cursor and pages < 6:
        cursor = page.next_cursor
        page = selectors.child_duplicate_pairs(supervisor, cursor=cursor)
        pages += 1
    ms, queries, deep = _timed(lambda: selectors.child_duplicate_pairs(supervisor, cursor=cursor))
    results["duplicates_deep_page"] = {
        "page": pages, "ms": ms, "queries": queries, "pairs": len(deep.pairs),
    }  # fmt: skip

    merged, unmerged, done = [], [], []
    reset_queries()
    for pair in first.pairs + deep.pairs:
        if len(done) >= MERGES:
            break
        survivor, duplicate = pair["candidate"], pair["child"]
        if {survivor.pk, duplicate.pk} & {pk for d in done for pk in d}:
            continue
        started = time.perf_counter()
        services.child_merge(
            actor=supervisor, survivor_id=survivor.pk, duplicate_id=duplicate.pk,
            reason="Benchmark: same child registered twice.",
        )  # fmt: skip
        merged.append((time.perf_counter() - started) * 1000)
        done.append((survivor.pk, duplicate.pk))
    survivor_id, duplicate_id = done[0]
    from himaya.children.models import Child

    gone = Child.objects.get(pk=duplicate_id)
    query = " ".join(
        filter(
            None,
            [gone.first_name_lat or gone.first_name_ar, gone.last_name_lat or gone.last_name_ar],
        )
    )
    ms, queries, found = _timed(lambda: selectors.children_search_minimal(supervisor, query))
    results["search_by_merged_name"] = {
        "ms": ms, "queries": queries, "survivor_found": survivor_id in {r["child"].pk for r in found},
    }  # fmt: skip
    for survivor_id, duplicate_id in done:
        started = time.perf_counter()
        services.child_unmerge(
            actor=supervisor, survivor_id=survivor_id, duplicate_id=duplicate_id,
            reason="Benchmark: undone.",
        )  # fmt: skip
        unmerged.append((time.perf_counter() - started) * 1000)
    results["merge_ms"] = {"n": len(merged), "median": round(statistics.median(merged), 1), "max": round(max(merged), 1)}  # fmt: skip
    results["unmerge_ms"] = {"n": len(unmerged), "median": round(statistics.median(unmerged), 1), "max": round(max(unmerged), 1)}  # fmt: skip

    out = ROOT / "bench" / "results" / (
        f"{time.strftime('%Y-%m-%d')}-{results['machine']['commit']}-{connection.vendor}-merge.json"
    )  # fmt: skip
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
