import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "direction", "marker"),
    [("ar", "rtl", "حماية"), ("fr", "ltr", "Protéger"), ("en", "ltr", "protecting every child")],
)
def test_home_page_renders_in_each_language(client, language, direction, marker):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'<html lang="{language}" dir="{direction}">', html)
    assert marker in html
    stylesheet = "bootstrap.rtl.min.css" if direction == "rtl" else "bootstrap.min.css"
    assert stylesheet in html


def test_arabic_is_the_default_language(client):
    html = client.get("/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html


def test_language_switcher_changes_language(client):
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    for code in ("ar", "fr", "en"):
        assert f'name="language" value="{code}"' in home
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="fr" dir="ltr">' in html


def test_home_page_has_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()


def test_territory_count_is_shown(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "83 territories are covered." in html
