"""Demo data of the assessment app: the instruments, and a reassessment history on the demo
cases that are past planning, with one lowered level waiting for the Salé supervisor.

The full assessment of each demo case is recorded by `cases/demo.py` as it moves the case
along the circuit. Idempotent: a case that already has a reassessment is left alone."""

from __future__ import annotations

from django.core.management import call_command

from himaya.assessment.models import Assessment
from himaya.assessment.testing import assess
from himaya.cases.models import Case
from himaya.core.demo import DemoContext


def seed(ctx: DemoContext) -> None:
    call_command("load_instruments", verbosity=0)
    cases = (
        Case.objects.filter(
            stage__in=["accompaniment", "follow_up"],
            reports__external_reference__startswith="DEMO-",
        )
        .select_related("case_manager", "evaluator", "province")
        .distinct()
        .order_by("number")
    )
    added = 0
    for case in cases:
        if case.assessments.exclude(kind="full").exists() or not case.evaluator:
            continue
        # A worsening after a runaway, then an improvement.
        assess(case.evaluator, case, 3, kind="reassessment", child_views="A fugué du foyer.")
        assess(case.evaluator, case, 2, kind="reassessment", caregiver_views="La mère collabore.")
        added += 2
        if case.stage == "accompaniment" and case.province_id == "04.441":
            # The case manager asks to lower the level: waits for supervisor.sale.
            assess(
                case.case_manager, case, 2, kind="reassessment", level_final=1,
                override_reason="L'oncle auteur des violences a quitté le pays (démonstration).",
            )  # fmt: skip
            added += 1
    pending = Assessment.objects.filter(override_status="pending").count()
    ctx.stdout.write(
        f"Demo assessments: {added} reassessments added; {pending} lowered level(s) waiting for approval."
    )
