"""The directory pages: list and filters, the institution page with its history and edit
form, creation by an administrator, the catalogue, suggestions, the offline map."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from himaya.directory.models import Institution

pytestmark = pytest.mark.django_db


def test_list_filters(world, client, login):
    login(world.manager_sale)
    html = client.get(reverse("directory:list") + "?province=04.441").content.decode()
    assert "t-inst-hospital-sale" in html and "t-inst-hospital-tanger" not in html


def test_own_users_edit_from_the_page_and_see_the_history(world, client, login):
    inst = world.institutions["hospital_sale"]
    login(world.provider_hospital_sale)
    page = client.get(reverse("directory:detail", args=[inst.pk]))
    assert 'action="/directory/' in page.content.decode()
    data = {"age_min": 0, "age_max": 17, "sexes": "any", "occupancy": 0, "capacity": "", "services": ["health"],
            "languages": ["ar", "fr"], "opening_hours": "24/7", "version": 1, "reason": "horaires"}  # fmt: skip
    response = client.post(reverse("directory:edit", args=[inst.pk]), data)
    assert response.status_code == 302
    inst.refresh_from_db()
    assert inst.opening_hours == "24/7" and inst.version == 2
    html = client.get(reverse("directory:detail", args=[inst.pk])).content.decode()
    assert "opening_hours" in html and "horaires" in html
    stale = client.post(reverse("directory:edit", args=[inst.pk]), {**data, "opening_hours": "x"})
    assert stale.status_code == 400
    inst.refresh_from_db()
    assert inst.opening_hours == "24/7"


def test_bad_input_on_the_edit_page_is_400_and_changes_nothing(world, client, login):
    inst = world.institutions["hospital_sale"]
    login(world.provider_hospital_sale)
    data = {"age_min": 12, "age_max": 6, "sexes": "any", "occupancy": 0, "version": 1}
    response = client.post(reverse("directory:edit", args=[inst.pk]), data)
    assert response.status_code == 400
    inst.refresh_from_db()
    assert inst.version == 1


def test_admin_creates_an_institution(world, client, login):
    login(world.admin)
    data = {"code": "eps-demo", "name_fr": "EPS", "name_ar": "مؤسسة", "type": "eps", "province": "04.441",
            "age_min": 0, "age_max": 17, "sexes": "any", "occupancy": 0, "capacity": 20, "services": ["shelter"],
            "active": "on"}  # fmt: skip
    response = client.post(reverse("directory:create"), data)
    assert response.status_code == 302
    assert Institution.objects.get(code="eps-demo").capacity == 20
    response = client.post(
        reverse("directory:create"), {**data, "province": "99.999", "code": "eps-2"}
    )
    assert response.status_code == 400 and not Institution.objects.filter(code="eps-2").exists()


def test_suggest_page(world, client, login):
    login(world.manager_sale)
    html = client.get(
        reverse("directory:suggest") + "?service=health&province=04.441"
    ).content.decode()
    assert "t-inst-hospital-sale" in html and "t-inst-hospital-tanger" not in html
    assert (
        client.get(reverse("directory:suggest") + "?service=health&province=nowhere").status_code
        == 400
    )


def test_map_page_works_offline(world, client, login):
    login(world.manager_sale)
    response = client.get(reverse("directory:map"))
    html = response.content.decode()
    markers = json.loads(
        re.search(r'id="directory-markers"[^>]*>(.*?)</script>', html, re.S).group(1)
    )
    assert {m["name"] for m in markers} >= {"t-inst-hospital-sale", "t-inst-hospital-tanger"}
    # every script and stylesheet is served from our own origin, every script carries the nonce
    for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
        assert src.startswith("/"), src
    nonce = re.search(r'nonce="([^"]+)"', html).group(1)
    assert html.count(f'nonce="{nonce}"') >= 4
    assert "style=" not in html
    # the files the page needs are installed by the setup (npm), found by staticfiles
    for path in ("vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css",
                 "vendor/topojson-client/topojson-client.min.js", "vendor/world-atlas/countries-50m.json",
                 "directory/map.js", "directory/directory.css"):  # fmt: skip
        assert finders.find(path), path
    atlas = json.loads(
        Path(finders.find("vendor/world-atlas/countries-50m.json")).read_text(encoding="utf-8")
    )
    ids = {g.get("id") for g in atlas["objects"]["countries"]["geometries"]}
    assert {"504", "732"} <= ids
    assert "connect-src" in str(settings.SECURE_CSP)


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_pages_render_in_every_language(world, client, login, language, direction):
    pages = [
        (world.manager_sale, reverse("directory:list")),
        (world.manager_sale, reverse("directory:services")),
        (world.manager_sale, reverse("directory:suggest") + "?service=health&province=04.441"),
        (world.manager_sale, reverse("directory:map")),
        (
            world.provider_hospital_sale,
            reverse("directory:detail", args=[world.institutions["hospital_sale"].pk]),
        ),
        (world.admin, reverse("directory:create")),
        (world.cppe_sale, reverse("directory:diagnostic")),
    ]
    for user, url in pages:
        client.logout()
        login(user)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        assert f'<html lang="{language}" dir="{direction}">' in response.content.decode()


def test_list_query_count(world, client, login, django_assert_max_num_queries):
    from himaya.directory.testing import institution

    for i in range(15):
        institution(f"q-{i}", province="04.441", services=["health"])
    login(world.manager_sale)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("directory:list")).status_code == 200
