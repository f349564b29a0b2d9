"""Permission-matrix rows for the placements app's routes (merged by
accounts/tests/test_permission_matrix.py): name → (method, args builder, status per persona).

Empty POSTs: 400 where the caller may work on the Salé case (the form is invalid), 403 in
scope without the right (the evaluator is not assigned to it; other roles cannot work on
cases), 404 outside the territory."""

from datetime import date

from himaya.accounts.testing import LOGIN, only

SALE_CASE_WORK = {
    "reception_sale": 400,
    "manager_sale": 400,
    "evaluator_sale": 403,
    "supervisor_sale": 400,
    "manager_tanger": 404,
}


def _with_arrangement(p):
    from himaya.placements.models import CareArrangement

    case = p.cases["sale"]
    arrangement = CareArrangement.objects.filter(case=case).first() or CareArrangement.objects.create(
        case=case, child=case.child, care_type="kinship", legal_basis="family_agreement",
        start_date=date(2026, 1, 5), recorded_by=p.users["manager_sale"],
    )  # fmt: skip
    return [case.pk, arrangement.pk]


MATRIX: dict = {
    "placements:open": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(SALE_CASE_WORK, others=403, anonymous=LOGIN),
    ),
    "placements:end": (
        "post",
        _with_arrangement,
        only(SALE_CASE_WORK, others=403, anonymous=LOGIN),
    ),
    "placements:event": (
        "post",
        _with_arrangement,
        only(SALE_CASE_WORK, others=403, anonymous=LOGIN),
    ),
    "placements:review": (
        "post",
        _with_arrangement,
        only(SALE_CASE_WORK, others=403, anonymous=LOGIN),
    ),
}

# API: an empty body is a 400 once the caller reaches the case (the service then checks the
# right to work on it: the judicial liaison reaches it but cannot act → 403 on a valid body).
API_SALE = {**SALE_CASE_WORK, "judicial_sale": 403}
MATRIX.update(
    {
        "api-case-care-arrangements": (
            "get",
            lambda p: [p.cases["sale"].pk],
            only(
                {
                    "reception_sale": 200,
                    "manager_sale": 200,
                    "evaluator_sale": 403,
                    "supervisor_sale": 200,
                    "manager_tanger": 404,
                },
                others=403,
                anonymous=401,
            ),
        ),
        "api-care-arrangement-end": (
            "post",
            lambda p: _with_arrangement(p)[1:],
            only(API_SALE, others=403, anonymous=401),
        ),
        "api-care-arrangement-events": (
            "post",
            lambda p: _with_arrangement(p)[1:],
            only(API_SALE, others=403, anonymous=401),
        ),
        "api-care-arrangement-reviews": (
            "post",
            lambda p: _with_arrangement(p)[1:],
            only(API_SALE, others=403, anonymous=401),
        ),
    }
)
