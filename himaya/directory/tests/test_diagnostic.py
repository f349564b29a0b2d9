"""The provincial diagnostic's figures against a fixture computed by hand (see the comments),
its access rule, the small-count suppression, and its PDF (Arabic shaped, page not blank)."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from himaya.cases.models import PlanAction
from himaya.core.models import Province
from himaya.directory.diagnostic import build_diagnostic, suppress
from himaya.directory.testing import institution
from himaya.referrals.models import Referral

pytestmark = pytest.mark.django_db
NOW = timezone.now().replace(microsecond=0)


def refer(personas, inst, service, *, sent_days, status, responded_days=None, completed_days=None,
          reason="", province="04.441"):  # fmt: skip
    case = personas.cases["sale"]
    action = PlanAction.objects.create(
        case=case, goal="g", service=service, due_on=NOW.date(), created_by=personas.manager_sale
    )
    return Referral.objects.create(
        case=case, plan_action=action, service=service, institution=inst,
        provider_organisation=personas.orgs["hospital_sale"], province_id=province, status=status,
        sent_at=NOW - timedelta(days=sent_days), sent_by=personas.manager_sale, due_on=NOW.date(),
        respond_by=NOW, refusal_reason=reason,
        responded_at=NOW - timedelta(days=responded_days) if responded_days is not None else None,
        completed_at=NOW - timedelta(days=completed_days) if completed_days is not None else None,
    )  # fmt: skip


@pytest.fixture
def fixture(personas):
    from himaya.directory.catalogue import load_catalogue

    load_catalogue()
    h1 = institution("h1", province="04.441", services=["health", "mental_health"])
    s1 = institution(
        "s1", province="04.441", services=["shelter", "education"], capacity=20, occupancy=20
    )
    institution("s2", province="04.441", services=["shelter"], capacity=10, occupancy=7)
    institution("x-inactive", province="04.441", services=["legal_aid"], active=False)
    rabat = institution("r-rabat", province="04.421", services=["legal_aid"])
    # R1 health: answered after 1 day, completed after 5 days
    refer(
        personas, h1, "health", sent_days=10, status="completed", responded_days=9, completed_days=5
    )
    # R2 health: refused after 2 days (family refused)
    refer(
        personas,
        h1,
        "health",
        sent_days=8,
        status="refused",
        responded_days=6,
        reason="family_refused",
    )
    # R3 shelter: impossible after 0.5 day (no capacity)
    refer(
        personas,
        s1,
        "shelter",
        sent_days=7,
        status="service_unavailable",
        responded_days=6.5,
        reason="no_capacity",
    )
    # R4 shelter: still waiting, sent 3 days ago
    refer(personas, s1, "shelter", sent_days=3, status="sent")
    # R5 shelter: accepted after 3 days
    refer(personas, s1, "shelter", sent_days=4, status="accepted", responded_days=1)
    # R6 health: before the period — not counted
    refer(
        personas,
        h1,
        "health",
        sent_days=400,
        status="completed",
        responded_days=399,
        completed_days=390,
    )
    # R7 another territory — not counted
    refer(personas, rabat, "legal_aid", sent_days=2, status="sent", province="04.421")
    return s1


def test_figures_match_the_hand_computed_fixture(fixture):
    with translation.override("en"):
        d = build_diagnostic(Province.objects.get(pk="04.441"), now=NOW)
    lines = {s.code: s for block in d.stages for s in block.services}
    # institutions offering each service in Salé: h1 (health, mental_health), s1 (shelter,
    # education), s2 (shelter); the inactive one and Rabat's do not count.
    assert {c: lines[c].institutions for c in ("health", "mental_health", "shelter", "education", "legal_aid")} == {
        "health": 1, "mental_health": 1, "shelter": 2, "education": 1, "legal_aid": 0
    }  # fmt: skip
    assert lines["shelter"].free_places == 3 and lines["education"].free_places == 0
    assert lines["health"].free_places is None
    h, s = lines["health"], lines["shelter"]
    assert (h.sent, h.completed, h.declined, h.impossible, h.open) == (2, 1, 1, 0, 0)
    assert (s.sent, s.accepted, s.declined, s.impossible, s.open) == (3, 1, 0, 1, 2)
    assert d.totals == {
        "sent": 5,
        "accepted": 1,
        "completed": 1,
        "declined": 1,
        "impossible": 1,
        "cancelled": 0,
        "open": 2,
    }
    # response times 1, 2, 0.5 and 3 days: median (1 + 2) / 2 = 1.5, mean 6.5 / 4 = 1.625
    assert d.waiting.answered == 4
    assert d.waiting.response_days_median == 1.5 and d.waiting.response_days_mean == 1.6
    assert (d.waiting.completed, d.waiting.completion_days_median) == (1, 5.0)
    assert (d.waiting.waiting_now, d.waiting.oldest_waiting_days) == (1, 3.0)
    assert d.by_reason == {"family_refused": 1, "no_capacity": 1}
    assert [i.code for i in d.at_capacity] == ["s1"] and d.institutions == 3
    placement = next(b for b in d.stages if b.number == 8)
    assert placement.label == "Placement and care arrangement"
    assert [m.code for m in placement.missing] == [
        "legal_aid", "vocational_training", "family_support", "recreation", "other"
    ]  # fmt: skip


def test_suppression_of_small_counts():
    assert [suppress(v) for v in (0, 1, 4, 5, None)] == ["0", "<5", "<5", "5", "—"]


def test_page_access_and_suppression(fixture, personas, login, client):
    url = "/directory/diagnostic/?province=04.441"
    login(personas.supervisor_sale)
    page = client.get(url)
    assert page.status_code == 200
    login(personas.cppe_sale)
    page = client.get(url)
    assert page.status_code == 200 and "&lt;5" in page.content.decode()
    assert client.get("/directory/diagnostic/?province=01.511").status_code == 404
    assert client.get("/directory/diagnostic/?province=nowhere").status_code == 404
    login(personas.manager_sale)
    assert client.get(url).status_code == 403


def test_pdf_renders_arabic_on_a_page_that_is_not_blank(fixture, personas, login, client):
    import pypdfium2

    login(personas.cppe_sale)
    response = client.get("/directory/diagnostic/pdf/?province=04.441", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.content)
    page = pdf[0]
    image = page.render(scale=1).to_pil().convert("L")
    histogram = image.histogram()
    dark = sum(histogram[:128])
    assert dark > 500  # text and rules are drawn
    text = page.get_textpage().get_text_range()
    assert "سلا" in text or "التشخيص" in text
