"""Directory and referrals benchmark: `python bench/bench_directory.py [--out FILE]`.

On a throw-away SQLite file (or `DATABASE_URL`, which must name an empty database), after
`seed_demo`, adds BENCH_INSTITUTIONS institutions across the 83 territories (random
coordinates inside Morocco's bounding box, 1 to 4 services, a capacity for a third of them)
and BENCH_REFERRALS referrals (a tenth of them addressed to the Salé hospital unit, a quarter
in Salé), then measures:
- `suggest_institutions` for a need in Salé (region 04: its share of the institutions);
- GET /api/v1/institutions/?service=&has_capacity=true (first page of 50);
- the provider's inbox (GET /api/v1/referrals/?direction=incoming, first page of 50);
- the provincial diagnostic of Salé (all its referrals of the year);
- sending a referral through the real service (packet, plan action, timeline, audit).
Prints JSON; `--out FILE` also writes it (default bench/results/<date>-<commit>-directory-<db>.json).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.machine import boot, fresh_database, machine_info

boot("bench-directory")

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

INSTITUTIONS = int(os.environ.get("BENCH_INSTITUTIONS", "5000"))
REFERRALS = int(os.environ.get("BENCH_REFERRALS", "50000"))


def _timed(function, repeat: int) -> dict:
    """Median and max of `repeat` runs, after one warm-up run (imports, code-list cache, the
    first request of the process), which is not counted."""
    function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        if hasattr(result, "status_code"):
            assert result.status_code == 200, result.status_code
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "max_ms": round(max(samples), 2),
        "runs": repeat,
    }


def main() -> dict:
    fresh_database()
    from rest_framework.test import APIClient

    settings.ALLOWED_HOSTS.append("testserver")  # the test client's host

    from himaya.accounts.models import User
    from himaya.accounts.testing import sign_in
    from himaya.cases.models import Case, PlanAction
    from himaya.core.models import Province
    from himaya.directory.diagnostic import build_diagnostic
    from himaya.directory.models import Institution, Service
    from himaya.directory.selectors import suggest_institutions
    from himaya.referrals import services as referral_services
    from himaya.referrals.models import Referral

    rng = random.Random(2026)
    provinces = list(Province.objects.values_list("code", flat=True))
    service_codes = list(Service.objects.values_list("code", flat=True))
    rows = []
    for i in range(INSTITUTIONS):
        capacity = rng.choice([None, None, rng.randint(5, 80)])
        rows.append(
            Institution(
                code=f"bench-{i:06d}",
                name_fr=f"Institution {i}",
                name_ar=f"مؤسسة {i}",
                type=rng.choice(
                    ["association", "eps", "hospital_unit", "upe", "school_listening_cell"]
                ),
                province_id=rng.choice(provinces),
                latitude=rng.uniform(27.6, 35.9),
                longitude=rng.uniform(-13.2, -1.0),
                capacity=capacity,
                occupancy=rng.randint(0, capacity) if capacity else 0,
            )
        )
    Institution.objects.bulk_create(rows, batch_size=1000)
    through = Institution.services.through
    links = []
    for inst in Institution.objects.filter(code__startswith="bench-").only("pk"):
        for code in rng.sample(service_codes, rng.randint(1, 4)):
            links.append(through(institution_id=inst.pk, service_id=code))
    through.objects.bulk_create(links, batch_size=2000)

    hospital = Institution.objects.get(code="sal-hospital")
    template = Referral.objects.filter(institution=hospital).select_related("case").first()
    cases = list(Case.objects.exclude(stage="closed").values_list("pk", "province_id")[:40])
    action_by_case = {}
    for case_id, _province in cases:
        action_by_case[case_id] = PlanAction.objects.create(
            case_id=case_id, goal="bench", service="health", due_on=timezone.localdate(), created_by=template.sent_by
        ).pk  # fmt: skip
    now = timezone.now()
    institutions = list(Institution.objects.values_list("pk", "organisation_id"))
    bulk = []
    for i in range(REFERRALS):
        case_id, _ = rng.choice(cases)
        to_hospital = i % 10 == 0
        inst_id, org_id = (
            (hospital.pk, hospital.organisation_id) if to_hospital else rng.choice(institutions)
        )
        sent = now - timedelta(days=rng.uniform(0, 360))
        status = rng.choice(
            ["sent", "accepted", "completed", "refused", "service_unavailable", "cancelled"]
        )
        responded = sent + timedelta(days=rng.uniform(0.1, 5)) if status != "sent" else None
        bulk.append(
            Referral(
                case_id=case_id,
                plan_action_id=action_by_case[case_id],
                service=rng.choice(service_codes),
                institution_id=inst_id,
                provider_organisation_id=org_id or hospital.organisation_id,
                province_id="04.441" if i % 4 == 0 else rng.choice(provinces),
                status=status,
                sent_at=sent,
                sent_by=template.sent_by,
                due_on=(sent + timedelta(days=30)).date(),
                respond_by=sent + timedelta(days=3),
                packet=template.packet,
                responded_at=responded,
                completed_at=responded + timedelta(days=3) if status == "completed" else None,
                closed_at=responded if status not in ("sent", "accepted") else None,
            )
        )
    Referral.objects.bulk_create(bulk, batch_size=1000)

    sale = Province.objects.get(pk="04.441")
    origin = (34.0531, -6.7985)
    provider = sign_in(APIClient(), User.objects.get(username="provider.hospital.sale"))
    manager = sign_in(APIClient(), User.objects.get(username="manager.sale"))
    figures = {
        "suggest_institutions_sale_shelter": _timed(
            lambda: suggest_institutions(service="shelter", province=sale, origin=origin), 20
        ),
        "api_institutions_service_has_capacity": _timed(
            lambda: manager.get("/api/v1/institutions/?service=health&has_capacity=true"), 20
        ),
        "api_provider_inbox_first_page": _timed(
            lambda: provider.get("/api/v1/referrals/?direction=incoming"), 20
        ),
        "api_outgoing_first_page": _timed(
            lambda: manager.get("/api/v1/referrals/?direction=outgoing"), 20
        ),
        "diagnostic_sale_one_year": _timed(lambda: build_diagnostic(sale), 5),
    }
    manager_user = User.objects.get(username="manager.sale")
    planning = Case.objects.filter(province_id="04.441", case_manager=manager_user).exclude(stage="closed").exclude(
        stage__in=["reception", "assessment"]
    ).first()  # fmt: skip
    institution_ids = list(
        Institution.objects.filter(province__region_id="04", services__code="mental_health", active=True)
        .exclude(organisation__isnull=True)
        .exclude(referrals__case=planning)  # already referred: a second one is refused (409)
        .values_list("pk", flat=True)[:50]
    )  # fmt: skip

    def send():
        with transaction.atomic():
            referral_services.referral_send(
                actor=manager_user, case_id=planning.pk, institution_id=rng.choice(institution_ids),
                service="mental_health", note="bench",
            )  # fmt: skip
            transaction.set_rollback(True)

    figures["referral_send"] = _timed(send, 20)
    return {
        "machine": {**machine_info(), "database": connection.vendor},
        "sizes": {
            "institutions": Institution.objects.count(),
            "referrals": Referral.objects.count(),
            "salé_hospital_inbox": Referral.objects.filter(institution=hospital).count(),
            "salé_referrals": Referral.objects.filter(province_id="04.441").count(),
        },
        "figures": figures,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--out")
    args = parser.parse_args()
    result = main()
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    out = args.out or str(
        ROOT / "bench" / "results"
        / f"{timezone.localdate().isoformat()}-{result['machine']['commit']}-directory-{result['machine']['database']}.json"
    )  # fmt: skip
    Path(out).write_text(text + "\n", encoding="utf-8")
