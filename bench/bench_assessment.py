"""Assessment benchmark: `python bench/bench_assessment.py [--rounds N] [--posts N] [--out FILE]`.

- Scoring engine throughput (pure, no database): the data-driven rules of GESD-MA v0.1 over
  all 16,384 combinations of D1–D7, `--rounds` times, with the answer check
  (`validate_answers`) and without.
- The assessment POST (`POST /api/v1/cases/{id}/assessments/`) end to end through the API
  client: authentication, scope, validation, the rules, the record, the case's level, its
  tasks and deadlines, the timeline and the audit events — on `--posts` cases of a throw-away
  database (SQLite `var/bench_assessment.sqlite3`, or an empty PostgreSQL database named by
  DATABASE_URL); also the htmx preview of the form.
Prints JSON with the machine and commit; `--out FILE` also writes it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
if "DATABASE_URL" not in os.environ:
    os.environ["SQLITE_PATH"] = str(ROOT / "var" / "bench_assessment.sqlite3")
    Path(os.environ["SQLITE_PATH"]).unlink(missing_ok=True)

import django

django.setup()

from django.core.management import call_command
from django.db import connection

from bench.machine import machine_info
from himaya.assessment import engine
from himaya.assessment.loader import INSTRUMENTS_DIR, read_instrument

DIMS = [f"D{i}" for i in range(1, 8)]


def bench_engine(rounds: int) -> dict:
    definition = read_instrument(INSTRUMENTS_DIR / "GESD-MA-0.1.yaml").definition
    inputs = [
        dict(zip(DIMS, combo, strict=True)) for combo in itertools.product(range(4), repeat=7)
    ]
    start = time.perf_counter()
    for _ in range(rounds):
        for scores in inputs:
            engine.evaluate(definition, (), scores)
    evaluate_s = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(rounds):
        for scores in inputs:
            engine.validate_answers(definition, (), scores)
            engine.evaluate(definition, (), scores)
    checked_s = time.perf_counter() - start
    count = rounds * len(inputs)
    return {
        "engine_evaluations": count,
        "engine_evaluate_per_s": round(count / evaluate_s),
        "engine_evaluate_us": round(evaluate_s / count * 1e6, 2),
        "engine_validate_and_evaluate_per_s": round(count / checked_s),
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bench_post(posts: int) -> dict:
    if (
        connection.vendor == "postgresql"
        and "django_migrations" in connection.introspection.table_names()
    ):
        raise SystemExit("bench: DATABASE_URL must name a new, empty database.")
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    call_command("load_instruments", verbosity=0)
    from django.test import Client
    from django.utils import timezone
    from rest_framework.test import APIClient

    from himaya.accounts.testing import build_personas, sign_in
    from himaya.cases.models import Case

    personas = build_personas()
    manager = personas.manager_sale
    template = personas.cases["sale"]
    now = timezone.now()
    cases = [
        Case.objects.create(
            number=f"SAL-2001-{index:06d}",
            child=template.child,
            province_id=template.province_id,
            organisation=template.organisation,
            case_manager=manager,
            stage="assessment",
            t0=now,
            opened_at=now,
            opened_by=personas.reception_sale,
            triage_level=2,
            risk_level=2,
        )
        for index in range(posts)
    ]
    client = APIClient()
    sign_in(client, manager)
    body = {
        "instrument": "GESD-MA", "kind": "initial", "flags": [],
        "scores": {"D1": 2, "D2": 1, "D3": 1, "D4": 1, "D5": 2, "D6": 1, "D7": 1},
        "child_views": "Veut rester chez sa mère.",
    }  # fmt: skip
    timings = []
    for case in cases:
        start = time.perf_counter()
        response = client.post(f"/api/v1/cases/{case.pk}/assessments/", body, format="json")
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 201, response.content[:300]
    page = Client()
    sign_in(page, manager)
    form = {"kind": "full", **{f"score_{d}": str(v) for d, v in body["scores"].items()}}
    previews = []
    for case in cases[:50]:
        start = time.perf_counter()
        response = page.post(f"/assessments/case/{case.pk}/preview/", form)
        previews.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return {
        "assessment_posts": posts,
        "assessment_post_median_ms": round(statistics.median(timings), 1),
        "assessment_post_p95_ms": round(_percentile(timings, 0.95), 1),
        "assessment_preview_median_ms": round(statistics.median(previews), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--out")
    args = parser.parse_args()
    figures = {**bench_engine(args.rounds), **bench_post(args.posts)}
    result = {"machine": {**machine_info(), "database": connection.vendor}, "figures": figures}
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
