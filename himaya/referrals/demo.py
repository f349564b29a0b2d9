"""Demo referrals: Salé's cases in planning, accompaniment and follow-up are referred by
manager.sale to the Salé hospital unit, so that provider.hospital.sale finds referrals waiting
in the inbox (one urgent, one routine) and one already accepted; in each other pilot
territory, the planning case is referred to its own hospital unit. Sent through the real
services (packet, plan action, timeline, audit, notifications). Idempotent."""

from __future__ import annotations

from himaya.accounts.models import User
from himaya.cases.models import Case
from himaya.core.demo import PILOT_TERRITORIES, DemoContext
from himaya.directory.models import Institution
from himaya.referrals import services
from himaya.referrals.models import Referral

SALE_PLAN = [
    # (case stage, service, urgency, note, answer)
    (
        "planning",
        "health",
        "urgent",
        "Examen médical et certificat: chute signalée par l'école.",
        None,
    ),
    (
        "accompaniment",
        "mental_health",
        "routine",
        "Suivi psychologique: troubles du sommeil depuis trois mois.",
        None,
    ),
    ("follow_up", "health", "routine", "Contrôle de vaccination et bilan de croissance.", "accept"),
]


def seed(ctx: DemoContext) -> None:
    hospital_sale = Institution.objects.filter(code="sal-hospital").first()
    if hospital_sale is None or Referral.objects.filter(institution=hospital_sale).exists():
        return
    manager = User.objects.get(username="manager.sale")
    provider = User.objects.get(username="provider.hospital.sale")
    sent = 0
    for stage, service, urgency, note, answer in SALE_PLAN:
        case = (
            Case.objects.filter(
                province_id=PILOT_TERRITORIES["SAL"], stage=stage, case_manager=manager
            )
            .order_by("number")
            .first()
        )
        if case is None:
            continue
        referral = services.referral_send(
            actor=manager, case_id=case.pk, institution_id=hospital_sale.pk, service=service,
            note=note, urgency=urgency,
        )  # fmt: skip
        if answer == "accept":
            services.referral_accept(actor=provider, referral_id=referral.pk)
        sent += 1
    for key, province_code in PILOT_TERRITORIES.items():
        if key == "SAL":
            continue
        hospital = Institution.objects.filter(code=f"{key.lower()}-hospital").first()
        case = (
            Case.objects.filter(province_id=province_code, stage="planning")
            .exclude(case_manager__isnull=True)
            .select_related("case_manager")
            .order_by("number")
            .first()
        )
        if hospital is None or case is None:
            continue
        services.referral_send(
            actor=case.case_manager, case_id=case.pk, institution_id=hospital.pk, service="health",
            note="Bilan de santé demandé par l'équipe d'évaluation.",
        )  # fmt: skip
        sent += 1
    ctx.stdout.write(
        f"Demo referrals: {sent} sent; provider.hospital.sale has the Salé hospital unit's inbox."
    )
