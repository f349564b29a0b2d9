"""The assessment pages: the form with the descriptors in the user's language and the computed
level by htmx, the case page's history and chart, the supervisor's approvals."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from himaya.assessment.models import Assessment
from himaya.assessment.testing import assess

pytestmark = pytest.mark.django_db
E4 = {"score_D1": "2", "score_D2": "1", "score_D3": "1", "score_D4": "1", "score_D5": "2", "score_D6": "1", "score_D7": "1"}  # fmt: skip


def in_language(client, language: str):
    client.cookies["django_language"] = language


@pytest.mark.parametrize(
    ("language", "descriptor"),
    [
        ("fr", "Contact régulier"),
        ("ar", "اتصال منتظم"),
        ("en", "Regular contact"),
    ],
)
def test_each_score_shows_its_descriptor_in_the_users_language(
    personas, client, login, language, descriptor
):
    login(personas.manager_sale)
    in_language(client, language)
    response = client.get(reverse("assessment:new", args=[personas.cases["sale"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"2 — {descriptor}" in html
    assert 'hx-post="' + reverse("assessment:preview", args=[personas.cases["sale"].pk]) in html


def test_the_computed_level_updates_before_saving(personas, client, login):
    login(personas.manager_sale)
    url = reverse("assessment:preview", args=[personas.cases["sale"].pk])
    partial = client.post(url, {"kind": "full", "score_D1": "2"}).content.decode()
    assert "D2, D3, D4, D5, D6, D7" in partial
    full = client.post(url, {"kind": "full", **E4}).content.decode()
    assert 'data-level="2"' in full
    flagged = client.post(url, {"kind": "full", "flag_A6": "on", **E4}).content.decode()
    assert 'data-level="3"' in flagged
    e10 = {**E4, "score_D1": "0", "score_D2": "3", "score_D4": "3", "score_D3": "2"}
    assert (
        "يُنصح بالنظر في تعديل المستوى" in client.post(url, {"kind": "full", **e10}).content.decode()
    )
    assert not Assessment.objects.exists()


def test_the_form_records_an_assessment_and_refuses_bad_input_in_place(personas, client, login):
    case = personas.cases["sale"]
    login(personas.manager_sale)
    url = reverse("assessment:new", args=[case.pk])
    missing = client.post(url, {"kind": "full", **{k: v for k, v in E4.items() if k != "score_D6"}})
    assert missing.status_code == 400
    assert missing.context["form"].errors["score_D6"]
    no_reason = client.post(url, {"kind": "full", "level_final": "1", **E4})
    assert no_reason.status_code == 400 and no_reason.context["form"].errors["override_reason"]
    flag_without_note = client.post(url, {"kind": "full", "flag_A1": "on", **E4})
    assert (
        flag_without_note.status_code == 400
        and flag_without_note.context["form"].errors["flags_note"]
    )
    assert not Assessment.objects.exists()
    response = client.post(
        url,
        {
            "kind": "full",
            "child_views": "Elle veut rentrer.",
            "need_education": "Déscolarisée",
            **E4,
        },
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert (assessment.level_final, assessment.needs, assessment.child_views) == (
        2,
        {"education": "Déscolarisée"},
        "Elle veut rentrer.",
    )


def test_the_case_page_shows_the_history_with_a_chart_and_a_table(
    personas, client, login, django_assert_max_num_queries
):
    case = personas.cases["sale"]
    assess(personas.manager_sale, case, 2)
    assess(personas.manager_sale, case, 3, kind="reassessment")
    assess(
        personas.manager_sale,
        case,
        2,
        kind="reassessment",
        level_final=1,
        override_reason="La situation s'apaise.",
    )
    login(personas.manager_sale)
    with django_assert_max_num_queries(60):
        response = client.get(reverse("cases:detail", args=[case.pk]))
    html = response.content.decode()
    assert html.count("<circle") == 3 and "<polyline" in html
    assert 'role="img"' in html and "level-chart-title" in html
    assert reverse("assessment:new", args=[case.pk]) in html
    history = response.context["history"]
    assert [a.level_final for a in history["rows"]] == [2, 3, 2]  # newest first; pending shows 2
    ys = [p.y for p in history["points"]]
    assert ys[1] < ys[0] == ys[2]  # level 3 is drawn higher


def test_the_supervisor_approves_from_the_pending_list(
    personas, client, login, django_assert_max_num_queries
):
    case = personas.cases["sale"]
    assessment = assess(
        personas.manager_sale, case, 2, level_final=1, override_reason="L'oncle a quitté le pays."
    )
    login(personas.supervisor_sale)
    with django_assert_max_num_queries(20):
        listing = client.get(reverse("assessment:pending"))
    assert case.number in listing.content.decode()
    detail = client.get(reverse("assessment:detail", args=[assessment.pk]))
    assert detail.context["decision_form"] is not None
    url = reverse("assessment:decide", args=[assessment.pk])
    assert client.post(url, {"decision": "reject", "reason": ""}).status_code == 400
    assert client.post(url, {"decision": "approve"}).status_code == 302
    assessment.refresh_from_db()
    case.refresh_from_db()
    assert (assessment.override_status, assessment.level_final, case.risk_level) == (
        "approved",
        1,
        1,
    )
    assert case.number not in client.get(reverse("assessment:pending")).content.decode()


def test_every_template_renders_in_arabic_and_french(personas, client, login):
    case = personas.cases["sale"]
    assessment = assess(
        personas.manager_sale, case, 2, level_final=1, override_reason="L'oncle a quitté le pays."
    )
    login(personas.supervisor_sale)
    for language in ("ar", "fr"):
        in_language(client, language)
        for url in (
            reverse("assessment:new", args=[case.pk]),
            reverse("assessment:detail", args=[assessment.pk]),
            reverse("assessment:pending"),
            reverse("cases:detail", args=[case.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert f'lang="{language}"' in response.content.decode()
    with translation.override("fr"):
        assert assessment.instrument_version.level_label(1) == "Vulnérabilité"
