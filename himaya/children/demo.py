"""Demo data of `children`: a second record of Salé's demo child Amina El Idrissi, registered
earlier under another spelling (the cases demo, which runs next, registers the first), so that
supervisor.sale finds a likely duplicate to compare, merge and unmerge. Idempotent: created
once (looked up by its spelling, which the cases demo does not use)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from himaya.accounts.models import Organisation, User
from himaya.children import services
from himaya.children.models import Child
from himaya.core.demo import DemoContext
from himaya.core.models import Province

SPELLING = {"first_name_lat": "Amina", "last_name_lat": "Idrissi", "province_id": "04.441"}


def seed(ctx: DemoContext) -> None:
    if Child.objects.filter(**SPELLING).exists():
        return
    supervisor = User.objects.get(username="supervisor.sale")
    services.child_create(
        actor=supervisor,
        organisation=Organisation.objects.get(code="cape-sal"),
        province=Province.objects.get(pk="04.441"),
        first_name_ar="أمينة",
        last_name_ar="الادريسي",
        first_name_lat="Amina",
        last_name_lat="Idrissi",
        sex="female",
        birth_date=date(timezone.localdate().year - 12, 12, 31),
        birth_date_estimated=True,
    )
    ctx.stdout.write(
        "Demo duplicate: a second record of Salé's Amina El Idrissi (supervisor.sale)."
    )
