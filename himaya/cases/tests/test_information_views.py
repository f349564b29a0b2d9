"""Reception, step 5 (circuit.md §4.2): the information given to the child and caregivers and
the child's first views are recorded (page and API), and T4 (closing at level 0) needs the
information recorded; the caregivers' views on the plan."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from himaya.accounts.testing import sign_in
from himaya.cases import services, workflow
from himaya.cases.models import Case
from himaya.cases.tests.test_pages_cases import assigned_case

pytestmark = pytest.mark.django_db


def test_page_records_the_information_and_first_views(personas, client, login):
    case = assigned_case(personas)
    login(personas.manager_sale)
    url = reverse("cases:information_views", args=[case.pk])
    bad = client.post(url, {"first_views_not_obtained_reason": "nonsense", "version": case.version})
    assert bad.status_code == 400
    assert "first_views_not_obtained_reason" in bad.context["forms"]["information_views"].errors
    ok = client.post(
        url,
        {"information_given": "Rights explained; CAPE contact given.",
         "first_child_views": "Wants to stay with her aunt.", "version": case.version},
    )  # fmt: skip
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.information_given.startswith("Rights explained")
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Wants to stay with her aunt." in page
    stale = client.post(url, {"information_given": "x", "version": case.version - 1})
    assert stale.status_code == 409
    case.refresh_from_db()
    assert case.information_given.startswith("Rights explained")


def test_api_patch_records_views_with_if_match(personas):
    case = assigned_case(personas)
    api = sign_in(APIClient(), personas.manager_sale)
    response = api.patch(
        f"/api/v1/cases/{case.pk}/",
        {"first_child_views": "Scared to go home.", "plan_caregiver_views": "Mother agrees."},
        format="json",
        HTTP_IF_MATCH=f'"{case.version}"',
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["first_child_views"], body["plan_caregiver_views"]) == (
        "Scared to go home.",
        "Mother agrees.",
    )
    bad = api.patch(
        f"/api/v1/cases/{case.pk}/",
        {"first_views_not_obtained_reason": "???"},
        format="json",
        HTTP_IF_MATCH=f'"{body["version"]}"',
    )
    assert bad.status_code == 400
    assert "first_views_not_obtained_reason" in bad.json()["error"]["fields"]


def test_closing_at_level_0_needs_the_information_given(personas):
    case = assigned_case(personas)
    Case.objects.filter(pk=case.pk).update(risk_level=0)
    case.refresh_from_db()
    facts = {"assessment_done": True, "open_blocking_tasks": 0, "active_emergency": False,
             "active_judicial_measures": 0}  # fmt: skip
    t4 = workflow.pick("assessment", "closed", "no_protection_concern")
    ctx = workflow.GuardContext(case=case, reason="", closure={}, facts=facts)
    assert workflow._information_given in t4.guards
    with translation.override("en"):
        assert "information" in workflow._information_given(ctx)
    services.case_update(
        actor=personas.manager_sale, case_id=case.pk, version=case.version,
        information_given="Orientation to the school listening cell.",
    )  # fmt: skip
    case.refresh_from_db()
    ctx = workflow.GuardContext(case=case, reason="", closure={}, facts=facts)
    assert workflow._information_given(ctx) is None
