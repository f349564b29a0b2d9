"""Demo children: a few per pilot territory, Salé's assigned to manager.sale and
evaluator.sale, Tanger's to manager.tanger. Synthetic names only (DP-51)."""

from __future__ import annotations

import uuid
from datetime import date

from himaya.accounts.models import Organisation, User
from himaya.children.models import Child
from himaya.core.demo import PILOT_TERRITORIES, DemoContext

NAMESPACE = uuid.UUID("6b1f7e8e-0c55-4f0e-9d5a-2f3c1b0a9e11")
NAMES = [
    ("آمنة", "الإدريسي", "Amina", "El Idrissi", "female", date(2013, 4, 2)),
    ("يوسف", "بنعلي", "Youssef", "Benali", "male", date(2011, 9, 15)),
    ("مريم", "الحسني", "Meryem", "El Hassani", "female", date(2016, 1, 20)),
    ("إلياس", "العمري", "Ilyas", "El Omari", "male", date(2009, 7, 7)),
    ("سارة", "التويمي", "Sara", "Touimi", "female", date(2018, 11, 3)),
]


def seed(ctx: DemoContext) -> None:
    workers = {
        u.username: u
        for u in User.objects.filter(
            username__in=["manager.sale", "evaluator.sale", "manager.tanger"]
        )
    }
    for key, province_code in PILOT_TERRITORIES.items():
        organisation = Organisation.objects.get(code=f"cape-{key.lower()}")
        count = len(NAMES) if key in ("SAL", "TNG") else 2
        for index, (first_ar, last_ar, first_lat, last_lat, sex, born) in enumerate(NAMES[:count]):
            child, created = Child.objects.get_or_create(
                pk=uuid.uuid5(NAMESPACE, f"{key}-{index}"),
                defaults={
                    "first_name_ar": first_ar,
                    "last_name_ar": last_ar,
                    "first_name_lat": first_lat,
                    "last_name_lat": last_lat,
                    "sex": sex,
                    "birth_date": born,
                    "province_id": province_code,
                    "organisation": organisation,
                    "health_notes": "Asthme, suivi au centre de santé." if index == 0 else "",
                },
            )
            if created and key == "SAL":
                child.assigned_workers.set([workers["manager.sale"], workers["evaluator.sale"]])
            elif created and key == "TNG":
                child.assigned_workers.set([workers["manager.tanger"]])
