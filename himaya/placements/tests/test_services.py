"""Care arrangements (circuit.md §6.2): the rules of each service, the reassessment triggers,
the closure check 3, and the arrangements other records imply."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from himaya.accounts.models import Notification
from himaya.accounts.testing import SALE, make_org
from himaya.audit.models import AuditEvent
from himaya.cases import deadlines, workflow
from himaya.cases import services as case_services
from himaya.cases.models import CaseEvent
from himaya.cases.services import Conflict, StaleVersion
from himaya.children.models import ChildPerson, Person
from himaya.placements import selectors, services
from himaya.placements.models import CareArrangement, CareEvent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def world(personas):
    personas.orgs["eps_sale"] = make_org("t-eps-sale", "eps", SALE)
    personas.orgs["cpe_sale"] = make_org("t-cpe-sale", "cpe", SALE)
    personas.orgs["assoc_sale"] = make_org("t-assoc-sale", "association", SALE)
    return personas


def _open(p, **values):
    values.setdefault("start_date", TODAY - timedelta(days=10))
    return services.care_arrangement_open(
        actor=p.manager_sale, case_id=p.cases["sale"].pk, **values
    )


def _aunt(p) -> Person:
    person = Person.objects.create(name_lat="Khadija El Idrissi", created_by=p.manager_sale)
    ChildPerson.objects.create(child=p.children["sale"], person=person, relationship="aunt")
    return person


def _measure(p, measure_type="protection_measure_481", institution=None):
    return case_services.judicial_measure_add(
        actor=p.manager_sale, case_id=p.cases["sale"].pk, measure_type=measure_type,
        decided_at=TODAY - timedelta(days=3), starts_on=TODAY - timedelta(days=3),
        institution=institution,
    )  # fmt: skip


def _open_tasks(case, kind):
    return list(case.tasks.filter(kind=kind, status="open"))


def test_kinship_care_needs_a_carer_from_the_childs_family(world):
    p = world
    with pytest.raises(ValidationError) as refused:
        _open(p, care_type="kinship", legal_basis="family_agreement")
    assert "carer" in refused.value.message_dict
    stranger = Person.objects.create(name_lat="Someone", created_by=p.manager_sale)
    with pytest.raises(ValidationError) as refused:
        _open(p, care_type="kinship", legal_basis="family_agreement", carer=stranger)
    assert "carer" in refused.value.message_dict
    assert not CareArrangement.objects.exists()

    start = TODAY - timedelta(days=10)
    arrangement = _open(p, care_type="kinship", legal_basis="family_agreement", carer=_aunt(p))
    assert arrangement.active and arrangement.is_primary
    assert arrangement.next_review_due == deadlines._shift_date(start, "3M")
    assert list(arrangement.events.values_list("event_type", flat=True)) == ["admission"]
    (task,) = _open_tasks(p.cases["sale"], "placement_review")
    assert timezone.localdate(task.due_at) == arrangement.next_review_due
    assert CaseEvent.objects.filter(case=p.cases["sale"], kind="care_opened").exists()
    assert AuditEvent.objects.filter(action="care.open", target_id=str(p.cases["sale"].pk)).exists()


def test_residential_care_needs_an_institution_of_the_right_type(world):
    p = world
    with pytest.raises(ValidationError) as refused:
        _open(p, care_type="eps", legal_basis="administrative_admission")
    assert "provider_org" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _open(
            p,
            care_type="eps",
            legal_basis="administrative_admission",
            provider_org=p.orgs["cape_sale"],
        )
    assert "provider_org" in refused.value.message_dict
    arrangement = _open(
        p, care_type="eps", legal_basis="administrative_admission", provider_org=p.orgs["eps_sale"]
    )
    assert selectors.occupancy([p.orgs["eps_sale"].pk]) == {p.orgs["eps_sale"].pk: 1}
    assert selectors.current_arrangement(p.children["sale"].pk) == arrangement


def test_cpe_and_kafala_rest_on_a_judicial_decision_of_the_case(world):
    p = world
    with pytest.raises(ValidationError) as refused:
        _open(
            p,
            care_type="cpe",
            legal_basis="administrative_admission",
            provider_org=p.orgs["cpe_sale"],
        )
    assert "judicial_measure" in refused.value.message_dict
    other_case_measure = case_services.judicial_measure_add(
        actor=p.manager_tanger, case_id=p.cases["tanger"].pk, measure_type="protection_measure_481",
        decided_at=TODAY, starts_on=TODAY,
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        _open(
            p, care_type="cpe", legal_basis="judicial_decision", provider_org=p.orgs["cpe_sale"],
            judicial_measure=other_case_measure,
        )  # fmt: skip
    assert "judicial_measure" in refused.value.message_dict
    measure = _measure(p)
    arrangement = _open(
        p, care_type="cpe", legal_basis="judicial_decision", provider_org=p.orgs["cpe_sale"],
        judicial_measure=measure,
    )  # fmt: skip
    assert arrangement.judicial_measure == measure


def test_a_new_primary_arrangement_is_a_change_of_placement(world):
    p = world
    case = p.cases["sale"]
    first = _open(
        p, care_type="emergency_shelter", legal_basis="administrative_admission",
        provider_org=p.orgs["assoc_sale"], start_date=TODAY - timedelta(days=20),
    )  # fmt: skip
    assert first.next_review_due == TODAY - timedelta(days=13)  # every 7 days
    assert not _open_tasks(case, "reassessment")
    second = _open(
        p, care_type="eps", legal_basis="administrative_admission", provider_org=p.orgs["eps_sale"],
        start_date=TODAY - timedelta(days=5),
    )  # fmt: skip
    first.refresh_from_db()
    assert (first.end_date, first.end_reason) == (second.start_date, "other_arrangement")
    assert list(first.events.values_list("event_type", flat=True).order_by("at")) == [
        "admission",
        "discharge",
    ]
    assert _open_tasks(case, "reassessment"), "a change of placement is a reassessment trigger"
    assert case.events.filter(kind="reassessment_due", data__trigger="placement_change").exists()
    (review,) = _open_tasks(case, "placement_review")
    assert timezone.localdate(review.due_at) == second.next_review_due


def test_primary_arrangements_never_overlap(world):
    p = world
    _open(
        p, care_type="eps", legal_basis="administrative_admission", provider_org=p.orgs["eps_sale"]
    )
    before = CareArrangement.objects.count()
    with pytest.raises(ValidationError) as refused:
        _open(
            p, care_type="emergency_shelter", legal_basis="administrative_admission",
            provider_org=p.orgs["assoc_sale"], start_date=TODAY - timedelta(days=30),
        )  # fmt: skip
    assert "start_date" in refused.value.message_dict
    assert CareArrangement.objects.count() == before
    assert CareArrangement.objects.get().end_date is None
    # a secondary arrangement (respite, school boarding) may run alongside
    _open(
        p, care_type="other", legal_basis="family_agreement", is_primary=False,
        start_date=TODAY - timedelta(days=30),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("start_date", {"start_date": TODAY + timedelta(days=1)}),
        ("planned_end_date", {"planned_end_date": TODAY - timedelta(days=400)}),
        ("care_type", {"care_type": "orphanage"}),
        ("legal_basis", {"legal_basis": "because"}),
    ],
)
def test_impossible_data_is_refused_with_the_field_named(world, field, values):
    p = world
    data = {"care_type": "other", "legal_basis": "family_agreement", **values}
    with pytest.raises(ValidationError) as refused:
        _open(p, **data)
    assert field in refused.value.message_dict
    assert not CareArrangement.objects.exists()


def test_only_those_who_work_on_the_case_record_care(world):
    p = world
    for actor in (p.evaluator_sale, p.manager_tanger, p.judicial_sale, p.provider_hospital_sale):
        with pytest.raises(PermissionDenied):
            services.care_arrangement_open(
                actor=actor, case_id=p.cases["sale"].pk, care_type="other",
                legal_basis="family_agreement", start_date=TODAY,
            )  # fmt: skip
    assert not CareArrangement.objects.exists()


def test_ending_an_arrangement(world):
    p = world
    case = p.cases["sale"]
    arrangement = _open(p, care_type="kinship", legal_basis="family_agreement", carer=_aunt(p))
    with pytest.raises(ValidationError) as refused:
        services.care_arrangement_end(
            actor=p.manager_sale, arrangement_id=arrangement.pk, end_date=arrangement.start_date - timedelta(days=1),
            end_reason="returned_to_family",
        )  # fmt: skip
    assert "end_date" in refused.value.message_dict
    with pytest.raises(StaleVersion):
        services.care_arrangement_end(
            actor=p.manager_sale, arrangement_id=arrangement.pk, end_date=TODAY,
            end_reason="returned_to_family", version=arrangement.version + 1,
        )  # fmt: skip
    services.care_arrangement_end(
        actor=p.manager_sale, arrangement_id=arrangement.pk, end_date=TODAY,
        end_reason="returned_to_family", version=arrangement.version,
    )  # fmt: skip
    arrangement.refresh_from_db()
    assert (arrangement.end_date, arrangement.end_reason) == (TODAY, "returned_to_family")
    assert not _open_tasks(case, "placement_review")
    assert case.events.filter(kind="reassessment_due", data__trigger="return_to_family").exists()
    with pytest.raises(Conflict):
        services.care_arrangement_end(
            actor=p.manager_sale, arrangement_id=arrangement.pk, end_date=TODAY, end_reason="other"
        )


def test_a_runaway_alerts_and_triggers_a_reassessment(world):
    p = world
    case = p.cases["sale"]
    arrangement = _open(
        p, care_type="eps", legal_basis="administrative_admission", provider_org=p.orgs["eps_sale"]
    )
    with pytest.raises(Conflict):
        services.care_event_add(
            actor=p.manager_sale, arrangement_id=arrangement.pk, event_type="return_from_runaway",
            at=timezone.now(),
        )  # fmt: skip
    services.care_event_add(
        actor=p.manager_sale, arrangement_id=arrangement.pk, event_type="runaway",
        at=timezone.now() - timedelta(hours=2), note="not back after school",
    )  # fmt: skip
    alerted = set(Notification.objects.filter(kind="runaway").values_list("user_id", flat=True))
    assert alerted == {p.manager_sale.pk, p.supervisor_sale.pk}
    assert all("Amina" not in n.message for n in Notification.objects.all())  # DP-48
    assert case.events.filter(kind="reassessment_due", data__trigger="runaway").exists()
    with pytest.raises(Conflict):
        services.care_event_add(
            actor=p.manager_sale, arrangement_id=arrangement.pk, event_type="runaway",
            at=timezone.now(),
        )  # fmt: skip
    services.care_event_add(
        actor=p.manager_sale, arrangement_id=arrangement.pk, event_type="return_from_runaway",
        at=timezone.now(),
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.care_event_add(
            actor=p.manager_sale, arrangement_id=arrangement.pk, event_type="admission",
            at=timezone.now(),
        )  # fmt: skip
    assert "event_type" in refused.value.message_dict
    assert arrangement.events.filter(event_type=CareEvent.Type.RUNAWAY).count() == 1


def test_a_review_records_the_childs_views_and_schedules_the_next(world):
    p = world
    case = p.cases["sale"]
    arrangement = _open(
        p, care_type="emergency_shelter", legal_basis="administrative_admission",
        provider_org=p.orgs["assoc_sale"],
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.placement_review_add(
            actor=p.manager_sale, arrangement_id=arrangement.pk, reviewed_on=TODAY,
            child_seen=True, recommendation="continue",
        )  # fmt: skip
    assert "child_views" in refused.value.message_dict
    services.placement_review_add(
        actor=p.manager_sale, arrangement_id=arrangement.pk, reviewed_on=TODAY, child_seen=True,
        recommendation="continue", child_views="She feels safe and wants to go back to school.",
    )  # fmt: skip
    arrangement.refresh_from_db()
    assert arrangement.next_review_due == TODAY + timedelta(days=7)
    assert case.tasks.filter(kind="placement_review", status="done").count() == 1
    (next_task,) = _open_tasks(case, "placement_review")
    assert timezone.localdate(next_task.due_at) == TODAY + timedelta(days=7)


def _closure_refusal(case, reason):
    closure = {
        "reason": reason, "goals_outcome": "achieved", "living_situation": "family",
        "education_status": "enrolled", "child_views": "agrees",
    }  # fmt: skip
    ctx = workflow.GuardContext(
        case=case, reason="", closure=closure, facts=case_services._facts(case)
    )
    return workflow._closure_checklist(ctx)


def test_residential_care_blocks_closure_except_for_the_listed_reasons(world):
    p = world
    case = p.cases["sale"]

    def residential(reason):  # whether check 3 is the one refusing (later checks may refuse too)
        with translation.override("en"):
            return "EPS" in (_closure_refusal(case, reason) or "")

    assert not residential("goals_achieved")
    _open(
        p, care_type="eps", legal_basis="administrative_admission", provider_org=p.orgs["eps_sale"]
    )
    assert residential("goals_achieved")
    assert not residential("reached_majority") and not residential("death")
    _open(p, care_type="kinship", legal_basis="family_agreement", carer=_aunt(p), start_date=TODAY)
    assert not residential("goals_achieved")  # family-based care does not block


def test_a_placement_measure_opens_the_arrangement(world):
    p = world
    measure = _measure(p, "eps_placement", institution=p.orgs["eps_sale"])
    arrangement = CareArrangement.objects.get(judicial_measure=measure)
    assert (arrangement.care_type, arrangement.legal_basis) == ("eps", "judicial_decision")
    assert arrangement.provider_org == p.orgs["eps_sale"]
    # A placement measure naming an organisation that does not take children in is recorded;
    # the timeline says the arrangement is left to the case manager.
    _measure(p, "eps_placement", institution=p.orgs["hospital_sale"])
    assert CareArrangement.objects.count() == 1
    assert p.cases["sale"].events.filter(kind="care_not_recorded").count() == 1


def test_a_shelter_safety_action_is_the_emergency_placement(world):
    p = world
    now = timezone.now()
    case_services.safety_action_add(
        actor=p.manager_sale, case_id=p.cases["sale"].pk, action_type="emergency_shelter",
        requested_at=now - timedelta(hours=3), completed_at=now - timedelta(hours=1),
        outcome="done", provider=p.orgs["assoc_sale"],
    )  # fmt: skip
    arrangement = CareArrangement.objects.get()
    assert (arrangement.care_type, arrangement.provider_org) == (
        "emergency_shelter",
        p.orgs["assoc_sale"],
    )
    # recording the same shelter again does not open a second arrangement
    case_services.safety_action_add(
        actor=p.manager_sale, case_id=p.cases["sale"].pk, action_type="emergency_shelter",
        requested_at=now - timedelta(minutes=30), outcome="done", provider=p.orgs["assoc_sale"],
    )  # fmt: skip
    assert CareArrangement.objects.count() == 1


def test_admissions_and_discharges_move_the_institutions_occupancy(world):
    from himaya.directory.services import institution_create

    p = world
    institution = institution_create(
        actor=p.admin, code="t-eps", name_fr="EPS test", name_ar="مؤسسة", type="eps",
        province=p.cases["sale"].province, organisation=p.orgs["eps_sale"], capacity=10,
        occupancy=3,
    )  # fmt: skip
    arrangement = _open(
        p, care_type="eps", legal_basis="administrative_admission", provider_org=p.orgs["eps_sale"]
    )
    institution.refresh_from_db()
    assert institution.occupancy == 4
    services.care_arrangement_end(
        actor=p.manager_sale, arrangement_id=arrangement.pk, end_date=TODAY,
        end_reason="returned_to_family",
    )  # fmt: skip
    institution.refresh_from_db()
    assert institution.occupancy == 3
    assert institution.changes.filter(reason="admission").exists()
