"""Permission-matrix rows for the assessment app's routes (merged by
accounts/tests/test_permission_matrix.py): name → (method, args builder, status per persona)."""

from himaya.accounts.testing import LOGIN, expect, only


def _assessment(p):
    """A pending lowered level on the Salé case, recorded by its case manager."""
    from himaya.assessment.models import Assessment
    from himaya.assessment.testing import assess

    existing = Assessment.objects.filter(case=p.cases["sale"]).first()
    if existing is None:
        existing = assess(
            p.manager_sale, p.cases["sale"], 2, level_final=1,
            override_reason="L'oncle a quitté le pays.",
        )  # fmt: skip
    return [existing.pk]


# Who may record an assessment on the Salé case (its case manager, the supervisor); the
# evaluator is not assigned to it (403), Tanger's manager does not see it (404).
RECORD = {"manager_sale": 400, "supervisor_sale": 400, "manager_tanger": 404}
READ = {"reception_sale": 200, "manager_sale": 200, "supervisor_sale": 200, "manager_tanger": 404}

MATRIX: dict = {
    "assessment:pending": (
        "get",
        None,
        only({"supervisor_sale": 200}, others=403, anonymous=LOGIN),
    ),
    "assessment:new": (
        "get",
        lambda p: [p.cases["sale"].pk],
        only({**RECORD, "manager_sale": 200, "supervisor_sale": 200}, others=403, anonymous=LOGIN),
    ),
    "assessment:preview": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only({**RECORD, "manager_sale": 200, "supervisor_sale": 200}, others=403, anonymous=LOGIN),
    ),
    "assessment:detail": ("get", _assessment, only(READ, others=403, anonymous=LOGIN)),
    # An empty decision is invalid input (400) for the supervisor who may decide.
    "assessment:decide": (
        "post",
        _assessment,
        only({"supervisor_sale": 400}, others=403, anonymous=LOGIN),
    ),
    "api-instruments": ("get", None, expect(200, 401)),
    "api-case-assessments": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(RECORD, others=403, anonymous=401),
    ),
    "api-assessment": ("get", _assessment, only(READ, others=403, anonymous=401)),
    "api-assessment-approve": (
        "post",
        _assessment,
        only({"supervisor_sale": 200}, others=403, anonymous=401),
    ),
    "api-assessment-reject": (
        "post",
        _assessment,
        only({"supervisor_sale": 400}, others=403, anonymous=401),
    ),
}
