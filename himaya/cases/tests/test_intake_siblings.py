"""Several children in one report: each child with their own duplicate search on the intake
page, one case each, the cases linked (same report, siblings), shown on the case page and in
the API; a new episode after closure is linked to the previous one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from himaya.accounts.testing import sign_in
from himaya.cases.models import Case, CaseLink, Report
from himaya.cases.tests.test_pages_cases import intake_data
from himaya.children.models import Child

pytestmark = pytest.mark.django_db

SECOND = {
    "children-1-first_name_ar": "يوسف",
    "children-1-last_name_ar": "التازي",
    "children-1-first_name_lat": "Youssef",
    "children-1-last_name_lat": "Tazi",
    "children-1-sex": "male",
    "children-1-estimated_age": "6",
}


def two_children(**overrides) -> dict:
    data = intake_data(**overrides)
    data.update(SECOND)
    data["children-TOTAL_FORMS"] = "2"
    return data


def new_cases(personas):
    return Case.objects.exclude(pk__in=[c.pk for c in personas.cases.values()])


def test_two_children_get_two_linked_cases(personas, client, login):
    login(personas.reception_sale)
    response = client.post(reverse("cases:intake"), {**two_children(), "siblings": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    cases = list(new_cases(personas).select_related("child").order_by("number"))
    assert len(cases) == 2 and Report.objects.count() == 1
    assert {c.child.first_name_lat for c in cases} == {"Khadija", "Youssef"}
    assert cases[0].first_report_id == cases[1].first_report_id
    links = set(CaseLink.objects.values_list("case_id", "other_id", "kind"))
    a, b = cases[0].pk, cases[1].pk
    assert links == {
        (a, b, "same_report"), (b, a, "same_report"), (a, b, "sibling"), (b, a, "sibling"),
    }  # fmt: skip
    page = client.get(reverse("cases:detail", args=[a]))
    html = page.content.decode()
    assert cases[1].number in html and reverse("cases:detail", args=[b]) in html


def test_each_child_has_its_own_duplicate_search(personas, client, login):
    login(personas.reception_sale)
    assert client.post(reverse("cases:intake"), intake_data()).status_code == 302
    known = Child.objects.get(first_name_lat="Khadija")
    reports = Report.objects.count()
    # The second child is a spelling variant of a known child, and nobody said whether it is.
    data = intake_data(
        first_name_lat="Amal", last_name_lat="Bennani", first_name_ar="", last_name_ar=""
    )
    data.update({"children-1-first_name_lat": "Khadidja", "children-1-last_name_lat": "Tazi",
                 "children-1-sex": "female", "children-1-birth_date": "2014-05-02"})  # fmt: skip
    data["children-TOTAL_FORMS"] = "2"
    asked = client.post(reverse("cases:intake"), data)
    assert asked.status_code == 400
    forms = asked.context["children"].forms
    assert "child_id" in forms[1].errors and "child_id" not in forms[0].errors
    html = asked.content.decode()
    assert f'name="children-1-child_id" value="{known.pk}"' in html
    assert Report.objects.count() == reports  # nothing saved

    data["children-1-child_id"] = str(known.pk)
    data["children-0-child_id"] = "none"
    done = client.post(reverse("cases:intake"), data)
    assert done.status_code == 302
    assert known.cases.get().reports.count() == 2  # the known child's open case got the report
    joined = known.cases.get()
    new = Case.objects.get(child__first_name_lat="Amal")
    assert CaseLink.objects.filter(case=new, other=joined, kind="same_report").exists()


def test_a_bad_second_child_names_its_field_and_saves_nothing(personas, client, login):
    login(personas.reception_sale)
    data = two_children()
    data["children-1-birth_date"] = "2999-01-01"
    data.pop("children-1-estimated_age")
    response = client.post(reverse("cases:intake"), data)
    assert response.status_code == 400
    assert "birth_date" in response.context["children"].forms[1].errors
    assert not new_cases(personas).exists() and not Report.objects.exists()


def test_the_add_child_fragment_and_its_count(personas, client, login):
    login(personas.reception_sale)
    response = client.get(reverse("cases:intake_child"), {"children-TOTAL_FORMS": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'name="children-1-first_name_lat"' in html
    assert 'id="child-matches-children-1"' in html
    assert 'value="2" id="id_children-TOTAL_FORMS" hx-swap-oob="true"' in html
    assert '"prefix": "children-1"' in html.replace("&quot;", '"')
    assert (
        client.get(reverse("cases:intake_child"), {"children-TOTAL_FORMS": "10"}).status_code == 400
    )
    assert (
        client.get(reverse("cases:intake_child"), {"children-TOTAL_FORMS": "x"}).status_code == 400
    )


def test_the_matches_fragment_answers_for_one_child(personas, client, login):
    login(personas.reception_sale)
    client.post(reverse("cases:intake"), intake_data())
    known = Child.objects.get(first_name_lat="Khadija")
    response = client.get(
        reverse("cases:intake_matches"),
        {"prefix": "children-2", "children-2-first_name_lat": "Khadidja",
         "children-2-last_name_lat": "Tazi", "province": "04.441"},
    )  # fmt: skip
    html = response.content.decode()
    assert f'name="children-2-child_id" value="{known.pk}"' in html
    assert 'name="children-2-child_id" value="none"' in html


def test_the_api_links_the_cases_of_one_report_and_shows_them(personas):
    client = sign_in(APIClient(), personas.reception_sale)
    payload = {
        "received_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "channel": "onde_2511_line", "province": "04.441", "reporter": None,
        "concerns": ["VPH.FAM"], "narrative": "Deux enfants.", "siblings": True,
        "children": [{"first_name_lat": "Ali", "last_name_lat": "Amrani", "sex": "M"},
                     {"first_name_lat": "Sara", "last_name_lat": "Amrani", "sex": "F"}],
    }  # fmt: skip
    response = client.post("/api/v1/reports/", payload, format="json")
    assert response.status_code == 201, response.content
    first, second = (c["id"] for c in response.json()["cases"])
    detail = sign_in(APIClient(), personas.supervisor_sale).get(f"/api/v1/cases/{first}/")
    assert detail.status_code == 200
    links = {(link["kind"], link["case_id"]) for link in detail.json()["links"]}
    assert links == {("same_report", second), ("sibling", second)}


def test_a_new_episode_after_closure_is_linked_to_the_previous_one(personas, client, login):
    login(personas.reception_sale)
    client.post(reverse("cases:intake"), intake_data())
    child = Child.objects.get(first_name_lat="Khadija")
    old = child.cases.get()
    old.stage, old.closed_at = "closed", timezone.now()  # fixture shortcut: closed earlier
    old.save(update_fields=["stage", "closed_at"])
    data = intake_data(**{"child_id": str(child.pk)})
    response = client.post(reverse("cases:intake"), data)
    assert response.status_code == 302
    new = child.cases.exclude(pk=old.pk).get()
    assert CaseLink.objects.filter(case=new, other=old, kind="previous_episode").exists()
    assert CaseLink.objects.filter(case=old, other=new, kind="previous_episode").exists()


def test_one_report_to_the_prosecutor_covers_the_linked_siblings(personas):
    client = sign_in(APIClient(), personas.reception_sale)
    payload = {
        "received_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "channel": "onde_2511_line", "province": "04.441", "reporter": None,
        "concerns": ["VPH.FAM"], "narrative": "Deux enfants frappés.", "triage_level": 2,
        "children": [{"first_name_lat": "Omar", "last_name_lat": "Idrissi", "sex": "M"},
                     {"first_name_lat": "Hiba", "last_name_lat": "Idrissi", "sex": "F"}],
    }  # fmt: skip
    first, second = (
        c["id"] for c in client.post("/api/v1/reports/", payload, format="json").json()["cases"]
    )
    cases = Case.objects.filter(pk__in=[first, second])
    assert all(c.tasks.get(kind="report_to_prosecutor").status == "open" for c in cases)
    liaison = sign_in(APIClient(), personas.judicial_sale)
    response = liaison.post(
        f"/api/v1/cases/{first}/judicial-reports/",
        {"court": "TPI Salé", "sent_at": timezone.now().isoformat(), "cover_linked": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert all(c.tasks.get(kind="report_to_prosecutor").status == "done" for c in cases)
    assert all(c.judicial_referrals.count() == 1 for c in cases)
