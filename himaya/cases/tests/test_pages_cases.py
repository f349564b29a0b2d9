"""The case pages: intake with the search before create, the case page and its actions per
persona, the task lists and the case list — with their query budgets and both page
directions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from himaya.accounts.testing import make_user
from himaya.assessment.testing import assess
from himaya.cases import forms as case_forms
from himaya.cases import services
from himaya.cases.models import Case, CaseEvent, Report, Task
from himaya.children.models import Child
from himaya.core.models import Province

pytestmark = pytest.mark.django_db

SALE = "04.441"


def local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def intake_data(**overrides) -> dict:
    data = {
        "received_at": local(timezone.now() - timedelta(minutes=30)),
        "channel": "onde_2511_line",
        "province": SALE,
        "reporter_type": "community_member",
        "reporter_name": "Voisine",
        "reporter_relationship": "voisine",
        "reporter_phone": "0600000000",
        "concerns": ["VPH.FAM"],
        "narrative": "Enfant frappée par son père, blessure au bras.",
        "triage_level": "2",
        "first_name_ar": "خديجة",
        "last_name_ar": "التازي",
        "first_name_lat": "Khadija",
        "last_name_lat": "Tazi",
        "sex": "female",
        "birth_date": "2014-05-02",
        "mother_name": "Fatima",
    }
    data.update(overrides)
    return as_formset(data)


CHILD_KEYS = (
    "first_name_ar", "last_name_ar", "first_name_lat", "last_name_lat", "known_as", "sex",
    "birth_date", "estimated_age", "mother_name", "child_id",
)  # fmt: skip


def as_formset(data: dict, *, children: int = 1) -> dict:
    """The intake POST: the child's fields under the formset prefix of the first child."""
    posted = {f"children-0-{k}" if k in CHILD_KEYS else k: v for k, v in data.items()}
    posted.setdefault("children-TOTAL_FORMS", str(children))
    posted.setdefault("children-INITIAL_FORMS", "0")
    return posted


def report(actor, *, flags=(), concerns=("VPH.FAM",), first="Salma", last="Riahi", **child):
    """A case opened through the service, as the intake page does."""
    data = services.ReportInput(
        received_at=timezone.now() - timedelta(minutes=30),
        channel="onde_2511_line",
        province=Province.objects.get(pk=SALE),
        narrative="Enfant frappée.",
        concerns=list(concerns),
        children=[
            services.ChildInput(first_name_lat=first, last_name_lat=last, sex="female", **child)
        ],
        immediate_danger_flags=list(flags),
        reporter=None,
        triage_level=None if flags else 2,
    )
    _report, cases = services.report_create(actor=actor, data=data)
    return cases[0]


def assigned_case(p, **kwargs) -> Case:
    """A case in reception with a report to the prosecutor due and an active emergency, its
    case manager and evaluator assigned."""
    case = report(p.reception_sale, flags=["A1"], **kwargs)
    for user, role in ((p.manager_sale, "case_manager"), (p.evaluator_sale, "evaluator")):
        services.case_assign(actor=p.reception_sale, case_id=case.pk, user=user, as_role=role)
    return Case.objects.get(pk=case.pk)


def case_in_planning(p) -> Case:
    case = assigned_case(p)
    services.case_transition(actor=p.reception_sale, case_id=case.pk, to="assessment")
    assess(p.evaluator_sale, case, 2)
    services.case_transition(actor=p.evaluator_sale, case_id=case.pk, to="planning")
    return Case.objects.get(pk=case.pk)


@pytest.fixture(autouse=True)
def _english_unless_asked(client):
    """These tests read the English messages; the language tests ask for ar and fr explicitly."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- intake --------------------------------------------------------------------------------------


def test_intake_creates_a_case_and_redirects_to_it(personas, client, login):
    login(personas.reception_sale)
    page = client.get(reverse("cases:intake"))
    assert page.status_code == 200
    territories = [value for value, _label in page.context["form"].fields["province"].choices]
    assert territories == [SALE]  # the territory of the reception officer's membership only
    assert "add another child" in page.content.decode().lower()

    before = Case.objects.count()
    response = client.post(reverse("cases:intake"), intake_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.exclude(pk__in=[c.pk for c in personas.cases.values()]).get()
    assert Case.objects.count() == before + 1
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert (case.child.first_name_ar, case.child.last_name_lat, case.triage_level) == (
        "خديجة",
        "Tazi",
        2,
    )
    assert case.first_report.reporter_name == "Voisine"
    assert case.first_report.reporter_type == "community_member"
    shown = client.get(response["Location"])
    assert case.number in shown.content.decode()
    assert any(case.number in m for m in messages_of(shown))


def test_intake_with_an_immediate_danger_opens_an_emergency_and_stores_no_anonymous_reporter(
    personas, client, login
):
    login(personas.reception_sale)
    data = intake_data(
        immediate_danger_flags=["A1", "A3"], triage_level="", reporter_anonymous="on"
    )
    response = client.post(reverse("cases:intake"), data)
    assert response.status_code == 302
    case = Case.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
    assert (case.risk_level, case.emergency_status) == (3, "active")
    assert case.first_report.reporter_anonymous
    assert case.first_report.reporter_name == ""  # typed, but an anonymous reporter is not kept


def test_intake_form_errors_are_shown_on_their_fields_and_nothing_is_saved(personas, client, login):
    login(personas.reception_sale)
    counts = (Report.objects.count(), Case.objects.count(), Child.objects.count())
    data = intake_data(narrative="", concerns=[], triage_level="", reporter_name="")
    data.pop("reporter_relationship")
    data.pop("reporter_phone")
    response = client.post(reverse("cases:intake"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert {"narrative", "concerns", "triage_level", "reporter_name"} <= set(form.errors)
    html = response.content.decode()
    assert 'id="id_narrative"' in html and "is-invalid" in html
    assert (Report.objects.count(), Case.objects.count(), Child.objects.count()) == counts


def test_intake_service_errors_are_shown_on_their_fields_and_nothing_is_saved(
    personas, client, login
):
    login(personas.reception_sale)
    counts = (Report.objects.count(), Case.objects.count(), Child.objects.count())
    future = local(timezone.now() + timedelta(days=2))
    response = client.post(
        reverse("cases:intake"), intake_data(received_at=future, birth_date="2999-01-01")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "received_at" in errors
    assert "birth_date" in response.context["children"].forms[0].errors
    assert (Report.objects.count(), Case.objects.count(), Child.objects.count()) == counts


def test_intake_territory_outside_the_users_scope_is_refused(personas, client, login):
    login(personas.reception_sale)
    response = client.post(reverse("cases:intake"), intake_data(province="01.511"))
    assert response.status_code == 400
    assert "province" in response.context["form"].errors


def test_matches_fragment_lists_a_known_child_for_a_spelling_variant(personas, client, login):
    login(personas.reception_sale)
    assert client.post(reverse("cases:intake"), intake_data()).status_code == 302
    known = Child.objects.get(first_name_lat="Khadija")

    query = {
        "first_name_lat": "Khadidja",
        "last_name_lat": "Tazi",
        "sex": "female",
        "province": SALE,
    }
    response = client.get(reverse("cases:intake_matches"), query, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment
    assert f'value="{known.pk}"' in html and "Khadija Tazi" in html
    assert re.search(r'value="none"[^>]*checked', html)  # "none of these" is the default

    nothing = client.get(reverse("cases:intake_matches"), {"first_name_lat": "Zzyzx"})
    assert "Khadija" not in nothing.content.decode()


def test_intake_asks_to_choose_when_a_close_child_is_known_then_links_the_choice(
    personas, client, login
):
    login(personas.reception_sale)
    client.post(reverse("cases:intake"), intake_data())
    known = Child.objects.get(first_name_lat="Khadija")
    first_case = known.cases.get()
    variant = intake_data(first_name_lat="Khadidja", first_name_ar="", last_name_ar="")

    # No answer to "is this child already known?": nothing is created, the candidates are shown.
    asked = client.post(reverse("cases:intake"), variant)
    assert asked.status_code == 400
    assert "child_id" in asked.context["children"].forms[0].errors
    assert f'value="{known.pk}"' in asked.content.decode()
    assert Child.objects.filter(last_name_lat="Tazi").count() == 1

    # "This is the same child": the report joins the child's open case.
    linked = client.post(reverse("cases:intake"), {**variant, "children-0-child_id": str(known.pk)})
    assert linked.status_code == 302
    assert linked["Location"] == reverse("cases:detail", args=[first_case.pk])
    assert (
        first_case.reports.count() == 2 and Child.objects.filter(last_name_lat="Tazi").count() == 1
    )

    # "None of these": a new child and a new case.
    new = client.post(reverse("cases:intake"), {**variant, "children-0-child_id": "none"})
    assert new.status_code == 302
    assert Child.objects.filter(last_name_lat="Tazi").count() == 2


def test_intake_refuses_a_child_that_does_not_match_the_names(personas, client, login):
    login(personas.reception_sale)
    other = personas.children["tanger"]
    response = client.post(reverse("cases:intake"), intake_data(child_id=str(other.pk)))
    assert response.status_code == 400
    assert "child_id" in response.context["children"].forms[0].errors
    assert not other.cases.exclude(pk=personas.cases["tanger"].pk).exists()
    assert personas.cases["tanger"].reports.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [("manager_sale", 403), ("judicial_sale", 403), ("auditor", 403), ("supervisor_sale", 200)],
)
def test_intake_is_for_report_creators(personas, client, login, persona, status):
    login(personas.users[persona])
    assert client.get(reverse("cases:intake")).status_code == status
    assert (
        client.get(reverse("cases:intake_matches"), {"first_name_lat": "x"}).status_code == status
    )


# --- the case page -------------------------------------------------------------------------------


def action_urls(html: str) -> set[str]:
    """The names of the case actions whose forms the page offers."""
    found = set(re.findall(r'action="/cases/[0-9a-f-]+/([a-z/-]+?)/"', html))
    found |= {f"to:{t}" for t in re.findall(r'name="to" value="([a-z_]+)"', html)}
    return found


def test_case_page_offers_only_the_actions_each_persona_may_take(personas, client, login):
    case = personas.cases["sale"]  # reception stage, managed by manager_sale, no evaluator
    seen = {}
    for persona in ("reception_sale", "supervisor_sale", "manager_sale"):
        client.logout()
        login(personas.users[persona])
        response = client.get(reverse("cases:detail", args=[case.pk]))
        assert response.status_code == 200, persona
        seen[persona] = action_urls(response.content.decode())

    assert "assign" in seen["reception_sale"]
    assert "to:closed" not in seen["reception_sale"]
    assert "to:assessment" not in seen["reception_sale"]  # nobody assigned as evaluator yet
    assert "transfer" not in seen["reception_sale"]  # a reception officer does not transfer
    assert {"assign", "to:closed", "transfer", "safety-actions", "judicial-reports"} <= seen[
        "supervisor_sale"
    ]
    assert "assign" not in seen["manager_sale"] and "to:closed" not in seen["manager_sale"]
    assert {"follow-ups", "safety-actions", "transfer"} <= seen["manager_sale"]
    assert not any(s.startswith("plan-") for persona in seen for s in seen[persona])  # reception


@pytest.mark.parametrize(
    ("persona", "status"),
    [("evaluator_sale", 403), ("judicial_sale", 403), ("manager_tanger", 404), ("outsider", 403)],
)
def test_case_page_is_404_outside_scope_and_403_without_the_right(
    personas, client, login, persona, status
):
    login(personas.users[persona])
    response = client.get(reverse("cases:detail", args=[personas.cases["sale"].pk]))
    assert response.status_code == status


def test_case_page_shows_tasks_timeline_and_waive_for_the_supervisor(personas, client, login):
    case = assigned_case(personas)
    Task.objects.filter(case=case, kind="report_to_prosecutor").update(
        due_at=timezone.now() - timedelta(hours=2)
    )
    login(personas.supervisor_sale)
    response = client.get(reverse("cases:detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "table-danger" in html and "Overdue" in html
    overdue_row = re.search(r'<tr class="table-danger">(.*?)</tr>', html, re.S).group(1)
    assert "Overdue" in overdue_row and "prosecutor" in overdue_row.lower()
    assert "judicial-reports/waive" in action_urls(html)
    assert "Case opened from report" in html and "assigned as" in html
    assert "Emergency" in html


def test_judicial_details_are_a_flag_only_for_the_reception_officer(personas, client, login):
    case = assigned_case(personas)
    services.judicial_report_record(
        actor=personas.manager_sale, case_id=case.pk, court="TPI de Salé",
        sent_at=timezone.now(), reference="PR-77",
    )  # fmt: skip
    login(personas.supervisor_sale)
    assert "PR-77" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    client.logout()
    login(personas.reception_sale)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "PR-77" not in html and "TPI de Salé" not in html


# --- actions -------------------------------------------------------------------------------------


def post(client, name, case, data=None, *extra):
    return client.post(reverse(f"cases:{name}", args=[case.pk, *extra]), data or {})


def test_assign_then_move_to_assessment(personas, client, login):
    case = report(personas.reception_sale)
    login(personas.reception_sale)
    for user, role in (
        (personas.manager_sale, "case_manager"),
        (personas.evaluator_sale, "evaluator"),
    ):
        response = post(client, "assign", case, {"assignee": f"{role}:{user.pk}"})
        assert response.status_code == 302
    case.refresh_from_db()
    assert (case.case_manager_id, case.evaluator_id) == (
        personas.manager_sale.pk,
        personas.evaluator_sale.pk,
    )
    response = post(client, "transition", case, {"to": "assessment", "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == "assessment"


def test_assign_refused_without_the_right_or_outside_scope(personas, client, login):
    case = report(personas.reception_sale)
    data = {"assignee": f"case_manager:{personas.manager_sale.pk}"}
    login(personas.manager_sale)
    assert post(client, "assign", case, data).status_code == 403
    client.logout()
    login(personas.manager_tanger)
    assert post(client, "assign", case, data).status_code == 403
    case.refresh_from_db()
    assert case.case_manager_id is None


def test_assign_to_someone_without_the_role_is_a_form_error(personas, client, login):
    case = report(personas.reception_sale)
    login(personas.reception_sale)
    response = post(
        client, "assign", case, {"assignee": f"case_manager:{personas.reception_sale.pk}"}
    )
    assert response.status_code == 400
    assert "assignee" in response.context["forms"]["assign"].errors


def test_transition_refused_to_a_role_that_cannot_perform_it(personas, client, login):
    case = assigned_case(personas)
    login(personas.manager_sale)  # T2 is the reception officer's (or a supervisor's)
    response = post(client, "transition", case, {"to": "assessment", "version": case.version})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.stage == "reception"


def test_closing_with_an_unmade_report_to_the_prosecutor_is_refused_and_the_case_stays_open(
    personas, client, login
):
    case = assigned_case(personas)
    version = case.version
    login(personas.supervisor_sale)
    closure = {
        "to": "closed", "version": version, "closure_reason": "duplicate",
        "goals_outcome": "not_applicable", "living_situation": "family", "education_status": "unknown",
    }  # fmt: skip
    response = post(client, "transition", case, closure)
    assert response.status_code == 302
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "A mandatory report to the prosecutor is neither made nor waived." in messages_of(page)
    case.refresh_from_db()
    assert (case.stage, case.version, case.closed_at) == ("reception", version, None)


def test_closing_needs_the_closure_fields(personas, client, login):
    case = assigned_case(personas)
    login(personas.supervisor_sale)
    response = post(client, "transition", case, {"to": "closed", "version": case.version})
    assert response.status_code == 400
    form = response.context["transitions"][-1].form
    assert {"closure_reason", "goals_outcome", "living_situation", "education_status"} <= set(
        form.errors
    )


def test_emergency_judicial_and_waiver_actions(personas, client, login):
    case = assigned_case(personas)
    now = timezone.now()
    login(personas.manager_sale)
    response = post(client, "safety_action", case, {
        "action_type": "urgent_medical_care", "requested_at": local(now - timedelta(minutes=20)),
        "completed_at": local(now - timedelta(minutes=5)), "outcome": "done",
    })  # fmt: skip
    assert response.status_code == 302
    assert post(client, "emergency_resolve", case, {"note": "Soins reçus."}).status_code == 302
    case.refresh_from_db()
    assert case.emergency_status == "resolved"

    # The manager cannot waive; the supervisor can, with a reason.
    assert post(client, "judicial_waive", case, {"kind": "report_to_prosecutor"}).status_code == 403
    client.logout()
    login(personas.supervisor_sale)
    short = post(client, "judicial_waive", case, {
        "kind": "report_to_prosecutor", "reason_code": "offence_ruled_out", "note": "non",
    })  # fmt: skip
    assert short.status_code == 400 and "note" in short.context["forms"]["judicial_waive"].errors
    waived = post(client, "judicial_waive", case, {
        "kind": "report_to_prosecutor", "reason_code": "offence_ruled_out",
        "note": "Vérification faite : aucune infraction.",
    })  # fmt: skip
    assert waived.status_code == 302
    assert case.tasks.get(kind="report_to_prosecutor").status == "waived"

    measure = post(client, "judicial_measure", case, {
        "measure_type": "protection_measure_481", "decided_at": str(timezone.localdate()),
        "starts_on": str(timezone.localdate()),
    })  # fmt: skip
    assert measure.status_code == 302
    assert case.judicial_measures.count() == 1


def test_report_to_the_prosecutor_completes_the_mandatory_task(personas, client, login):
    case = assigned_case(personas)
    login(personas.manager_sale)
    response = post(client, "judicial_report", case, {
        "referral_type": "offence_report", "court": "TPI de Salé", "sent_at": local(timezone.now()),
        "reference": "PR-1", "made_by": "us",
    })  # fmt: skip
    assert response.status_code == 302
    assert case.tasks.get(kind="report_to_prosecutor").status == "done"


@pytest.mark.parametrize(
    ("name", "persona", "status"),
    [
        ("safety_action", "manager_tanger", 404),
        ("emergency_resolve", "judicial_sale", 403),
        ("judicial_report", "cppe_sale", 403),
        ("judicial_measure", "provider_hospital_sale", 403),
        ("follow_up", "provider_hospital_sale", 403),
        ("plan_views", "auditor", 403),
        ("transfer_request", "reception_sale", 403),
        ("judicial_waive", "reception_sale", 403),
        ("plan_action_add", "manager_tanger", 404),
    ],
)
def test_actions_are_refused_to_the_wrong_persona_and_change_nothing(
    personas, client, login, name, persona, status
):
    case = assigned_case(personas)
    events = case.events.count()
    login(personas.users[persona])
    assert post(client, name, case, {"note": "x" * 20, "kind": "home_visit"}).status_code == status
    assert case.events.count() == events


def test_assessment_plan_and_follow_up(personas, client, login):
    case = assigned_case(personas)
    services.case_transition(actor=personas.reception_sale, case_id=case.pk, to="assessment")
    login(personas.evaluator_sale)
    assess(personas.evaluator_sale, case, 2)
    case.refresh_from_db()
    assert case.risk_level == 2
    case.refresh_from_db()
    assert (
        post(client, "transition", case, {"to": "planning", "version": case.version}).status_code
        == 302
    )

    client.logout()
    login(personas.manager_sale)
    due = str(timezone.localdate() + timedelta(days=20))
    data = {"service": "mental_health", "goal": "Soutien psychologique", "due_on": due}
    assert post(client, "plan_action_add", case, data).status_code == 302
    action = case.plan_actions.get()
    response = post(
        client,
        "plan_action_update",
        case,
        {"status": "referred", "version": action.version},
        action.pk,
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "referred"
    # An action of another case cannot be reached through this one.
    other = assigned_case(personas, first="Nadia", last="Bennani")
    assert (
        post(
            client,
            "plan_action_update",
            other,
            {"status": "done", "version": action.version},
            action.pk,
        ).status_code
        == 404
    )

    response = post(client, "follow_up", case, {
        "happened_at": local(timezone.now()), "kind": "home_visit", "child_seen": "on", "notes": "Visite.",
    })  # fmt: skip
    assert response.status_code == 302
    assert case.follow_ups.get().child_seen
    early = post(client, "follow_up", case, {
        "happened_at": local(timezone.now() - timedelta(days=30)), "kind": "home_visit",
    })  # fmt: skip
    assert early.status_code == 400 and "happened_at" in early.context["forms"]["follow_up"].errors


def test_plan_action_outside_planning_is_refused_with_a_message(personas, client, login):
    case = assigned_case(personas)
    login(personas.manager_sale)
    due = str(timezone.localdate() + timedelta(days=20))
    response = post(
        client, "plan_action_add", case, {"service": "health", "goal": "Soins", "due_on": due}
    )
    assert response.status_code == 302
    assert not case.plan_actions.exists()
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Plan actions are added from the planning stage on." in messages_of(page)


def test_plan_views_saved_then_a_stale_edit_is_refused(personas, client, login):
    case = case_in_planning(personas)
    login(personas.manager_sale)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    version = page.context["forms"]["plan_views"].initial["version"]
    assert version == case.version

    saved = post(
        client, "plan_views", case, {"plan_child_views": "Elle veut rester.", "version": version}
    )
    assert saved.status_code == 302
    stale = post(client, "plan_views", case, {"plan_child_views": "Écrasé", "version": version})
    assert stale.status_code == 409
    assert "changed by someone else" in " ".join(
        stale.context["forms"]["plan_views"].non_field_errors()
    )
    case.refresh_from_db()
    assert case.plan_child_views == "Elle veut rester."


def test_transfer_requested_then_accepted_by_the_receiving_supervisor(personas, client, login):
    case = assigned_case(personas)
    supervisor_tanger = make_user(
        "t.supervisor.tanger",
        role="supervisor",
        org=personas.orgs["cape_tanger"],
        province="01.511",
    )
    login(personas.manager_sale)
    response = post(client, "transfer_request", case, {
        "to_organisation": str(personas.orgs["cape_tanger"].pk), "reason": "family_moved", "note": "Déménagement.",
    })  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.pending_transfer_id

    client.logout()
    login(personas.supervisor_sale)  # the sending side does not decide
    assert post(client, "transfer_decide", case, {"accept": "1"}).status_code == 404
    client.logout()
    login(supervisor_tanger)
    assert case.number in client.get(reverse("cases:overdue")).content.decode()
    refused = post(client, "transfer_decide", case, {"accept": "0"})
    assert refused.status_code == 400  # a refusal needs its reason
    accepted = post(client, "transfer_decide", case, {"accept": "1"})
    assert accepted.status_code == 302 and accepted["Location"] == reverse(
        "cases:detail", args=[case.pk]
    )
    case.refresh_from_db()
    assert (
        case.organisation_id == personas.orgs["cape_tanger"].pk and case.pending_transfer_id is None
    )
    assert client.get(accepted["Location"]).status_code == 200


# --- lists ---------------------------------------------------------------------------------------


def test_my_work_lists_the_managers_open_tasks_overdue_first(personas, client, login):
    case = assigned_case(personas)
    Task.objects.filter(case=case, kind="full_assessment").update(
        due_at=timezone.now() - timedelta(days=1)
    )
    login(personas.manager_sale)
    response = client.get(reverse("cases:my_work"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    rows = response.context["rows"]
    open_tasks = set(
        Task.objects.filter(status="open", case__case_manager=personas.manager_sale).values_list(
            "pk", flat=True
        )
    )
    assert {r["task"].pk for r in rows} == open_tasks
    assert rows[0]["overdue"] and rows[0]["task"].kind == "full_assessment"
    html = response.content.decode()
    assert case.number in html and "Overdue" in html
    assert personas.cases["tanger"].number not in html


def test_overdue_lists_an_overdue_task_for_the_supervisor(personas, client, login):
    case = assigned_case(personas)
    task = case.tasks.filter(status="open").exclude(kind="report_to_prosecutor").first()
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(days=3))
    login(personas.supervisor_sale)
    response = client.get(reverse("cases:overdue"))
    assert response.status_code == 200
    assert task.pk in {t.pk for t in response.context["tasks"]}
    assert case.number in response.content.decode()
    client.logout()
    login(personas.manager_sale)
    assert client.get(reverse("cases:overdue")).status_code == 403


def test_case_list_filters_and_keyset_pages(personas, client, login, monkeypatch):
    from himaya.cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [report(personas.reception_sale, first=f"Enfant{i}", last="Test") for i in range(3)]
    Case.objects.filter(pk=made[0].pk).update(risk_level=3)
    login(personas.supervisor_sale)
    first = client.get(reverse("cases:list"))
    assert first.status_code == 200
    numbers = [c.number for c in first.context["cases"]]
    assert len(numbers) == 2 and first.context["next_after"]
    second = client.get(reverse("cases:list"), {"after": first.context["next_after"]})
    rest = [c.number for c in second.context["cases"]]
    everyone = {c.number for c in Case.objects.filter(organisation=personas.orgs["cape_sale"])}
    assert set(numbers) | set(rest) == everyone and not set(numbers) & set(rest)

    level_3 = client.get(reverse("cases:list"), {"level": "3"})
    assert [c.pk for c in level_3.context["cases"]] == [made[0].pk]
    assessed = client.get(reverse("cases:list"), {"stage": "assessment"})
    assert list(assessed.context["cases"]) == []
    assert client.get(reverse("cases:list"), {"after": "garbage"}).status_code == 400
    assert client.get(reverse("cases:list"), {"stage": "nope"}).status_code == 400


def test_case_list_is_scoped(personas, client, login):
    login(personas.manager_tanger)
    html = client.get(reverse("cases:list")).content.decode()
    assert personas.cases["tanger"].number in html and personas.cases["sale"].number not in html


# --- query budgets -------------------------------------------------------------------------------


def busy_case(p) -> Case:
    """A case with many rows of every kind shown on its page."""
    case = case_in_planning(p)
    due = timezone.localdate() + timedelta(days=30)
    for i in range(6):
        services.plan_action_add(
            actor=p.manager_sale, case_id=case.pk, service="health", goal=f"But {i}", due_on=due
        )
        services.follow_up_add(
            actor=p.manager_sale,
            case_id=case.pk,
            happened_at=timezone.now(),
            kind="home_visit",
            child_seen=True,
        )
        services.safety_action_add(
            actor=p.manager_sale,
            case_id=case.pk,
            action_type="samu_pickup",
            requested_at=timezone.now(),
        )
        services.judicial_report_record(
            actor=p.manager_sale, case_id=case.pk, court=f"TPI {i}", sent_at=timezone.now()
        )
        services.judicial_measure_add(
            actor=p.manager_sale,
            case_id=case.pk,
            measure_type="other",
            decided_at=timezone.localdate(),
            starts_on=timezone.localdate(),
        )
    return Case.objects.get(pk=case.pk)


CASE_PAGE_QUERIES = 43  # measured: 41 (session, user, memberships, audit of the read, one query per section incl. hearings, assessments and linked cases, guards; the care panel: arrangements + the choices of its form; the referrals panel)
LIST_QUERIES = 10  # measured: 8 (list, my work), 9 (overdue)


def test_case_page_query_count_does_not_grow_with_its_rows(
    personas, client, login, django_assert_max_num_queries
):
    case = busy_case(personas)
    assert CaseEvent.objects.filter(case=case).count() > 30
    login(personas.supervisor_sale)
    client.get(reverse("cases:detail", args=[case.pk]))  # warm the code-list cache
    with django_assert_max_num_queries(CASE_PAGE_QUERIES):
        response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert len(response.context["plan_actions"]) == 6 and len(response.context["follow_ups"]) == 6


def test_list_pages_query_counts(personas, client, login, django_assert_max_num_queries):
    for i in range(8):
        case = assigned_case(personas, first=f"Enfant{i}", last="Liste")
        Task.objects.filter(case=case, status="open").update(
            due_at=timezone.now() - timedelta(hours=1)
        )
    for persona, name in (
        ("supervisor_sale", "cases:list"),
        ("manager_sale", "cases:my_work"),
        ("supervisor_sale", "cases:overdue"),
    ):
        client.logout()
        login(personas.users[persona])
        client.get(reverse(name))  # warm the code-list cache
        with django_assert_max_num_queries(LIST_QUERIES):
            response = client.get(reverse(name))
        assert response.status_code == 200
        rows = (
            response.context.get("cases")
            or response.context.get("rows")
            or response.context.get("tasks")
        )
        assert len(rows) >= 8, name


# --- languages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_every_case_page_renders_in_arabic_and_french(personas, client, login, language, direction):
    case = assigned_case(personas)
    Task.objects.filter(case=case, status="open").update(due_at=timezone.now() - timedelta(hours=1))
    pages = [
        ("reception_sale", reverse("cases:intake")),
        ("supervisor_sale", reverse("cases:list")),
        ("manager_sale", reverse("cases:my_work")),
        ("supervisor_sale", reverse("cases:overdue")),
        ("supervisor_sale", reverse("cases:detail", args=[case.pk])),
        ("manager_sale", reverse("cases:detail", args=[case.pk])),
        ("reception_sale", reverse("cases:detail", args=[case.pk])),
        ("judicial_sale", reverse("cases:judicial_inbox")),
        ("judicial_sale", reverse("cases:judicial_case", args=[case.pk])),
    ]
    for persona, url in pages:
        client.logout()
        login(personas.users[persona])
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        assert f'<html lang="{language}" dir="{direction}">' in response.content.decode(), url
    client.logout()
    login(personas.reception_sale)
    fragment = client.get(
        reverse("cases:intake_matches"),
        {"first_name_lat": "Salma", "last_name_lat": "Riahi"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert fragment.status_code == 200
    child = client.get(
        reverse("cases:intake_child"), {"children-TOTAL_FORMS": "1"}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert child.status_code == 200


def test_timeline_sentences_are_translated(personas, client, login):
    case = assigned_case(personas)
    services.case_transition(actor=personas.reception_sale, case_id=case.pk, to="assessment")
    login(personas.supervisor_sale)
    html = client.get(
        reverse("cases:detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Moved from Reception to Assessment." in html


# --- invariants of the forms ---------------------------------------------------------------------


def test_form_labels_cover_the_service_codes(personas):
    from himaya.assessment.selectors import tier_a_codes

    flags = (
        case_forms.IntakeForm(user=personas.reception_sale).fields["immediate_danger_flags"].choices
    )
    assert [code for code, _label in flags] == tier_a_codes() == [f"A{i}" for i in range(1, 9)]
    assert tuple(case_forms.PLAN_ACTION_STATUS_LABELS) == services.PLAN_ACTION_STATUSES


def test_every_route_is_in_the_permission_matrix():
    from himaya.accounts.tests.test_permission_matrix import MATRIX
    from himaya.cases import urls

    assert {f"cases:{p.name}" for p in urls.urlpatterns} <= set(MATRIX)


def test_family_member_and_alleged_perpetrator_are_recorded_on_the_child(personas, client, login):
    case = personas.cases["sale"]
    login(personas.manager_sale)
    url = reverse("cases:relation_add", args=[case.pk])
    refused = client.post(
        url, {"relationship": "father", "perpetrator_has_access": "on", "name_lat": "Ahmed"}
    )
    assert refused.status_code == 400
    assert not case.child.relations.exists()
    response = client.post(
        url,
        {
            "relationship": "father",
            "name_lat": "Ahmed Riahi",
            "is_alleged_perpetrator": "on",
            "perpetrator_has_access": "on",
        },
    )
    assert response.status_code == 302
    relation = case.child.relations.get()
    assert (relation.relationship, relation.is_alleged_perpetrator, relation.person.name_lat) == (
        "father",
        True,
        "Ahmed Riahi",
    )
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert "Ahmed Riahi" in page.content.decode()


def test_emergency_placement_is_a_safety_action_with_its_shelter(personas, client, login):
    from himaya.accounts.models import Organisation

    shelter = Organisation.objects.create(
        code="t-eps-sale", type="eps", name_fr="EPS Salé", name_ar="مؤسسة سلا", province_id="04.441"
    )
    case = personas.cases["sale"]
    login(personas.manager_sale)
    response = client.post(
        reverse("cases:safety_action", args=[case.pk]),
        {
            "action_type": "emergency_shelter",
            "requested_at": "2026-11-22T10:00",
            "completed_at": "2026-11-22T11:30",
            "outcome": "done",
            "provider": str(shelter.pk),
        },
    )
    assert response.status_code == 302
    action = case.emergencies.get().actions.get()
    assert (action.action_type, action.provider, action.outcome) == (
        "emergency_shelter",
        shelter,
        "done",
    )
    assert "EPS Salé" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_hearing_is_recorded_with_its_reminder(personas, client, login):
    case = personas.cases["sale"]
    login(personas.manager_sale)
    when = (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT10:00")
    response = client.post(
        reverse("cases:hearing", args=[case.pk]), {"scheduled_at": when, "kind": "hearing"}
    )
    assert response.status_code == 302
    assert case.hearings.count() == 1
    assert case.tasks.filter(kind="hearing_reminder", status="open").exists()
    assert (
        client.post(
            reverse("cases:hearing", args=[case.pk]), {"scheduled_at": "", "kind": "hearing"}
        ).status_code
        == 400
    )
