"""Demo organisations and the personas of api-contract.md, in the eight pilot territories.

Bootstrap data: written directly (there is no actor yet to call the services with), once,
recorded as one `demo.seed` audit event. Running again only resets the passwords."""

from __future__ import annotations

from himaya.accounts.models import Membership, Organisation, User
from himaya.core.demo import PILOT_TERRITORIES, DemoContext
from himaya.core.models import Province

TERRITORY_NAMES_AR = {"SAL": "سلا", "TNG": "طنجة-أصيلة"}

# (code, type, territory key or None for national, name_fr, name_ar)
ORGANISATIONS = [
    (
        "min-mssif",
        "ministry",
        None,
        "Ministère de la Solidarité, de l'Insertion Sociale et de la Famille",
        "وزارة التضامن والإدماج الاجتماعي والأسرة",
    ),
    (
        "prosecutor-sale",
        "prosecutor_cell",
        "SAL",
        "Cellule de prise en charge des femmes et des enfants, tribunal de Salé",
        "خلية التكفل بالنساء والأطفال، المحكمة الابتدائية بسلا",
    ),
    (
        "hospital-unit-sale",
        "hospital_unit",
        "SAL",
        "Unité intégrée de prise en charge, hôpital de Salé",
        "الوحدة المندمجة للتكفل، مستشفى سلا",
    ),
]
for key in PILOT_TERRITORIES:
    ORGANISATIONS.append(
        (f"cape-{key.lower()}", "cape", key, f"CAPE {key}", f"مركز المواكبة لحماية الطفولة {key}")
    )
    ORGANISATIONS.append(
        (
            f"cppe-{key.lower()}",
            "cppe",
            key,
            f"CPPE {key}",
            f"اللجنة الإقليمية لحماية الطفولة {key}",
        )
    )

# (username, role, organisation code, territory key or None, first, last, name_ar)
PERSONAS = [
    ("reception.sale", "reception_officer", "cape-sal", "SAL", "Salma", "Bennani", "سلمى بناني"),
    ("manager.sale", "case_manager", "cape-sal", "SAL", "Karim", "Alaoui", "كريم العلوي"),
    ("evaluator.sale", "evaluator", "cape-sal", "SAL", "Nadia", "Tazi", "نادية التازي"),
    ("supervisor.sale", "supervisor", "cape-sal", "SAL", "Youssef", "Idrissi", "يوسف الإدريسي"),
    ("manager.tanger", "case_manager", "cape-tng", "TNG", "Hind", "Amrani", "هند العمراني"),
    ("judicial.sale", "judicial_liaison", "prosecutor-sale", "SAL", "Omar", "Fassi", "عمر الفاسي"),
    (
        "provider.hospital.sale",
        "service_provider",
        "hospital-unit-sale",
        "SAL",
        "Laila",
        "Berrada",
        "ليلى برادة",
    ),
    ("cppe.sale", "cppe_member", "cppe-sal", "SAL", "Hassan", "Chraibi", "حسن الشرايبي"),
    ("stats.national", "statistician", "min-mssif", None, "Amina", "Kettani", "أمينة الكتاني"),
    ("auditor.national", "auditor", "min-mssif", None, "Rachid", "Benjelloun", "رشيد بنجلون"),
    ("admin", "administrator", "min-mssif", None, "Samira", "Ouazzani", "سميرة الوزاني"),
]

ROLE_LABELS = {
    "reception_officer": "reception officer",
    "case_manager": "case manager",
    "evaluator": "evaluator",
    "supervisor": "supervisor (two-factor at first login)",
    "judicial_liaison": "judicial liaison",
    "service_provider": "service provider",
    "cppe_member": "CPPE member",
    "statistician": "statistician",
    "auditor": "auditor (two-factor at first login)",
    "administrator": "administrator (two-factor at first login)",
}


def seed(ctx: DemoContext) -> None:
    provinces = Province.objects.in_bulk(list(PILOT_TERRITORIES.values()))
    organisations = {}
    for code, org_type, key, name_fr, name_ar in ORGANISATIONS:
        province = provinces[PILOT_TERRITORIES[key]] if key else None
        organisations[code], _created = Organisation.objects.get_or_create(
            code=code,
            defaults={
                "type": org_type,
                "name_fr": name_fr,
                "name_ar": name_ar,
                "province": province,
                "region": province.region if province else None,
            },
        )
    for username, role, org_code, key, first, last, name_ar in PERSONAS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "name_ar": name_ar}
        )
        user.set_password(ctx.password)
        user.save(update_fields=["password"])
        if created:
            province = provinces[PILOT_TERRITORIES[key]] if key else None
            Membership.objects.create(
                user=user,
                organisation=organisations[org_code],
                role=role,
                scope="province" if province else "national",
                scope_province=province,
            )
        territory = PILOT_TERRITORIES[key] if key else "national"
        ctx.persona(username, f"{ROLE_LABELS[role]}, {org_code}, {territory}")
