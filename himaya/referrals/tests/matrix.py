"""Permission-matrix rows for the referrals app's routes (merged by
accounts/tests/test_permission_matrix.py): name → (method, args builder, status per persona).

The provider persona (hospital unit of Salé) reaches the inbox, the packet and the answers of
referrals addressed to its organisation; the case team reaches the referrals of the cases it
may open in full; for everyone else a referral does not exist (404) or the route is not theirs
(403)."""

from himaya.accounts.testing import LOGIN, only


def referral(p):
    """A referral of Salé's case to the Salé hospital unit, sent by its case manager."""
    from himaya.directory.testing import build_directory
    from himaya.referrals.services import referral_send

    if not hasattr(p, "institutions"):
        p.institutions = build_directory(p)
    case = p.cases["sale"]
    type(case).objects.filter(pk=case.pk).update(stage="planning")
    return referral_send(
        actor=p.manager_sale,
        case_id=case.pk,
        institution_id=p.institutions["hospital_sale"].pk,
        service="health",
        note="matrix",
    )


def sale_case(p):
    return [p.cases["sale"].pk]


PROVIDER_ONLY_PAGE = {"provider_hospital_sale": 200}
# Who sees the referral: its provider (the packet) and the case team that may open the case.
REFERRAL_SEEN = {
    "provider_hospital_sale": 200,
    "reception_sale": 200,
    "manager_sale": 200,
    "supervisor_sale": 200,
}
CASE_TEAM_POST = {
    "reception_sale": 400,
    "manager_sale": 400,
    "evaluator_sale": 404,  # holds case work, but not on this case: it does not exist for them
    "supervisor_sale": 400,
    "manager_tanger": 404,
}
CASE_FULL = {
    "reception_sale": 200,
    "manager_sale": 200,
    "evaluator_sale": 403,
    "supervisor_sale": 200,
    "manager_tanger": 404,
}
CASE_VIEWERS = dict.fromkeys(
    ("reception_sale", "manager_sale", "evaluator_sale", "supervisor_sale", "manager_tanger"), 200
)

MATRIX: dict = {
    "referrals:inbox": ("get", None, only(PROVIDER_ONLY_PAGE, others=403, anonymous=LOGIN)),
    "referrals:outgoing": ("get", None, only(CASE_VIEWERS, others=403, anonymous=LOGIN)),
    "referrals:new": ("get", sale_case, only(CASE_FULL, others=403, anonymous=LOGIN)),
    "referrals:detail": (
        "get",
        lambda p: [referral(p).pk],
        only(REFERRAL_SEEN, others=404, anonymous=LOGIN),
    ),
    "referrals:accept": (
        "post",
        lambda p: [referral(p).pk],
        only({"provider_hospital_sale": 302}, others=403, anonymous=LOGIN),
    ),
    "referrals:decline": (
        "post",
        lambda p: [referral(p).pk],
        only({"provider_hospital_sale": 400}, others=403, anonymous=LOGIN),
    ),
    "referrals:complete": (
        "post",
        lambda p: [referral(p).pk],
        only({"provider_hospital_sale": 400}, others=403, anonymous=LOGIN),
    ),
    "referrals:cancel": (
        "post",
        lambda p: [referral(p).pk],
        only(CASE_TEAM_POST, others=403, anonymous=LOGIN),
    ),
    "api-case-referrals": (
        "post",
        sale_case,
        only(
            {
                "reception_sale": 400,
                "manager_sale": 400,
                "evaluator_sale": 403,
                "supervisor_sale": 400,
                "manager_tanger": 404,
            },
            others=403,
            anonymous=401,
        ),
    ),
    "api-referrals": (
        "get",
        None,
        only({**CASE_VIEWERS, "provider_hospital_sale": 200}, others=403, anonymous=401),
    ),
    "api-referral": (
        "get",
        lambda p: [referral(p).pk],
        only(REFERRAL_SEEN, others=404, anonymous=401),
    ),
    "api-referral-accept": (
        "post",
        lambda p: [referral(p).pk],
        only({"provider_hospital_sale": 200}, others=403, anonymous=401),
    ),
    "api-referral-decline": (
        "post",
        lambda p: [referral(p).pk],
        only({"provider_hospital_sale": 400}, others=403, anonymous=401),
    ),
    "api-referral-complete": (
        "post",
        lambda p: [referral(p).pk],
        only({"provider_hospital_sale": 400}, others=403, anonymous=401),
    ),
    "api-referral-cancel": (
        "post",
        lambda p: [referral(p).pk],
        only(CASE_TEAM_POST, others=403, anonymous=401),
    ),
}
