"""A case walked through the whole circuit by its actors, through the API as other systems and
our pages use it: a 2511 report, emergency, report to the prosecutor, assessment, plan, referral
of an action, follow-up, closure and reopening — deadlines and timeline checked on the way."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from himaya.accounts.testing import sign_in
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case

pytestmark = pytest.mark.django_db


def api(user):
    return sign_in(APIClient(), user)


def report_payload(**overrides):
    payload = {
        "received_at": (timezone.now() - timedelta(minutes=30)).isoformat(),
        "channel": "onde_2511_line",
        "province": "04.441",
        "reporter": {"name": "Voisine", "relationship": "neighbour", "phone": "0600000000"},
        "concerns": ["VPH.FAM"],
        "immediate_danger_flags": ["A1"],
        "narrative": "Enfant frappé par son père, blessure au bras.",
        "children": [
            {
                "first_name_ar": "سلمى",
                "last_name_ar": "الرياحي",
                "first_name_lat": "Salma",
                "last_name_lat": "Riahi",
                "sex": "F",
                "birth_date": "2014-05-02",
            }
        ],
    }
    payload.update(overrides)
    return payload


def tasks(body, kind):
    return [t for t in body["tasks"] if t["kind"] == kind]


def test_a_case_through_the_whole_circuit(personas):
    reception, manager, evaluator, supervisor, judicial = (
        personas.reception_sale, personas.manager_sale, personas.evaluator_sale, personas.supervisor_sale, personas.judicial_sale,
    )  # fmt: skip

    # 1. A 2511 report with an immediate danger and a suspected offence.
    response = api(reception).post(
        "/api/v1/reports/", report_payload(), format="json", HTTP_IDEMPOTENCY_KEY="r-1"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["cases"]) == 1 and body["cases"][0]["risk_level"] == 3
    case_id = body["cases"][0]["id"]
    number = body["cases"][0]["number"]
    assert number.startswith(f"SAL-{timezone.localdate().year}-")
    # The retry with the same key creates nothing new.
    again = api(reception).post(
        "/api/v1/reports/", report_payload(), format="json", HTTP_IDEMPOTENCY_KEY="r-1"
    )
    assert (
        again.json() == body and Case.objects.filter(number__startswith="SAL-").count() == 2
    )  # + the fixture's

    case = api(supervisor).get(f"/api/v1/cases/{case_id}/").json()
    assert case["stage"] == "reception" and case["emergency_status"] == "active"
    kinds = {t["kind"] for t in case["tasks"]}
    assert {"assign_case", "first_contact", "full_assessment", "report_to_prosecutor"} <= kinds
    assign_due = tasks(case, "assign_case")[0]["due_at"]
    assert assign_due  # level 3: within one hour of T0

    # 2. Emergency: urgent medical care, done.
    now = timezone.now()
    response = api(manager).post(
        f"/api/v1/cases/{case_id}/safety-actions/",
        {
            "action_type": "urgent_medical_care",
            "requested_at": (now - timedelta(minutes=20)).isoformat(),
            "completed_at": (now - timedelta(minutes=5)).isoformat(),
            "outcome": "done",
        },
        format="json",
    )
    assert (
        response.status_code == 403
    )  # not yet assigned: the case manager is not in scope for full work

    # 3. Assignment, then the emergency action.
    for user, role in ((manager, "case_manager"), (evaluator, "evaluator")):
        response = api(reception).post(
            f"/api/v1/cases/{case_id}/assign/", {"user": user.username, "as": role}, format="json"
        )
        assert response.status_code == 200, response.content
    assert tasks(response.json(), "assign_case")[0]["status"] == "done"
    response = api(manager).post(
        f"/api/v1/cases/{case_id}/safety-actions/",
        {
            "action_type": "urgent_medical_care",
            "requested_at": (now - timedelta(minutes=20)).isoformat(),
            "completed_at": (now - timedelta(minutes=5)).isoformat(),
            "outcome": "done",
        },
        format="json",
    )
    assert response.status_code == 201, response.content

    # 4. Closing is impossible while the mandatory report is neither made nor waived.
    response = api(supervisor).post(
        f"/api/v1/cases/{case_id}/transitions/",
        {
            "to": "closed",
            "closure": {
                "reason": "duplicate",
                "goals_outcome": "not_applicable",
                "living_situation": "family",
                "education_status": "enrolled_school",
            },
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["fields"]["guard"] == ["closure_checklist"]

    # 5. Report to the prosecutor by the judicial liaison: the mandatory task is done.
    response = api(judicial).post(
        f"/api/v1/cases/{case_id}/judicial-reports/",
        {
            "court": "Tribunal de première instance de Salé",
            "sent_at": now.isoformat(),
            "reference": "PR-2026-77",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (
        tasks(api(supervisor).get(f"/api/v1/cases/{case_id}/").json(), "report_to_prosecutor")[0][
            "status"
        ]
        == "done"
    )

    # 6. Assessment stage, the full assessment (GESD-MA: example E4, level 2), planning.
    assert (
        api(reception)
        .post(f"/api/v1/cases/{case_id}/transitions/", {"to": "assessment"}, format="json")
        .status_code
        == 200
    )
    from himaya.cases import services

    scores = {"D1": 2, "D2": 1, "D3": 1, "D4": 1, "D5": 2, "D6": 1, "D7": 1}
    response = api(evaluator).post(
        f"/api/v1/cases/{case_id}/assessments/",
        {"instrument": "GESD-MA", "kind": "initial", "flags": [], "scores": scores,
         "child_views": "Veut rester chez sa mère."},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["level_final"] == 2 and response.json()["status"] == "final"
    assert api(supervisor).get(f"/api/v1/cases/{case_id}/").json()["risk_level"] == 2
    response = api(manager).post(
        f"/api/v1/cases/{case_id}/transitions/", {"to": "planning"}, format="json"
    )
    assert response.status_code == 409  # a case manager cannot perform T3
    response = api(evaluator).post(
        f"/api/v1/cases/{case_id}/transitions/", {"to": "planning"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert "case_plan" in {t["kind"] for t in response.json()["tasks"]}

    # 7. Plan: one action, the child's views, approval (T5), then the action is referred.
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    assert (
        api(manager)
        .post(
            f"/api/v1/cases/{case_id}/plan-actions/",
            {"service": "mental_health", "goal": "Soutien psychologique", "due_on": due},
            format="json",
        )
        .status_code
        == 201
    )
    case = api(supervisor).get(f"/api/v1/cases/{case_id}/").json()
    response = api(supervisor).post(
        f"/api/v1/cases/{case_id}/transitions/", {"to": "accompaniment"}, format="json"
    )
    assert response.status_code == 409 and response.json()["error"]["fields"]["guard"] == [
        "plan_ready"
    ]
    response = api(manager).patch(
        f"/api/v1/cases/{case_id}/",
        {"plan_child_views": "Elle veut rester chez sa mère."},
        format="json",
        HTTP_IF_MATCH=f'"{case["version"]}"',
    )
    assert response.status_code == 200
    stale = api(manager).patch(
        f"/api/v1/cases/{case_id}/",
        {"plan_child_views": "overwrite"},
        format="json",
        HTTP_IF_MATCH=f'"{case["version"]}"',
    )
    assert stale.status_code == 412
    assert (
        api(supervisor)
        .post(f"/api/v1/cases/{case_id}/transitions/", {"to": "accompaniment"}, format="json")
        .status_code
        == 200
    )
    action = Case.objects.get(pk=case_id).plan_actions.get()
    # The action is referred to the Salé hospital unit, which offers the service; its provider
    # sees the packet in its inbox and accepts (the plan action follows the referral).
    from himaya.directory.testing import build_directory

    hospital = build_directory(personas)["hospital_sale"]
    provider = personas.provider_hospital_sale
    response = api(manager).post(
        f"/api/v1/cases/{case_id}/referrals/",
        {"institution": str(hospital.pk), "service": "mental_health", "note": "Suivi psychologique."},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    referral_id = response.json()["id"]
    inbox = api(provider).get("/api/v1/referrals/", {"direction": "incoming"}).json()["results"]
    assert [r["id"] for r in inbox] == [referral_id]
    assert "narrative" not in str(inbox) and "Voisine" not in str(inbox)
    assert api(provider).post(f"/api/v1/referrals/{referral_id}/accept/").status_code == 200
    action.refresh_from_db()
    assert action.status == "in_progress"

    # 8. Follow-up contact with the child seen; a follow-up before the report is refused.
    response = api(manager).post(
        f"/api/v1/cases/{case_id}/follow-ups/",
        {
            "happened_at": timezone.now().isoformat(),
            "kind": "home_visit",
            "child_seen": True,
            "notes": "Visite à domicile.",
        },
        format="json",
    )
    assert response.status_code == 201
    assert tasks(response.json(), "first_contact")[0]["status"] == "done"
    early = api(manager).post(
        f"/api/v1/cases/{case_id}/follow-ups/",
        {
            "happened_at": (timezone.now() - timedelta(days=30)).isoformat(),
            "kind": "home_visit",
            "child_seen": True,
        },
        format="json",
    )
    assert early.status_code == 400 and "happened_at" in early.json()["error"]["fields"]

    # 9. The provider completes the referral (the action is done), follow-up stage, then
    # closure with the whole checklist.
    response = api(provider).post(
        f"/api/v1/referrals/{referral_id}/complete/", {"outcome": "Six séances."}, format="json"
    )
    assert response.status_code == 200, response.content
    action.refresh_from_db()
    assert action.status == "done"
    services.emergency_resolve(actor=manager, case_id=case_id, note="Soins reçus.")
    assert (
        api(manager)
        .post(f"/api/v1/cases/{case_id}/transitions/", {"to": "follow_up"}, format="json")
        .status_code
        == 200
    )
    closure = {
        "reason": "goals_achieved",
        "goals_outcome": "achieved",
        "living_situation": "family",
        "education_status": "enrolled_school",
        "child_views": "Elle va bien.",
    }
    refused = api(supervisor).post(
        f"/api/v1/cases/{case_id}/transitions/",
        {"to": "closed", "closure": closure},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 409  # closure check 5: no closing assessment yet
    assert refused.json()["error"]["fields"]["guard"] == ["closure_checklist"]
    assert "closing assessment" in refused.json()["error"]["message"]
    scores = {"D1": 1, "D2": 0, "D3": 1, "D4": 0, "D5": 0, "D6": 0, "D7": 0}
    response = api(manager).post(
        f"/api/v1/cases/{case_id}/assessments/",
        {"instrument": "GESD-MA", "kind": "closing", "flags": [], "scores": scores},
        format="json",
    )
    assert response.status_code == 201 and response.json()["level_final"] == 1
    closure = {
        "reason": "goals_achieved",
        "goals_outcome": "achieved",
        "living_situation": "family",
        "education_status": "enrolled_school",
        "child_views": "Elle va bien.",
    }
    response = api(supervisor).post(
        f"/api/v1/cases/{case_id}/transitions/", {"to": "closed", "closure": closure}, format="json"
    )
    assert response.status_code == 200, response.content
    closed = response.json()
    assert closed["stage"] == "closed" and closed["closed_at"]
    assert not [t for t in closed["tasks"] if t["status"] == "open"]

    # 10. Reopening keeps the history and asks for a reassessment.
    response = api(supervisor).post(
        f"/api/v1/cases/{case_id}/transitions/",
        {"to": "assessment", "reason": "Nouveau signalement de l'école."},
        format="json",
    )
    assert response.status_code == 200
    reopened = response.json()
    assert reopened["stage"] == "assessment" and reopened["closed_at"] is None
    assert "reassessment" in {t["kind"] for t in reopened["tasks"] if t["status"] == "open"}

    timeline = api(supervisor).get(f"/api/v1/cases/{case_id}/timeline/").json()["results"]
    transitions = [
        e["transition"] for e in reversed(timeline) if e["kind"] in ("opened", "transition")
    ]
    assert transitions == ["T1", "T2", "T3", "T5", "T6", "T8", "T10"]
    assert {
        "emergency_opened",
        "safety_action",
        "judicial_report",
        "plan_action",
        "follow_up",
        "assigned",
    } <= {e["kind"] for e in timeline}
    assert AuditEvent.objects.filter(target_id=case_id, action="case.transition").count() == 6


def test_closing_with_an_unmade_mandatory_report_is_refused_until_waived(personas):
    body = (
        api(personas.reception_sale)
        .post("/api/v1/reports/", report_payload(immediate_danger_flags=[]), format="json")
        .json()
    )
    case_id = body["cases"][0]["id"]
    closure = {
        "reason": "duplicate",
        "goals_outcome": "not_applicable",
        "living_situation": "family",
        "education_status": "unknown",
    }
    refused = api(personas.supervisor_sale).post(
        f"/api/v1/cases/{case_id}/transitions/", {"to": "closed", "closure": closure}, format="json"
    )
    assert refused.status_code == 409
    assert Case.objects.get(pk=case_id).stage == "reception"
    assert (
        api(personas.manager_sale)
        .post(
            f"/api/v1/cases/{case_id}/judicial-reports/waive/",
            {"reason": "Pas d'infraction après vérification."},
            format="json",
        )
        .status_code
        == 403
    )
    waived = api(personas.supervisor_sale).post(
        f"/api/v1/cases/{case_id}/judicial-reports/waive/",
        {"reason": "Vérification faite : aucune infraction.", "reason_code": "offence_ruled_out"},
        format="json",
    )
    assert waived.status_code == 201, waived.content
    closed = api(personas.supervisor_sale).post(
        f"/api/v1/cases/{case_id}/transitions/", {"to": "closed", "closure": closure}, format="json"
    )
    assert closed.status_code == 200, closed.content


def test_transition_not_in_the_table_is_a_409_and_changes_nothing(personas):
    case = personas.cases["sale"]
    response = api(personas.supervisor_sale).post(
        f"/api/v1/cases/{case.pk}/transitions/",
        {"to": "follow_up"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 409
    assert (
        "suivi" in response.json()["error"]["message"].lower()
        or "Suivi" in response.json()["error"]["message"]
    )
    case.refresh_from_db()
    assert (case.stage, case.version) == ("reception", 1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"received_at": "2999-01-01T10:00:00+01:00"}, "received_at"),
        ({"channel": "pigeon"}, "channel"),
        ({"concerns": ["XXX"]}, "concerns"),
        ({"immediate_danger_flags": ["A9"]}, "immediate_danger_flags"),
        ({"province": "99.999"}, "province"),
        (
            {"children": [{"first_name_lat": "X", "birth_date": "2999-01-01"}]},
            "children[0].birth_date",
        ),
        ({"children": []}, "children"),
    ],
)
def test_bad_report_is_refused_with_the_field_named(personas, change, field):
    before = Case.objects.count()
    response = api(personas.reception_sale).post(
        "/api/v1/reports/", report_payload(**change), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert Case.objects.count() == before


def test_malformed_body_is_a_400(personas):
    response = api(personas.reception_sale).post(
        "/api/v1/reports/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_unknown_child_with_estimated_age(personas):
    payload = report_payload(
        children=[{"known_as": "garçon de la gare", "sex": "M", "estimated_age": 12}],
        immediate_danger_flags=["A3"],
        concerns=["RUE.LIV"],
    )
    body = api(personas.reception_sale).post("/api/v1/reports/", payload, format="json").json()
    case = Case.objects.select_related("child").get(pk=body["cases"][0]["id"])
    assert case.child.identity_status == "unknown" and case.child.birth_date_estimated
    assert (
        case.child.birth_date.month == 12 and case.child.birth_date.day == 31
    )  # benefit of the doubt


def test_siblings_in_one_report_get_one_case_each(personas):
    payload = report_payload(
        children=[
            {"first_name_lat": "Adam", "sex": "M", "birth_date": "2015-01-01"},
            {"first_name_lat": "Nour", "sex": "F", "birth_date": "2017-03-03"},
        ]
    )
    body = api(personas.reception_sale).post("/api/v1/reports/", payload, format="json").json()
    assert len({c["number"] for c in body["cases"]}) == 2


def test_a_new_report_on_an_open_case_joins_it_and_asks_for_reassessment(personas):
    child = personas.children["sale"]
    payload = report_payload(
        children=[{"child_id": str(child.pk)}], immediate_danger_flags=[], concerns=["NEG.CAR"]
    )
    body = api(personas.reception_sale).post("/api/v1/reports/", payload, format="json").json()
    assert body["cases"][0]["id"] == str(personas.cases["sale"].pk)
    assert personas.cases["sale"].tasks.filter(kind="reassessment", status="open").exists()


def test_manager_tanger_sees_no_sale_case(personas):
    client = api(personas.manager_tanger)
    assert client.get(f"/api/v1/cases/{personas.cases['sale'].pk}/").status_code == 404
    listed = {c["id"] for c in client.get("/api/v1/cases/").json()["results"]}
    assert listed == {str(personas.cases["tanger"].pk)}


def test_reassessment_is_due_ninety_days_before_the_sixteenth_birthday(personas):
    from datetime import date

    born = timezone.localdate().replace(year=timezone.localdate().year - 16) + timedelta(days=60)
    payload = report_payload(
        immediate_danger_flags=[],
        concerns=["NEG.CAR"],
        children=[{"first_name_lat": "Rania", "sex": "F", "birth_date": born.isoformat()}],
    )
    body = api(personas.reception_sale).post("/api/v1/reports/", payload, format="json").json()
    case = Case.objects.get(pk=body["cases"][0]["id"])
    task = case.tasks.get(kind="reassessment", status="open")
    sixteenth = date(born.year + 16, born.month, born.day)
    assert timezone.localtime(task.due_at).date() == sixteenth - timedelta(days=90)
