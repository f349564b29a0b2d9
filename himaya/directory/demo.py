"""Demo directory: the service catalogue, and in each of the eight pilot territories a
realistic set of institutions of every type of the circuit (CAPE, UPE, EPS, CPE, hospital
unit, school cell, police and prosecutor's cells, juvenile judge, associations, SAMU social,
local authority, labour inspectorate, Entraide Nationale delegation; the ONDE in Rabat and a
gendarmerie cell where the territory is partly rural), each answered by its own organisation.

Names, addresses, phone numbers and coordinates are synthetic (placed around each city's
centre). Created through `institution_create` by the `admin` persona, so each row has its
history and audit event. Idempotent: an existing code is left as it is."""

from __future__ import annotations

from himaya.accounts.models import Organisation, User
from himaya.core.demo import PILOT_TERRITORIES, DemoContext
from himaya.directory import services
from himaya.directory.catalogue import load_catalogue
from himaya.directory.models import Institution

CITIES = {
    "RAB": ("Rabat", "الرباط", 34.0209, -6.8416),
    "SAL": ("Salé", "سلا", 34.0531, -6.7985),
    "CAS": ("Casablanca-Anfa", "الدار البيضاء-أنفا", 33.5950, -7.6320),
    "TNG": ("Tanger", "طنجة", 35.7595, -5.8340),
    "MAR": ("Marrakech", "مراكش", 31.6295, -7.9811),
    "MEK": ("Meknès", "مكناس", 33.8935, -5.5473),
    "AGA": ("Agadir", "أكادير", 30.4278, -9.5981),
    "LAA": ("Laâyoune", "العيون", 27.1253, -13.1625),
}

# (suffix, type, name_fr pattern, name_ar pattern, services, capacity, extra values)
KINDS = [
    ("cape", "cape", "CAPE de {city}", "مركز المواكبة لحماية الطفولة {city}",
     ["mental_health", "family_support", "other"], None,
     {"managing_body": "Entraide Nationale", "supervising_authority": "MSSIF", "opening_hours": "Lun-ven 8h30-16h30"}),
    ("upe", "upe", "Unité de protection de l'enfance, {city}", "وحدة حماية الطفولة، {city}",
     ["mental_health", "family_support"], None,
     {"managing_body": "Association partenaire (convention EN)", "supervising_authority": "Entraide Nationale"}),
    ("eps", "eps", "Établissement de protection sociale Dar Al Atfal, {city}", "مؤسسة الرعاية الاجتماعية دار الأطفال، {city}",
     ["shelter", "education", "recreation"], 60,
     {"managing_body": "Association Dar Al Atfal", "supervising_authority": "Entraide Nationale", "authorisation_number": "65-15/{key}/001", "age_min": 6}),
    ("cpe", "cpe", "Centre de protection de l'enfance, {city}", "مركز حماية الطفولة، {city}",
     ["shelter", "education", "vocational_training"], 80,
     {"managing_body": "Ministère de la Jeunesse", "supervising_authority": "Juge des mineurs", "age_min": 12, "authorisation_number": "CPE-{key}"}),
    ("hospital", "hospital_unit", "Unité intégrée de prise en charge, hôpital de {city}", "الوحدة المندمجة للتكفل، مستشفى {city}",
     ["health", "mental_health"], None,
     {"managing_body": "Ministère de la Santé", "supervising_authority": "Direction régionale de la santé", "opening_hours": "24h/24"}),
    ("school", "school_listening_cell", "Cellule d'écoute, lycée Ibn Khaldoun, {city}", "خلية الإنصات، ثانوية ابن خلدون، {city}",
     ["education", "mental_health"], None, {"managing_body": "Direction provinciale de l'éducation"}),
    ("police", "police_cell", "Cellule de prise en charge des femmes et enfants (DGSN), {city}", "خلية التكفل بالنساء والأطفال (الأمن الوطني)، {city}",
     ["other"], None, {"managing_body": "DGSN", "opening_hours": "24h/24"}),
    ("prosecutor", "prosecutor_cell", "Cellule de prise en charge, tribunal de première instance de {city}", "خلية التكفل، المحكمة الابتدائية ب{city}",
     ["legal_aid"], None, {"managing_body": "Présidence du ministère public"}),
    ("judge", "juvenile_judge", "Juge des mineurs, tribunal de {city}", "قاضي الأحداث، محكمة {city}",
     ["legal_aid"], None, {"managing_body": "Ministère de la Justice"}),
    ("assoc-girls", "association", "Association Al Amal, foyer pour filles, {city}", "جمعية الأمل، دار الفتيات، {city}",
     ["shelter", "family_support", "mental_health"], 20,
     {"managing_body": "Association Al Amal", "sexes": "female", "authorisation_number": "65-15/{key}/014"}),
    ("assoc-family", "association", "Association Bayti, soutien aux familles, {city}", "جمعية بيتي لدعم الأسر، {city}",
     ["family_support", "economic_support", "recreation"], None, {"managing_body": "Association Bayti"}),
    ("samu", "samu_social", "SAMU social de {city}", "وحدة المساعدة الاجتماعية المتنقلة للمستعجلات، {city}",
     ["shelter", "health"], 12, {"managing_body": "Entraide Nationale", "opening_hours": "24h/24"}),
    ("local", "local_authority", "Bureau d'état civil, commune de {city}", "مكتب الحالة المدنية، جماعة {city}",
     ["civil_registration"], None, {"managing_body": "Commune"}),
    ("labour", "labour_inspectorate", "Inspection du travail, {city}", "مفتشية الشغل، {city}",
     ["other"], None, {"managing_body": "Ministère de l'Emploi"}),
    ("en", "entraide_nationale_delegation", "Délégation de l'Entraide Nationale, {city}", "مندوبية التعاون الوطني، {city}",
     ["economic_support", "vocational_training"], None, {"managing_body": "Entraide Nationale"}),
]  # fmt: skip
EXTRA_KINDS = {
    "RAB": [("onde", "onde", "Observatoire National des Droits de l'Enfant (ligne 2511)", "المرصد الوطني لحقوق الطفل (الخط 2511)",
             ["legal_aid", "mental_health"], None, {"managing_body": "ONDE", "opening_hours": "24h/24"})],
    "MAR": [("gendarmerie", "gendarmerie_cell", "Cellule de la Gendarmerie Royale, {city}", "خلية الدرك الملكي، {city}",
             ["other"], None, {"managing_body": "Gendarmerie Royale"})],
    "AGA": [("gendarmerie", "gendarmerie_cell", "Cellule de la Gendarmerie Royale, {city}", "خلية الدرك الملكي، {city}",
             ["other"], None, {"managing_body": "Gendarmerie Royale"})],
}  # fmt: skip
# Organisations that already exist (accounts/demo.py): the directory entry is theirs.
EXISTING_ORGANISATIONS = {
    ("SAL", "hospital"): "hospital-unit-sale",
    ("SAL", "prosecutor"): "prosecutor-sale",
}
# Places taken, so that some are full (the diagnostic then shows them at capacity).
FULL = {("SAL", "eps"), ("CAS", "assoc-girls"), ("TNG", "samu"), ("MAR", "cpe")}


def _organisation(key: str, suffix: str, org_type: str, name_fr: str, name_ar: str, province):
    if suffix == "cape":
        return Organisation.objects.get(code=f"cape-{key.lower()}")
    code = EXISTING_ORGANISATIONS.get((key, suffix), f"dir-{key.lower()}-{suffix}")
    organisation, _created = Organisation.objects.get_or_create(
        code=code,
        defaults={"type": org_type, "name_fr": name_fr, "name_ar": name_ar, "province": province,
                  "region": province.region},
    )  # fmt: skip
    return organisation


def seed(ctx: DemoContext) -> None:
    from himaya.core.models import Province

    load_catalogue()
    admin = User.objects.get(username="admin")
    created = 0
    for key, province_code in PILOT_TERRITORIES.items():
        province = Province.objects.get(pk=province_code)
        city_fr, city_ar, lat, lon = CITIES[key]
        for index, (
            suffix,
            org_type,
            name_fr,
            name_ar,
            service_codes,
            capacity,
            extra,
        ) in enumerate(KINDS + EXTRA_KINDS.get(key, [])):
            code = f"{key.lower()}-{suffix}"
            if Institution.objects.filter(code=code).exists():
                continue
            fr, ar = name_fr.format(city=city_fr), name_ar.format(city=city_ar)
            values = {k: (v.format(key=key) if isinstance(v, str) else v) for k, v in extra.items()}
            # Around the centre, on a small deterministic spiral (about 1 to 4 km apart).
            step = index + 1
            services.institution_create(
                actor=admin, code=code, name_fr=fr, name_ar=ar, type=org_type, province=province,
                organisation=_organisation(key, suffix, org_type, fr, ar, province),
                address=f"{10 + index} rue {['Al Massira', 'Hassan II', 'Mohammed V', 'Ibn Sina'][index % 4]}, {city_fr}",
                latitude=round(lat + 0.006 * step * (1 if index % 2 else -1), 5),
                longitude=round(lon + 0.005 * step * (1 if index % 3 else -1), 5),
                phone=f"05{index % 10}{(index * 7) % 10} {10 + index:02d} {20 + index:02d} {30 + index:02d}",
                email=f"contact@{code}.demo.ma", contact_person="Responsable de l'accueil",
                languages=["ar", "fr"] if key != "AGA" else ["ar", "ber", "fr"],
                capacity=capacity,
                occupancy=(capacity if (key, suffix) in FULL else (capacity * 2) // 3) if capacity else 0,
                services=service_codes, **values,
            )  # fmt: skip
            created += 1
    if created:
        ctx.stdout.write(f"Demo directory: {created} institutions in the eight pilot territories.")
