"""Assessment records end to end (assessment.md §5, §9; api-contract.md "Assessment"):
overrides and their approval, the case's level and deadlines, bad input, the instrument swap."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from himaya.accounts.testing import sign_in
from himaya.assessment import selectors, services
from himaya.assessment.models import Assessment
from himaya.assessment.testing import SCORES_FOR_LEVEL, assess
from himaya.audit.models import AuditEvent
from himaya.cases import services as case_services
from himaya.cases.models import Case
from himaya.cases.services import Conflict

pytestmark = pytest.mark.django_db
E4 = {"D1": 2, "D2": 1, "D3": 1, "D4": 1, "D5": 2, "D6": 1, "D7": 1}  # computed level 2
E10 = {"D1": 0, "D2": 3, "D3": 2, "D4": 3, "D5": 2, "D6": 1, "D7": 1}  # computed level 0


def api(user) -> APIClient:
    client = APIClient()
    sign_in(client, user)
    return client


def post(user, case, **body):
    payload = {"instrument": "GESD-MA", "kind": "initial", "flags": [], "scores": E4, **body}
    return api(user).post(f"/api/v1/cases/{case.pk}/assessments/", payload, format="json")


def plan_due(case) -> timezone.datetime:
    return case.tasks.get(kind="case_plan", status="open").due_at


def test_the_contract_response_and_the_case_follows(personas):
    case = personas.cases["sale"]
    response = post(personas.manager_sale, case, child_views="Il veut rester.")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("consequence", "likelihood", "level_computed", "level_final", "status")} == {
        "consequence": 2, "likelihood": 1, "level_computed": 2, "level_final": 2, "status": "final",
    }  # fmt: skip
    assessment = Assessment.objects.get(pk=body["id"])
    assert (assessment.instrument_version.version, assessment.kind) == ("0.1", "full")
    assert (
        assessment.child_views == "Il veut rester." and assessment.assessor == personas.manager_sale
    )
    case.refresh_from_db()
    assert case.risk_level == 2
    assert case.tasks.get(kind="full_assessment").status == "done"
    assert case.events.filter(kind="assessed").exists()
    assert AuditEvent.objects.filter(
        action="assessment.record", target_id=str(assessment.pk)
    ).exists()
    listed = api(personas.supervisor_sale).get(f"/api/v1/cases/{case.pk}/assessments/").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]


def test_o1_a_raised_level_applies_at_once_and_needs_its_reason(personas):
    case = personas.cases["sale"]
    refused = post(personas.manager_sale, case, scores=E10, level_final=2)
    assert refused.status_code == 400
    assert "override_reason" in refused.json()["error"]["fields"]
    assert not Assessment.objects.exists()
    response = post(
        personas.manager_sale, case, scores=E10, level_final=2,
        override_reason="The child lives with the alleged abuser of his sister.",
    )  # fmt: skip
    body = response.json()
    assert (body["level_computed"], body["level_final"], body["status"]) == (0, 2, "final")
    assessment = Assessment.objects.get()
    assert (assessment.override_direction, assessment.override_status) == ("up", "not_applicable")
    case.refresh_from_db()
    assert case.risk_level == 2
    assert plan_due(case) == case.t0 + timedelta(days=14)  # level-2 plan deadline
    audit = AuditEvent.objects.get(action="assessment.record")
    assert audit.reason.startswith("The child lives") and audit.data["override"] == "up"


def test_o2_a_lowered_level_waits_for_a_supervisor_and_only_then_moves_the_deadlines(personas):
    case = personas.cases["sale"]
    response = post(
        personas.manager_sale, case, level_final=1, override_reason="L'oncle a quitté le pays."
    )
    body = response.json()
    assert (body["level_computed"], body["level_final"], body["status"]) == (
        2,
        2,
        "pending_approval",
    )
    case.refresh_from_db()
    assert case.risk_level == 2
    due_while_pending = plan_due(case)
    assert due_while_pending == case.t0 + timedelta(days=14)  # level 2 still applies
    assert selectors.case_has_pending_override(case)
    assessment_id = body["id"]

    assert (
        api(personas.manager_sale).post(f"/api/v1/assessments/{assessment_id}/approve/").status_code
        == 403
    )
    assert (
        api(personas.manager_tanger)
        .post(f"/api/v1/assessments/{assessment_id}/approve/")
        .status_code
        == 403
    )
    case.refresh_from_db()
    assert case.risk_level == 2 and plan_due(case) == due_while_pending

    approved = api(personas.supervisor_sale).post(f"/api/v1/assessments/{assessment_id}/approve/")
    assert approved.status_code == 200, approved.content
    assert (approved.json()["level_final"], approved.json()["status"]) == (1, "final")
    assessment = Assessment.objects.get(pk=assessment_id)
    assert assessment.approved_by == personas.supervisor_sale and assessment.approved_at
    case.refresh_from_db()
    assert case.risk_level == 1
    assert plan_due(case) == case.t0 + timedelta(days=30)  # level-1 plan deadline, only now
    assert case.events.filter(kind="assessment_approved").exists()
    assert AuditEvent.objects.filter(action="assessment.approve").exists()
    again = api(personas.supervisor_sale).post(f"/api/v1/assessments/{assessment_id}/approve/")
    assert again.status_code == 409


def test_o2_rejected_the_computed_level_stays_with_the_reason(personas):
    case = personas.cases["sale"]
    assessment = assess(
        personas.manager_sale, case, 2, level_final=1, override_reason="L'oncle est parti."
    )
    client = api(personas.supervisor_sale)
    empty = client.post(
        f"/api/v1/assessments/{assessment.pk}/reject/", {"reason": ""}, format="json"
    )
    assert empty.status_code == 400 and "reason" in empty.json()["error"]["fields"]
    response = client.post(
        f"/api/v1/assessments/{assessment.pk}/reject/",
        {"reason": "L'oncle revient souvent."},
        format="json",
    )
    assert response.status_code == 200
    assessment.refresh_from_db()
    assert (assessment.override_status, assessment.level_final) == ("rejected", 2)
    assert assessment.rejection_reason == "L'oncle revient souvent."
    case.refresh_from_db()
    assert case.risk_level == 2 and not selectors.case_has_pending_override(case)


def test_a_supervisor_does_not_approve_their_own_lowering(personas):
    case = personas.cases["sale"]
    assessment = assess(
        personas.supervisor_sale, case, 2, level_final=1, override_reason="Situation apaisée."
    )
    with pytest.raises(Conflict):
        services.assessment_approve(actor=personas.supervisor_sale, assessment_id=assessment.pk)


def test_a_level_set_by_a_tier_a_flag_is_not_lowered_and_a_flag_opens_an_emergency(personas):
    case = personas.cases["sale"]
    refused = post(
        personas.manager_sale, case, flags=["A2"], level_final=2, override_reason="Auteur éloigné."
    )
    assert refused.status_code == 400 and "level_final" in refused.json()["error"]["fields"]
    response = post(
        personas.manager_sale, case, flags=["A2"], flag_notes={"A2": "L'oncle revient."}
    )
    assert response.json()["level_final"] == 3
    case.refresh_from_db()
    assert case.risk_level == 3 and case.emergency_status == "active"
    assert case.emergencies.get(status="active").trigger_flags == ["A2"]


def test_a_pending_lowering_blocks_the_move_to_planning(personas):
    case = personas.cases["sale"]
    case_services.case_assign(
        actor=personas.reception_sale,
        case_id=case.pk,
        user=personas.evaluator_sale,
        as_role="evaluator",
    )
    case_services.case_transition(actor=personas.reception_sale, case_id=case.pk, to="assessment")
    assessment = assess(
        personas.evaluator_sale, case, 2, level_final=1, override_reason="Situation apaisée."
    )
    with pytest.raises(Conflict) as refusal:
        case_services.case_transition(actor=personas.evaluator_sale, case_id=case.pk, to="planning")
    assert refusal.value.guard == "assessment_done"
    services.assessment_approve(actor=personas.supervisor_sale, assessment_id=assessment.pk)
    case_services.case_transition(actor=personas.evaluator_sale, case_id=case.pk, to="planning")
    assert Case.objects.get(pk=case.pk).stage == "planning"


def test_a_second_full_assessment_is_a_reassessment_and_restarts_the_clock(personas):
    case = personas.cases["sale"]
    assess(personas.manager_sale, case, 2)
    assert post(personas.manager_sale, case).status_code == 409
    response = post(personas.manager_sale, case, kind="reassessment", scores=SCORES_FOR_LEVEL[3])
    assert response.status_code == 201 and response.json()["level_final"] == 3
    case.refresh_from_db()
    assert case.risk_level == 3
    assert case.tasks.filter(kind="reassessment", status="done").exists()
    assert [a.level_final for a in selectors.case_assessments(case)] == [2, 3]


def test_closing_assessment_selector_counts_the_last_30_days_only(personas):
    case = personas.cases["sale"]
    assert not selectors.case_has_closing_assessment(case)
    closing = assess(personas.manager_sale, case, 1, kind="closing")
    assert selectors.case_has_closing_assessment(case)
    Assessment.objects.filter(pk=closing.pk).update(
        completed_at=timezone.now() - timedelta(days=31)
    )
    assert not selectors.case_has_closing_assessment(case)


BAD = [
    ({"scores": {**E4, "D3": 4}}, "scores.D3"),
    ({"scores": {k: v for k, v in E4.items() if k != "D6"}}, "scores.D6"),
    ({"scores": {**E4, "D9": 1}}, "scores.D9"),
    ({"scores": {**E4, "D1": "deux"}}, "scores.D1"),
    ({"flags": ["A9"]}, "flags"),
    ({"instrument": "NOPE"}, "instrument"),
    ({"version": "9.9"}, "version"),
    ({"level_final": 1}, "override_reason"),
    ({"level_final": 7, "override_reason": "Une raison suffisante."}, "level_final"),
    ({"kind": "weekly"}, "kind"),
    ({"scores": "D1=2"}, "scores"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(personas, change, field):
    case = personas.cases["sale"]
    version, events = case.version, case.events.count()
    response = post(personas.manager_sale, case, **change)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Assessment.objects.exists()
    case.refresh_from_db()
    assert (case.version, case.events.count(), case.risk_level) == (version, events, 2)


def test_a_malformed_body_is_a_400_and_instruments_need_a_login(personas):
    client = api(personas.manager_sale)
    url = f"/api/v1/cases/{personas.cases['sale'].pk}/assessments/"
    response = client.post(url, "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error"
    assert APIClient().get("/api/v1/instruments/").status_code == 401


def test_scope_and_roles(personas):
    case = personas.cases["sale"]
    assert post(personas.manager_tanger, case).status_code == 404
    assert post(personas.reception_sale, case).status_code == 403
    assert post(personas.judicial_sale, case).status_code == 403
    assert post(personas.evaluator_sale, case).status_code == 403  # not assigned to this case
    assert not Assessment.objects.exists()


def test_a_retried_post_with_the_same_idempotency_key_creates_one_assessment(personas):
    case = personas.cases["sale"]
    client = api(personas.manager_sale)
    payload = {"instrument": "GESD-MA", "kind": "initial", "flags": [], "scores": E4}
    first = client.post(
        f"/api/v1/cases/{case.pk}/assessments/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    second = client.post(
        f"/api/v1/cases/{case.pk}/assessments/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"] and Assessment.objects.count() == 1


def test_the_instrument_list(personas):
    response = api(personas.manager_sale).get("/api/v1/instruments/")
    assert response.status_code == 200
    assert {"code": "GESD-MA", "version": "0.1", "active": True}.items() <= response.json()[
        0
    ].items()


def test_a_second_instrument_needs_no_code_change(personas):
    """Another référentiel — other flags, dimensions, scale, thresholds and three levels mapped
    onto the response rows — is loaded from a file and used at once; the case's level and
    deadlines follow its crosswalk; GESD-MA assessments keep their version."""
    case = personas.cases["sale"]
    assess(personas.manager_sale, case, 1)
    call_command(
        "load_instruments", str(Path(__file__).parent / "data" / "OTHER-2.0.yaml"), verbosity=0
    )
    listed = {
        (r["code"], r["active"])
        for r in api(personas.manager_sale).get("/api/v1/instruments/").json()
    }
    assert {("GESD-MA", True), ("OTHER", True)} <= listed
    refused = post(
        personas.manager_sale,
        case,
        instrument="OTHER",
        kind="reassessment",
        scores={"HARM": 5, "SUPPORT": 0},
    )
    assert refused.status_code == 400 and "scores.HARM" in refused.json()["error"]["fields"]
    medium = post(
        personas.manager_sale,
        case,
        instrument="OTHER",
        kind="reassessment",
        scores={"HARM": 1, "SUPPORT": 1},
    )
    assert medium.status_code == 201, medium.content
    assert (
        medium.json()["level_final"],
        medium.json()["consequence"],
        medium.json()["likelihood"],
    ) == (1, 1, 1)
    case.refresh_from_db()
    assert case.risk_level == 2  # OTHER level 1 uses the level-2 response row
    high = post(
        personas.manager_sale,
        case,
        instrument="OTHER",
        kind="reassessment",
        flags=["X-URGENT"],
        scores={"HARM": 0, "SUPPORT": 0},
    )
    assert high.json()["level_final"] == 2
    case.refresh_from_db()
    assert case.risk_level == 3 and plan_due(case) == case.t0 + timedelta(days=7)
    versions = [a.instrument_version.instrument.code for a in selectors.case_assessments(case)]
    assert versions == ["GESD-MA", "OTHER", "OTHER"]
    assert post(personas.manager_sale, case, instrument="OTHER", flags=["A2"], kind="reassessment",
                scores={"HARM": 0, "SUPPORT": 0}).status_code == 400  # fmt: skip


def test_the_intake_screen_uses_the_tier_a_flags_of_the_instrument_in_force(personas, tmp_path):
    from himaya.cases import forms as case_forms

    assert selectors.tier_a_codes() == [f"A{i}" for i in range(1, 9)]
    newer = tmp_path / "OTHER-2.0.yaml"
    text = (Path(__file__).parent / "data" / "OTHER-2.0.yaml").read_text(encoding="utf-8")
    newer.write_text(
        text.replace("valid_from: 2020-01-01", "valid_from: 2030-01-01"), encoding="utf-8"
    )
    call_command("load_instruments", str(newer), verbosity=0)
    assert selectors.tier_a_codes() == ["X-URGENT"]
    choices = (
        case_forms.IntakeForm(user=personas.reception_sale).fields["immediate_danger_flags"].choices
    )
    assert [code for code, _label in choices] == ["X-URGENT"]


def test_after_each_assessment_the_next_reassessment_is_due(personas):
    """The reassessment clock is rolling: every assessment restarts it (assessment.md §7.2)."""
    case = personas.cases["sale"]
    assess(personas.manager_sale, case, 2)
    for level in (3, 2):
        assess(personas.manager_sale, case, level, kind="reassessment")
        case.refresh_from_db()
        due = case.tasks.get(kind="reassessment", status="open").due_at
        latest = selectors.case_assessments(case)[-1].completed_at
        months = 1 if level == 3 else 3
        assert (
            latest + timedelta(days=28 * months - 1)
            < due
            <= latest + timedelta(days=31 * months + 1)
        )


def test_the_case_door_refuses_who_may_not_assess_and_a_closed_case(personas):
    from django.core.exceptions import PermissionDenied

    case = personas.cases["sale"]
    with pytest.raises(PermissionDenied):
        case_services.case_risk_level_apply(
            actor=personas.reception_sale, case_id=case.pk, level=1, assessment_id="-"
        )
    Case.objects.filter(pk=case.pk).update(stage="closed")
    with pytest.raises(Conflict):
        assess(personas.manager_sale, case, 2)
    assert not Assessment.objects.exists()
