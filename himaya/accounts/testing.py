"""Shared test personas in two territories (STYLE.md): Salé (04.441) and Tanger (01.511).

Used by the root conftest's `personas` fixture, so that every view and API test can check
"other territory → 404" and "wrong role → 403" by habit."""

from __future__ import annotations

from dataclasses import dataclass, field

from himaya.accounts.models import Membership, Organisation, User
from himaya.children.models import Child

PASSWORD = "correct-horse-battery-staple"

# --- The permission matrix (accounts/tests/test_permission_matrix.py) ---------------------
PERSONAS = [
    "anonymous", "reception_sale", "manager_sale", "evaluator_sale", "supervisor_sale",
    "manager_tanger", "judicial_sale", "provider_hospital_sale", "cppe_sale", "auditor", "admin", "outsider",
]  # fmt: skip
LOGIN = 302  # pages send anonymous visitors to the login page


def expect(default: int, anonymous: int, **others: int) -> dict[str, int]:
    """Matrix row: `default` for every persona, `anonymous` for the anonymous visitor."""
    table = dict.fromkeys(PERSONAS, default)
    table["anonymous"] = anonymous
    table.update(others)
    return table


def only(statuses: dict[str, int], *, others: int, anonymous: int) -> dict[str, int]:
    return expect(others, anonymous, **statuses)


def app_matrices(base: dict) -> dict:
    """`base` plus the `MATRIX` rows of every app's `tests/matrix.py`; a route twice fails."""
    import importlib

    from django.apps import apps

    merged = dict(base)
    for config in apps.get_app_configs():
        if not config.name.startswith("himaya."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.matrix")
        except ModuleNotFoundError as exc:
            if exc.name in (f"{config.name}.tests.matrix", f"{config.name}.tests"):
                continue
            raise
        twice = set(merged) & set(module.MATRIX)
        assert not twice, f"routes in two matrices: {sorted(twice)}"
        merged.update(module.MATRIX)
    return merged


SALE, TANGER = "04.441", "01.511"


@dataclass
class Personas:
    users: dict[str, User] = field(default_factory=dict)
    orgs: dict[str, Organisation] = field(default_factory=dict)
    children: dict[str, Child] = field(default_factory=dict)
    cases: dict = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.users[name]
        except KeyError:
            raise AttributeError(name) from None


def make_org(code: str, org_type: str, province_code: str | None) -> Organisation:
    return Organisation.objects.create(
        code=code, type=org_type, name_fr=code, name_ar=code, province_id=province_code
    )


def make_user(
    username: str,
    *,
    role: str | None = None,
    org: Organisation | None = None,
    province: str | None = None,
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    if role:
        Membership.objects.create(
            user=user,
            organisation=org,
            role=role,
            scope="province" if province else "national",
            scope_province_id=province,
        )
    return user


def _case(child, organisation, number: str, *, manager, opener):
    """A case in `reception`, opened now, managed by `manager` (fixture shortcut: the circuit's
    own tests open cases through the services)."""
    from django.utils import timezone

    from himaya.cases.models import Case

    now = timezone.now()
    return Case.objects.create(
        number=number, child=child, province_id=child.province_id, organisation=organisation, case_manager=manager,
        t0=now, opened_at=now, opened_by=opener, triage_level=2, risk_level=2,
    )  # fmt: skip


def build_personas() -> Personas:
    p = Personas()
    p.orgs = {
        "cape_sale": make_org("t-cape-sale", "cape", SALE),
        "cape_tanger": make_org("t-cape-tanger", "cape", TANGER),
        "hospital_sale": make_org("t-hospital-sale", "hospital_unit", SALE),
        "prosecutor_sale": make_org("t-prosecutor-sale", "prosecutor_cell", SALE),
        "cppe_sale": make_org("t-cppe-sale", "cppe", SALE),
        "ministry": make_org("t-ministry", "ministry", None),
    }
    o = p.orgs
    p.users = {
        "reception_sale": make_user(
            "t.reception.sale", role="reception_officer", org=o["cape_sale"], province=SALE
        ),
        "manager_sale": make_user(
            "t.manager.sale", role="case_manager", org=o["cape_sale"], province=SALE
        ),
        "evaluator_sale": make_user(
            "t.evaluator.sale", role="evaluator", org=o["cape_sale"], province=SALE
        ),
        "supervisor_sale": make_user(
            "t.supervisor.sale", role="supervisor", org=o["cape_sale"], province=SALE
        ),
        "manager_tanger": make_user(
            "t.manager.tanger", role="case_manager", org=o["cape_tanger"], province=TANGER
        ),
        "judicial_sale": make_user(
            "t.judicial.sale", role="judicial_liaison", org=o["prosecutor_sale"], province=SALE
        ),
        "provider_hospital_sale": make_user(
            "t.provider.sale", role="service_provider", org=o["hospital_sale"], province=SALE
        ),
        "cppe_sale": make_user(
            "t.cppe.sale", role="cppe_member", org=o["cppe_sale"], province=SALE
        ),
        "auditor": make_user("t.auditor", role="auditor", org=o["ministry"]),
        "admin": make_user("t.admin", role="administrator", org=o["ministry"]),
        "outsider": make_user("t.outsider"),
    }
    sale_child = Child.objects.create(
        first_name_ar="آمنة", last_name_ar="الإدريسي", first_name_lat="Amina", last_name_lat="El Idrissi",
        sex="female", province_id=SALE, organisation=o["cape_sale"], health_notes="asthma",
    )  # fmt: skip
    p.cases = {
        "sale": _case(
            sale_child,
            o["cape_sale"],
            "SAL-2000-000001",
            manager=p.users["manager_sale"],
            opener=p.users["reception_sale"],
        )
    }
    tanger_child = Child.objects.create(
        first_name_ar="يوسف", last_name_ar="بنعلي", first_name_lat="Youssef", last_name_lat="Benali",
        sex="male", province_id=TANGER, organisation=o["cape_tanger"],
    )  # fmt: skip
    p.cases["tanger"] = _case(
        tanger_child,
        o["cape_tanger"],
        "TNG-2000-000001",
        manager=p.users["manager_tanger"],
        opener=p.users["manager_tanger"],
    )
    from himaya.children.services import index_names

    for child in (sale_child, tanger_child):
        index_names(child)
    p.children = {"sale": sale_child, "tanger": tanger_child}
    return p


def sign_in(client, user):
    """Log `user` in on a test client as if they had passed both factors."""
    client.force_login(user)
    session = client.session
    session["himaya_2fa_ok"] = True
    session.save()
    return client
