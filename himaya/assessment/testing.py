"""Helpers for tests of any app that need a case assessed with the instrument in force."""

from __future__ import annotations

from himaya.assessment.services import AssessmentInput, assessment_record

# Scores of GESD-MA v0.1 giving each level (worked examples of assessment.md §10: E8, E4, E2;
# level 0 is "no harm, no need").
SCORES_FOR_LEVEL = {
    0: {"D1": 0, "D2": 0, "D3": 1, "D4": 0, "D5": 0, "D6": 0, "D7": 0},
    1: {"D1": 1, "D2": 1, "D3": 1, "D4": 1, "D5": 1, "D6": 1, "D7": 1},
    2: {"D1": 2, "D2": 1, "D3": 1, "D4": 1, "D5": 2, "D6": 1, "D7": 1},
    3: {"D1": 3, "D2": 0, "D3": 2, "D4": 0, "D5": 0, "D6": 1, "D7": 0},
}


def assess(actor, case, level: int, *, kind: str = "full", **extra):
    """Record an assessment of `case` whose computed level is `level` (GESD-MA v0.1)."""
    return assessment_record(
        actor=actor,
        case_id=getattr(case, "pk", case),
        data=AssessmentInput(
            instrument="GESD-MA", kind=kind, scores=dict(SCORES_FOR_LEVEL[level]), **extra
        ),
    )
