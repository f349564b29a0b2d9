"""Demo cases: in each of the eight pilot territories, one case at every stage of the circuit,
opened and moved through the real services (so deadlines, tasks, timeline and audit are real).
Salé's cases are worked by manager.sale and evaluator.sale, Tanger's by manager.tanger.
Idempotent: a territory whose demo reports exist is left as it is."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from himaya.accounts.models import Membership, Organisation, User
from himaya.cases import services
from himaya.cases.models import Report
from himaya.core.demo import PILOT_TERRITORIES, DemoContext
from himaya.core.models import Province

CHILDREN = [
    ("آمنة", "الإدريسي", "Amina", "El Idrissi", "female", 12, ["VPH.FAM"], ["A1"]),
    ("يوسف", "بنعلي", "Youssef", "Benali", "male", 14, ["NEG.CAR"], []),
    ("مريم", "الحسني", "Meryem", "El Hassani", "female", 9, ["SCO.DRP"], []),
    ("إلياس", "العمري", "Ilyas", "El Omari", "male", 15, ["EXP.LAB"], []),
    ("سارة", "التويمي", "Sara", "Touimi", "female", 7, ["NEG.SUP"], []),
    ("حمزة", "الصديقي", "Hamza", "Seddiki", "male", 16, ["RUE.DAY"], []),
]
STAGE_PLAN = ["reception", "assessment", "planning", "accompaniment", "follow_up", "closed"]
NAMED_STAFF = {
    "SAL": {
        "reception_officer": "reception.sale",
        "case_manager": "manager.sale",
        "evaluator": "evaluator.sale",
        "supervisor": "supervisor.sale",
    },
    "TNG": {"case_manager": "manager.tanger"},
}
ROLE_PREFIX = {
    "reception_officer": "reception",
    "case_manager": "manager",
    "evaluator": "evaluator",
    "supervisor": "supervisor",
}


def _staff(
    ctx: DemoContext, key: str, organisation: Organisation, province: Province
) -> dict[str, User]:
    """The CAPE's four case roles; the ones not in the persona table get a demo account."""
    staff = {}
    for role, prefix in ROLE_PREFIX.items():
        username = NAMED_STAFF.get(key, {}).get(role, f"{prefix}.{key.lower()}")
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": prefix.title(), "last_name": key}
        )
        if created:
            Membership.objects.create(
                user=user,
                organisation=organisation,
                role=role,
                scope="province",
                scope_province=province,
            )
        if username not in {u for names in NAMED_STAFF.values() for u in names.values()}:
            user.set_password(ctx.password)
            user.save(update_fields=["password"])
        staff[role] = User.objects.get(pk=user.pk)  # fresh object: memberships reloaded
    return staff


def seed(ctx: DemoContext) -> None:
    from django.core.management import call_command

    # The screen at intake and the assessments read the instrument in force.
    call_command("load_instruments", verbosity=0)
    now = timezone.now()
    for key, province_code in PILOT_TERRITORIES.items():
        if Report.objects.filter(external_reference__startswith=f"DEMO-{key}-").exists():
            continue
        province = Province.objects.get(pk=province_code)
        organisation = Organisation.objects.get(code=f"cape-{key.lower()}")
        staff = _staff(ctx, key, organisation, province)
        for index, (first_ar, last_ar, first_lat, last_lat, sex, age, concerns, flags) in enumerate(
            CHILDREN
        ):
            target = STAGE_PLAN[index]
            _report, (case,) = services.report_create(
                actor=staff["reception_officer"],
                data=services.ReportInput(
                    received_at=now - timedelta(days=40 - index * 5, hours=index),
                    channel=["onde_2511_line", "school_cell", "health_unit", "police_cell", "cape_walk_in", "upe_association"][index],
                    province=province, narrative="Signalement fictif pour la démonstration (données synthétiques).",
                    concerns=concerns, immediate_danger_flags=flags, external_reference=f"DEMO-{key}-{index}",
                    children=[services.ChildInput(first_name_ar=first_ar, last_name_ar=last_ar, first_name_lat=first_lat, last_name_lat=last_lat, sex=sex, estimated_age=age)],
                ),
            )  # fmt: skip
            _advance(case, target, staff, now)
        _siblings(key, province, staff, now)
    ctx.stdout.write(
        "Demo cases: every stage in each pilot territory (other CAPEs' staff: reception.<xxx>, manager.<xxx>, evaluator.<xxx>, supervisor.<xxx>)."
    )


def _siblings(key: str, province, staff: dict[str, User], now) -> None:
    """Two siblings in one report (linked cases); the elder under supervised liberty, recorded
    by the territory's judicial liaison, with its first quarterly report due."""
    _report, cases = services.report_create(
        actor=staff["reception_officer"],
        data=services.ReportInput(
            received_at=now - timedelta(days=120), channel="police_cell", province=province,
            narrative="Signalement fictif : deux frères et sœurs (données synthétiques).",
            concerns=["VPH.FAM"], external_reference=f"DEMO-{key}-siblings", triage_level=2, siblings=True,
            children=[
                services.ChildInput(first_name_ar="أنس", last_name_ar="الشرقاوي", first_name_lat="Anas", last_name_lat="Cherkaoui", sex="male", estimated_age=15),
                services.ChildInput(first_name_ar="سارة", last_name_ar="الشرقاوي", first_name_lat="Sara", last_name_lat="Cherkaoui", sex="female", estimated_age=9),
            ],
        ),
    )  # fmt: skip
    for case in cases:
        for user, role in (
            (staff["case_manager"], "case_manager"),
            (staff["evaluator"], "evaluator"),
        ):
            services.case_assign(
                actor=staff["reception_officer"], case_id=case.pk, user=user, as_role=role
            )
    liaison = User.objects.filter(
        memberships__role="judicial_liaison", memberships__scope_province=province
    ).first()
    actor = liaison or staff["supervisor"]
    services.judicial_report_record(
        actor=actor, case_id=cases[0].pk, court="Tribunal de première instance",
        sent_at=now - timedelta(days=119), reference=f"DEMO-{key}-PQ", cover_linked=True,
    )  # fmt: skip
    start = timezone.localdate() - timedelta(days=100)
    services.judicial_measure_add(
        actor=actor, case_id=cases[0].pk, measure_type="supervised_liberty",
        decided_at=start, starts_on=start, ends_on=start + timedelta(days=365),
        received_on=start + timedelta(days=12),  # JI02: received by the CAPE within 30 days
    )  # fmt: skip


def _advance(case, target: str, staff: dict[str, User], now) -> None:
    """Move a fresh case to `target` the way its workers would."""
    if case.offence_suspected:
        services.judicial_report_record(
            actor=staff["supervisor"],
            case_id=case.pk,
            court="Tribunal de première instance",
            sent_at=now - timedelta(days=1),
            reference="DEMO-PR",
        )
    if target == "reception":
        return
    services.case_assign(
        actor=staff["reception_officer"],
        case_id=case.pk,
        user=staff["case_manager"],
        as_role="case_manager",
    )
    services.case_assign(
        actor=staff["reception_officer"],
        case_id=case.pk,
        user=staff["evaluator"],
        as_role="evaluator",
    )
    if case.emergency_status == "active" or case.emergencies.filter(status="active").exists():
        services.safety_action_add(
            actor=staff["case_manager"],
            case_id=case.pk,
            action_type="urgent_medical_care",
            requested_at=now - timedelta(days=2),
            completed_at=now - timedelta(days=2) + timedelta(hours=1),
            outcome="done",
        )
        services.emergency_resolve(
            actor=staff["case_manager"], case_id=case.pk, note="Soins reçus."
        )
    services.case_transition(actor=staff["reception_officer"], case_id=case.pk, to="assessment")
    if target == "assessment":
        return
    from himaya.assessment.testing import assess

    assess(
        staff["evaluator"], case, 0 if target == "closed" else 2,
        child_views="Souhaite être écouté(e).", caregiver_views="La famille coopère.",
    )  # fmt: skip
    if target == "closed":
        from himaya.cases.models import Case

        services.case_update(
            actor=staff["case_manager"],
            case_id=case.pk,
            version=Case.objects.get(pk=case.pk).version,
            information_given="Droits expliqués ; orientation vers la cellule d'écoute scolaire.",
        )
        closure = {
            "reason": "no_protection_concern",
            "goals_outcome": "not_applicable",
            "living_situation": "family",
            "education_status": "enrolled_school",
            "child_views": "Souhaite rester en famille.",
        }
        services.case_transition(
            actor=staff["supervisor"], case_id=case.pk, to="closed", closure=closure
        )
        return
    services.case_transition(actor=staff["evaluator"], case_id=case.pk, to="planning")
    if target == "planning":
        return
    action = services.plan_action_add(
        actor=staff["case_manager"],
        case_id=case.pk,
        service="education",
        goal="Retour à l'école",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    from himaya.cases.models import Case

    version = Case.objects.get(pk=case.pk).version
    services.case_update(
        actor=staff["case_manager"],
        case_id=case.pk,
        version=version,
        plan_child_views="Veut retourner à l'école.",
    )
    services.case_transition(actor=staff["supervisor"], case_id=case.pk, to="accompaniment")
    services.follow_up_add(
        actor=staff["case_manager"],
        case_id=case.pk,
        happened_at=now - timedelta(days=1),
        kind="home_visit",
        child_seen=True,
        notes="Visite de démonstration.",
    )
    if target == "accompaniment":
        return
    services.plan_action_update(actor=staff["case_manager"], action_id=action.pk, status="done")
    services.case_transition(actor=staff["case_manager"], case_id=case.pk, to="follow_up")
