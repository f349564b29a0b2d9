"""Every page a persona reaches renders in Arabic (RTL) and French (LTR) with no missing text."""

import pytest
from django.urls import reverse

PAGES = [
    ("manager_sale", "children:list", None),
    ("manager_sale", "children:detail", lambda p: [p.children["sale"].pk]),
    ("manager_sale", "children:search", None),
    ("manager_sale", "children:break_glass", lambda p: [p.children["tanger"].pk]),
    ("manager_sale", "notifications", None),
    ("manager_sale", "breakglass:list", None),
    ("admin", "accounts:organisations", None),
    ("admin", "accounts:organisation_create", None),
    ("admin", "accounts:organisation", lambda p: [p.orgs["cape_sale"].pk]),
    ("admin", "accounts:users", None),
    ("admin", "accounts:user_create", None),
    ("admin", "accounts:user", lambda p: [p.manager_sale.pk]),
    ("auditor", "audit:events", None),
    ("auditor", "audit:verify", None),
    ("manager_sale", "two_factor_setup", None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_pages_render_in_language(personas, client, login, language, direction):
    for persona, name, args in PAGES:
        client.logout()
        login(personas.users[persona])
        response = client.get(
            reverse(name, args=args(personas) if args else None), HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 200, name
        html = response.content.decode()
        assert f'<html lang="{language}" dir="{direction}">' in html, name
