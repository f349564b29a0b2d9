"""Permission-matrix rows for the indicators app's routes (merged by
accounts/tests/test_permission_matrix.py): name → (method, args builder, status per persona)."""

import uuid

from himaya.accounts.testing import LOGIN, only

# Figures: the supervisor (exact) and the committee member (suppressed) hold the aggregates.
AGGREGATES = {"supervisor_sale": 200, "cppe_sale": 200}
NO_JOB = lambda p: [uuid.UUID(int=7)]  # noqa: E731 — someone else's or no job: 404

MATRIX: dict = {
    "indicators:dashboard": ("get", None, only(AGGREGATES, others=403, anonymous=LOGIN)),
    "indicators:delays": ("get", None, only(AGGREGATES, others=403, anonymous=LOGIN)),
    # case records: never for aggregate-only roles
    "indicators:cape": ("get", None, only({"supervisor_sale": 200}, others=403, anonymous=LOGIN)),
    "indicators:export": ("get", None, only(AGGREGATES, others=403, anonymous=LOGIN)),
    "indicators:export_job": (
        "get",
        NO_JOB,
        only({"supervisor_sale": 404, "cppe_sale": 404}, others=403, anonymous=LOGIN),
    ),
    "indicators:export_download": (
        "get",
        NO_JOB,
        only({"supervisor_sale": 404, "cppe_sale": 404}, others=403, anonymous=LOGIN),
    ),
    "indicators:programme": ("get", None, only({"admin": 200}, others=403, anonymous=LOGIN)),
    "api-indicators": ("get", None, only(AGGREGATES, others=403, anonymous=401)),
    # no period given: 400 naming it, for those who may read figures
    "api-indicator": (
        "get",
        lambda p: ["IN01"],
        only({"supervisor_sale": 400, "cppe_sale": 400}, others=403, anonymous=401),
    ),
}
