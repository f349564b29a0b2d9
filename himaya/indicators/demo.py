"""Demo programme records (Part B) for the pilot territories, then a refresh of the aggregate
tables so that the dashboards have figures as soon as the demo is loaded. Idempotent: a record
already present is not added again, and a refresh recomputes the same figures."""

from __future__ import annotations

from datetime import date

from himaya.accounts.models import User
from himaya.core.demo import PILOT_TERRITORIES, DemoContext
from himaya.indicators import aggregates
from himaya.indicators.models import ProgrammeRecord

# (indicator, value, source) per pilot territory — illustrative demo figures, not official.
RECORDS = [
    ("PG01", 1, "Décision du gouverneur (démo)"),
    ("PG03", 1, "Diagnostic provincial (démo)"),
    ("PG11", 1, "Procès-verbal de mise en production (démo)"),
]


def seed(ctx: DemoContext) -> None:
    admin = User.objects.filter(username="admin").first()
    if admin is not None:
        for province in PILOT_TERRITORIES.values():
            for indicator, value, source in RECORDS:
                ProgrammeRecord.objects.get_or_create(
                    indicator=indicator,
                    province_id=province,
                    reference_date=date(2025, 1, 15),
                    defaults={"value": value, "source_document": source, "recorded_by": admin},
                )
    aggregates.refresh()
