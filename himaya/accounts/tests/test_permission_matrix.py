"""Every URL (pages and API) × every persona, with the status each must get (pretix's
test_permissions). A URL missing from MATRIX, or a view declaring no access requirement,
fails the suite: new views are default-deny until someone states who may reach them."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from himaya.accounts.access import declared_access
from himaya.accounts.testing import LOGIN, PERSONAS, app_matrices, expect, only, sign_in
from himaya.audit.models import BreakGlassAccess

CASE_SUMMARY = {
    "reception_sale": 200,
    "manager_sale": 200,
    "evaluator_sale": 200,
    "supervisor_sale": 200,
    "manager_tanger": 200,
    "judicial_sale": 200,
}
CASE_WORKERS = dict.fromkeys(
    ("reception_sale", "manager_sale", "evaluator_sale", "supervisor_sale", "manager_tanger"), 200
)
SALE_CHILD_FULL = {
    "reception_sale": 200,
    "manager_sale": 200,
    "evaluator_sale": 403,
    "supervisor_sale": 200,
    "manager_tanger": 404,
}

# Case-work POSTs with an empty body: 400 where the caller reaches the case, else 403/404.
SALE_CASE_WORK = {
    "reception_sale": 400,
    "manager_sale": 400,
    "evaluator_sale": 403,
    "supervisor_sale": 400,
    "manager_tanger": 404,
}
SALE_JUDICIAL = {
    "reception_sale": 400,
    "manager_sale": 400,
    "evaluator_sale": 400,
    "supervisor_sale": 400,
    "manager_tanger": 404,
    "judicial_sale": 400,
}

# name → (method, args builder, expected status per persona)
MATRIX = {
    "home": ("get", None, expect(200, 200)),
    "healthz": ("get", None, expect(200, 200)),
    "set_language": ("post", None, expect(302, 302)),
    "javascript-catalog": ("get", None, expect(200, 200)),
    "api-schema": ("get", None, expect(200, 200)),
    "api-docs": ("get", None, expect(200, 200)),
    "login": ("get", None, expect(200, 200)),
    "logout": ("post", None, expect(302, 302)),
    "two_factor_setup": ("get", None, expect(200, LOGIN)),
    "two_factor_verify": ("get", None, expect(302, 302)),
    "api-auth-token": ("post", None, expect(400, 400)),
    "api-auth-token-revoke": ("post", None, expect(401, 401)),
    "notifications": ("get", None, expect(200, LOGIN)),
    "accounts:organisations": (
        "get",
        None,
        only({"supervisor_sale": 200, "auditor": 200, "admin": 200}, others=403, anonymous=LOGIN),
    ),
    "accounts:organisation_create": (
        "get",
        None,
        only({"admin": 200}, others=403, anonymous=LOGIN),
    ),
    "accounts:organisation": (
        "get",
        lambda p: [p.orgs["cape_sale"].pk],
        only({"supervisor_sale": 200, "auditor": 200, "admin": 200}, others=403, anonymous=LOGIN),
    ),
    "accounts:users": (
        "get",
        None,
        only({"supervisor_sale": 200, "auditor": 200, "admin": 200}, others=403, anonymous=LOGIN),
    ),
    "accounts:user_create": ("get", None, only({"admin": 200}, others=403, anonymous=LOGIN)),
    "accounts:user": (
        "get",
        lambda p: [p.manager_sale.pk],
        only({"supervisor_sale": 200, "auditor": 200, "admin": 200}, others=403, anonymous=LOGIN),
    ),
    "accounts:membership_add": (
        "post",
        lambda p: [p.manager_sale.pk],
        only({"admin": 400}, others=403, anonymous=LOGIN),
    ),
    "accounts:membership_deactivate": (
        "get",
        lambda p: [p.manager_sale.memberships.get().pk],
        only({"admin": 405}, others=403, anonymous=LOGIN),
    ),
    "children:list": ("get", None, only(CASE_SUMMARY, others=403, anonymous=LOGIN)),
    "children:search": ("get", None, only(CASE_WORKERS, others=403, anonymous=LOGIN)),
    "children:detail": (
        "get",
        lambda p: [p.children["sale"].pk],
        only(SALE_CHILD_FULL, others=403, anonymous=LOGIN),
    ),
    "children:edit": (
        "get",
        lambda p: [p.children["sale"].pk],
        only(
            {
                "reception_sale": 200,
                "manager_sale": 200,
                "evaluator_sale": 403,
                "supervisor_sale": 200,
                "manager_tanger": 404,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "children:break_glass": (
        "get",
        lambda p: [p.children["sale"].pk],
        only({**CASE_WORKERS, "judicial_sale": 200}, others=403, anonymous=LOGIN),
    ),
    # Merge and unmerge (supervisor, DP-59/60). The pair [Salé, Tanger] is out of the Salé
    # supervisor's scope: 404 for the one who may merge, 403 for everyone else.
    "children:duplicates": (
        "get",
        None,
        only({"supervisor_sale": 200}, others=403, anonymous=LOGIN),
    ),
    "children:duplicates_of": (
        "get",
        lambda p: [p.children["sale"].pk],
        only({"supervisor_sale": 200}, others=403, anonymous=LOGIN),
    ),
    "children:merge": (
        "get",
        lambda p: [p.children["sale"].pk, p.children["tanger"].pk],
        only({"supervisor_sale": 404}, others=403, anonymous=LOGIN),
    ),
    "children:merge_request": (
        "get",
        lambda p: [p.children["sale"].pk],
        only({"manager_sale": 200, "manager_tanger": 404}, others=403, anonymous=LOGIN),
    ),
    "children:merge_request_decline": (
        "get",
        lambda p: ["00000000-0000-4000-8000-000000000000"],
        only({"supervisor_sale": 404}, others=403, anonymous=LOGIN),
    ),
    "children:unmerge": (
        "get",
        lambda p: [p.children["sale"].pk, p.children["tanger"].pk],
        only({"supervisor_sale": 404}, others=403, anonymous=LOGIN),
    ),
    "breakglass:list": ("get", None, expect(200, LOGIN)),
    "breakglass:detail": (
        "get",
        lambda p: [p.glass.pk],
        only(
            {"manager_tanger": 200, "supervisor_sale": 200, "auditor": 200},
            others=404,
            anonymous=LOGIN,
        ),
    ),
    "audit:events": ("get", None, only({"auditor": 200}, others=403, anonymous=LOGIN)),
    "audit:verify": ("get", None, only({"auditor": 200}, others=403, anonymous=LOGIN)),
    "api-audit": ("get", None, only({"auditor": 200}, others=403, anonymous=401)),
    "case_documents:document": (
        "get",
        lambda p: [p.cases["sale"].pk],
        only(
            {**CASE_SUMMARY, "manager_tanger": 404, "evaluator_sale": 200},
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "api-reports": (
        "post",
        None,
        only({"reception_sale": 400, "supervisor_sale": 400}, others=403, anonymous=401),
    ),
    "api-report": (
        "get",
        lambda p: ["00000000-0000-4000-8000-000000000000"],
        only(dict.fromkeys(CASE_SUMMARY, 404), others=403, anonymous=401),
    ),
    "api-children-match": (
        "post",
        None,
        only(dict.fromkeys(CASE_WORKERS, 400), others=403, anonymous=401),
    ),
    "api-cases": ("get", None, only(CASE_SUMMARY, others=403, anonymous=401)),
    "api-case": (
        "get",
        lambda p: [p.cases["sale"].pk],
        only(SALE_CHILD_FULL, others=403, anonymous=401),
    ),
    "api-case-timeline": (
        "get",
        lambda p: [p.cases["sale"].pk],
        only(SALE_CHILD_FULL, others=403, anonymous=401),
    ),
    "api-case-transitions": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(SALE_CASE_WORK, others=403, anonymous=401),
    ),
    "api-case-assign": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only({"reception_sale": 400, "supervisor_sale": 400}, others=403, anonymous=401),
    ),
    "api-case-judicial-reports": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(SALE_JUDICIAL, others=403, anonymous=401),
    ),
    "api-case-judicial-measures": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(SALE_JUDICIAL, others=403, anonymous=401),
    ),
    "api-case-judicial-waive": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only({"supervisor_sale": 400}, others=403, anonymous=401),
    ),
    "api-case-ls-reports": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(SALE_JUDICIAL, others=403, anonymous=401),
    ),
    "api-case-judicial-report-outcome": (
        "post",
        lambda p: [p.cases["sale"].pk, "00000000-0000-4000-8000-000000000000"],
        only(dict.fromkeys(SALE_JUDICIAL, 404), others=403, anonymous=401),
    ),
    "api-case-plan-actions": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(SALE_CASE_WORK, others=403, anonymous=401),
    ),
    "api-case-follow-ups": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(SALE_CASE_WORK, others=403, anonymous=401),
    ),
    "api-case-safety-actions": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(SALE_CASE_WORK, others=403, anonymous=401),
    ),
    "api-provinces": ("get", None, expect(200, 401)),
    "api-children": ("get", None, only(CASE_SUMMARY, others=403, anonymous=401)),
    "api-child": (
        "get",
        lambda p: [p.children["sale"].pk],
        only(SALE_CHILD_FULL, others=403, anonymous=401),
    ),
    "api-child-merges": (
        "get",
        lambda p: [p.children["sale"].pk],
        only(SALE_CHILD_FULL, others=403, anonymous=401),
    ),
    "api-child-merge": (
        "post",
        lambda p: [p.children["sale"].pk],
        only({"supervisor_sale": 400}, others=403, anonymous=401),
    ),
    "api-child-unmerge": (
        "post",
        lambda p: [p.children["sale"].pk],
        only({"supervisor_sale": 400}, others=403, anonymous=401),
    ),
    "api-child-merge-requests": (
        "post",
        lambda p: [p.children["sale"].pk],
        only({"manager_sale": 400, "manager_tanger": 404}, others=403, anonymous=401),
    ),
    "api-merge-requests": (
        "get",
        None,
        only({"supervisor_sale": 200}, others=403, anonymous=401),
    ),
    "api-merge-request-decline": (
        "post",
        lambda p: ["00000000-0000-4000-8000-000000000000"],
        only({"supervisor_sale": 400}, others=403, anonymous=401),
    ),
    "api-children-duplicates": (
        "get",
        None,
        only({"supervisor_sale": 200}, others=403, anonymous=401),
    ),
    # Case pages (himaya/cases/urls.py). Actions are POSTs; an empty POST is invalid input (400)
    # for those who may act, so a 403 or 404 here is the access answer, not the form's.
    "cases:list": ("get", None, only(CASE_SUMMARY, others=403, anonymous=LOGIN)),
    "cases:intake": (
        "get",
        None,
        only({"reception_sale": 200, "supervisor_sale": 200}, others=403, anonymous=LOGIN),
    ),
    "cases:intake_matches": (
        "get",
        None,
        only({"reception_sale": 200, "supervisor_sale": 200}, others=403, anonymous=LOGIN),
    ),
    "cases:intake_child": (
        "get",
        None,
        # Without the count of children already on the page, the fragment refuses (400).
        only({"reception_sale": 400, "supervisor_sale": 400}, others=403, anonymous=LOGIN),
    ),
    "cases:judicial_inbox": (
        "get",
        None,
        only(
            {
                "manager_sale": 200,
                "evaluator_sale": 200,
                "supervisor_sale": 200,
                "manager_tanger": 200,
                "judicial_sale": 200,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:judicial_case": (
        "get",
        lambda p: [p.cases["sale"].pk],
        only(
            {
                "manager_sale": 200,
                "evaluator_sale": 403,
                "supervisor_sale": 200,
                "manager_tanger": 404,
                "judicial_sale": 200,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:ls_report": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(
            {
                "reception_sale": 400,
                "manager_sale": 400,
                "supervisor_sale": 400,
                "manager_tanger": 404,
                "judicial_sale": 400,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:referral_outcome": (
        "post",
        lambda p: [p.cases["sale"].pk, "00000000-0000-4000-8000-000000000000"],
        only(
            {
                "reception_sale": 404,
                "manager_sale": 404,
                "supervisor_sale": 404,
                "manager_tanger": 404,
                "judicial_sale": 404,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:my_work": ("get", None, only(CASE_WORKERS, others=403, anonymous=LOGIN)),
    "cases:overdue": ("get", None, only({"supervisor_sale": 200}, others=403, anonymous=LOGIN)),
    "cases:detail": (
        "get",
        lambda p: [p.cases["sale"].pk],
        only(SALE_CHILD_FULL, others=403, anonymous=LOGIN),
    ),
    "cases:transition": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(
            {
                "reception_sale": 400,
                "manager_sale": 400,
                "supervisor_sale": 400,
                "manager_tanger": 404,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:assign": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only({"reception_sale": 400, "supervisor_sale": 400}, others=403, anonymous=LOGIN),
    ),
    "cases:safety_action": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(
            {
                "reception_sale": 400,
                "manager_sale": 400,
                "supervisor_sale": 400,
                "manager_tanger": 404,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:emergency_resolve": (
        "post",
        lambda p: [p.cases["sale"].pk],
        # No active emergency: the workflow refuses (message and redirect), nothing changes.
        only(
            {
                "reception_sale": 302,
                "manager_sale": 302,
                "supervisor_sale": 302,
                "manager_tanger": 404,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:judicial_report": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(
            {
                "reception_sale": 400,
                "manager_sale": 400,
                "supervisor_sale": 400,
                "manager_tanger": 404,
                "judicial_sale": 400,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:judicial_waive": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only({"supervisor_sale": 400}, others=403, anonymous=LOGIN),
    ),
    "cases:judicial_measure": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(
            {
                "reception_sale": 400,
                "manager_sale": 400,
                "supervisor_sale": 400,
                "manager_tanger": 404,
                "judicial_sale": 400,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:plan_action_add": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(
            {
                "reception_sale": 400,
                "manager_sale": 400,
                "supervisor_sale": 400,
                "manager_tanger": 404,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:plan_action_update": (
        "post",
        lambda p: [p.cases["sale"].pk, "00000000-0000-4000-8000-000000000000"],
        only(
            {
                "reception_sale": 404,
                "manager_sale": 404,
                "supervisor_sale": 404,
                "manager_tanger": 404,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:hearing": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(
            {
                "reception_sale": 400,
                "manager_sale": 400,
                "supervisor_sale": 400,
                "manager_tanger": 404,
                "judicial_sale": 400,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:relation_add": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(
            {
                "reception_sale": 400,
                "manager_sale": 400,
                "supervisor_sale": 400,
                "manager_tanger": 404,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:follow_up": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(
            {
                "reception_sale": 400,
                "manager_sale": 400,
                "supervisor_sale": 400,
                "manager_tanger": 404,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:plan_views": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(
            {
                "reception_sale": 400,
                "manager_sale": 400,
                "supervisor_sale": 400,
                "manager_tanger": 404,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:information_views": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(
            {
                "reception_sale": 400,
                "manager_sale": 400,
                "supervisor_sale": 400,
                "manager_tanger": 404,
            },
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:transfer_request": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only(
            {"manager_sale": 400, "supervisor_sale": 400, "manager_tanger": 404},
            others=403,
            anonymous=LOGIN,
        ),
    ),
    "cases:transfer_decide": (
        "post",
        lambda p: [p.cases["sale"].pk],
        only({"supervisor_sale": 404}, others=403, anonymous=LOGIN),  # no transfer to decide
    ),
}


# Each app may keep its routes' rows in `himaya/<app>/tests/matrix.py` (a `MATRIX` dict).
ALL = app_matrices(MATRIX)


def _url_names(resolver=None, prefix: str = "") -> list[tuple[str, object]]:
    """Every named route of the project, with its view callback."""
    resolver = resolver or get_resolver()
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            found += _url_names(pattern, namespace)
        elif isinstance(pattern, URLPattern):
            found.append((f"{prefix}{pattern.name}" if pattern.name else None, pattern.callback))
    return found


def test_every_view_declares_its_access_requirement():
    undeclared = [
        f"{name}: {callback}"
        for name, callback in _url_names()
        if declared_access(callback) is None
    ]
    assert not undeclared, "views without a declared access requirement:\n" + "\n".join(undeclared)


def test_every_route_is_in_the_matrix():
    names = {name for name, _callback in _url_names()}
    assert None not in names, "every route needs a name so the matrix can name it"
    missing = sorted(names - set(ALL))
    assert not missing, f"routes missing from the permission matrix: {missing}"


@pytest.fixture
def world(personas):
    personas.glass = BreakGlassAccess.objects.create(
        user=personas.manager_tanger, target_type="child", target_id=str(personas.children["sale"].pk),
        child_id=personas.children["sale"].pk, province_id="04.441", reason_code="other",
        justification="matrix fixture", started_at="2026-11-20T10:00:00+01:00", expires_at="2026-11-20T12:00:00+01:00",
    )  # fmt: skip
    return personas


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ALL))
def test_permission_matrix(world, name):
    method, build_args, expected = ALL[name]
    url = reverse(name, args=build_args(world) if build_args else None)
    wrong = []
    for persona in PERSONAS:
        client = APIClient()
        if persona != "anonymous":
            sign_in(client, world.users[persona])
        response = getattr(client, method)(url)
        if response.status_code != expected[persona]:
            wrong.append(f"{persona}: expected {expected[persona]}, got {response.status_code}")
    assert not wrong, f"{method.upper()} {url}\n" + "\n".join(wrong)
