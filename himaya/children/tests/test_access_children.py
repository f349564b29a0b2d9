"""A child's record through its selector: scope, restricted categories, break-the-glass, audit."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from himaya.accounts.models import Notification
from himaya.accounts.permissions import Perm
from himaya.audit.models import AuditEvent, BreakGlassAccess
from himaya.children import selectors, services

pytestmark = pytest.mark.django_db


def test_sale_record_is_404_to_manager_tanger_through_pages_and_api(personas, login, client):
    child = personas.children["sale"]
    login(personas.manager_tanger)
    assert client.get(f"/children/{child.pk}/").status_code == 404
    response = client.get(f"/api/v1/children/{child.pk}/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": response.json()["error"]["message"]}
    }
    assert child.pk not in {c.pk for c in selectors.children_visible_to(personas.manager_tanger)}
    denied = AuditEvent.objects.filter(action="child.read", child_id=child.pk, outcome="denied")
    assert denied.count() == 2


def test_every_read_is_audited(personas, login, client):
    child = personas.children["sale"]
    login(personas.manager_sale)
    assert client.get(f"/children/{child.pk}/").status_code == 200
    assert client.get(f"/api/v1/children/{child.pk}/").status_code == 200
    reads = AuditEvent.objects.filter(action="child.read", child_id=child.pk, outcome="allowed")
    assert [e.interface for e in reads.order_by("id")] == ["web", "api"]


def test_staff_of_the_organisation_not_assigned_get_403(personas):
    with pytest.raises(PermissionDenied):
        selectors.child_get_for_user(personas.evaluator_sale, personas.children["sale"].pk)
    # ...but they see its summary in the organisation's list (DP-19).
    summary = selectors.children_visible_to(personas.evaluator_sale, Perm.CHILD_VIEW_SUMMARY)
    assert list(summary) == [personas.children["sale"]]
    assert not selectors.children_visible_to(personas.evaluator_sale).exists()


def test_health_notes_only_with_the_health_permission(personas, client, login):
    login(personas.manager_sale)
    body = client.get(f"/api/v1/children/{personas.children['sale'].pk}/").json()
    assert body["health_notes"] == "asthma"


def test_list_is_scoped(personas):
    visible = lambda user: set(selectors.children_visible_to(user).values_list("pk", flat=True))  # noqa: E731
    assert visible(personas.manager_sale) == {personas.children["sale"].pk}
    assert visible(personas.supervisor_sale) == {personas.children["sale"].pk}
    assert visible(personas.manager_tanger) == {personas.children["tanger"].pk}
    assert visible(personas.auditor) == set()
    assert visible(personas.admin) == set()


def test_break_the_glass_opens_read_only_for_two_hours_and_notifies_the_supervisor(personas):
    child = personas.children["sale"]
    with pytest.raises(Http404):
        selectors.child_get_for_user(personas.manager_tanger, child.pk)
    glass = services.child_break_glass_open(
        actor=personas.manager_tanger, child_id=child.pk, reason_code="child_present_now",
        justification="The child is at our office in Tanger tonight.",
    )  # fmt: skip
    assert glass.expires_at - glass.started_at == timedelta(hours=2)
    opened = selectors.child_get_for_user(personas.manager_tanger, child.pk)
    assert opened.break_glass == glass
    assert not opened.can_edit
    assert (
        Notification.objects.filter(user=personas.supervisor_sale, kind="break_glass").count() == 1
    )
    assert not Notification.objects.filter(user=personas.manager_tanger).exists()
    assert AuditEvent.objects.filter(
        action="breakglass.open", child_id=child.pk, actor=personas.manager_tanger
    ).exists()
    # After two hours the record is out of reach again.
    BreakGlassAccess.objects.filter(pk=glass.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(Http404):
        selectors.child_get_for_user(personas.manager_tanger, child.pk)


@pytest.mark.parametrize(
    ("reason", "text", "field"),
    [("other", "", "justification"), ("boredom", "A long enough text here.", "reason_code")],
)
def test_break_the_glass_needs_a_reason_and_a_written_justification(personas, reason, text, field):
    with pytest.raises(ValidationError) as error:
        services.child_break_glass_open(
            actor=personas.manager_tanger,
            child_id=personas.children["sale"].pk,
            reason_code=reason,
            justification=text,
        )
    assert field in error.value.message_dict
    assert not BreakGlassAccess.objects.exists()


def test_roles_without_break_the_glass_cannot_use_it(personas):
    for user in (
        personas.provider_hospital_sale,
        personas.cppe_sale,
        personas.auditor,
        personas.admin,
    ):
        with pytest.raises(PermissionDenied):
            services.child_break_glass_open(
                actor=user,
                child_id=personas.children["sale"].pk,
                reason_code="other",
                justification="x" * 30,
            )


def test_break_the_glass_page_flow(personas, login, client):
    child = personas.children["sale"]
    login(personas.manager_tanger)
    response = client.post(
        f"/children/{child.pk}/break-glass/", {"reason_code": "other", "justification": ""}
    )
    assert response.status_code == 400
    response = client.post(
        f"/children/{child.pk}/break-glass/",
        {
            "reason_code": "urgent_safety_check",
            "justification": "Police report the child at Tanger station.",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/children/{child.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "break-the-glass" in page.content.decode()


def test_supervisor_reviews_break_the_glass(personas, login, client):
    glass = services.child_break_glass_open(
        actor=personas.manager_tanger, child_id=personas.children["sale"].pk, reason_code="hearing_today",
        justification="Hearing at the Salé court this morning.",
    )  # fmt: skip
    login(personas.supervisor_sale)
    listing = client.get("/break-glass/?status=pending")
    assert str(glass.pk) in listing.content.decode()
    assert (
        client.post(
            f"/break-glass/{glass.pk}/", {"status": "not_justified", "note": ""}
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/break-glass/{glass.pk}/", {"status": "justified", "note": "Hearing confirmed."}
        ).status_code
        == 302
    )
    glass.refresh_from_db()
    assert (glass.review_status, glass.reviewed_by) == ("justified", personas.supervisor_sale)


def test_search_returns_minimal_identity_across_territories_and_is_logged(personas):
    results = selectors.children_search_minimal(personas.manager_tanger, "Amina")
    assert [(r["child"].pk, r["in_scope"]) for r in results] == [
        (personas.children["sale"].pk, False)
    ]
    event = AuditEvent.objects.get(action="child.search")
    assert event.data["result_ids"] == [str(personas.children["sale"].pk)]
    # Spelling and script variants find the same child; another name does not.
    for variant in ("Aminah Idrissi", "آمنة الإدريسي", "amina el-idrissi"):
        found = selectors.children_search_minimal(personas.manager_tanger, variant)
        assert [r["child"].pk for r in found][:1] == [personas.children["sale"].pk], variant
    assert not selectors.children_search_minimal(personas.manager_tanger, "Youssef Idrissi")


def test_birth_date_in_the_future_is_refused(personas):
    with pytest.raises(ValidationError) as error:
        services.child_create(
            actor=personas.reception_sale, organisation=personas.orgs["cape_sale"], province=personas.orgs["cape_sale"].province,
            birth_date=timezone.localdate() + timedelta(days=1),
        )  # fmt: skip
    assert "birth_date" in error.value.message_dict


def test_match_finds_a_spelling_and_script_variant_across_territories(personas, client, login):
    from himaya.children.services import index_names

    known = services.child_create(
        actor=personas.reception_sale, organisation=personas.orgs["cape_sale"], province=personas.orgs["cape_sale"].province,
        first_name_ar="محمد", last_name_ar="العلوي", sex="male", birth_date=timezone.localdate().replace(year=2013),
    )  # fmt: skip
    index_names(known)
    login(personas.manager_tanger)  # another territory: the duplicate search still finds the child
    response = client.post(
        "/api/v1/children/match/",
        {
            "first_name_lat": "Mohammed",
            "last_name_lat": "El Alaoui",
            "sex": "M",
            "birth_date": "2013-03-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    candidates = response.json()["candidates"]
    assert candidates[0]["child_id"] == str(known.pk) and candidates[0]["score"] >= 0.85
    assert set(candidates[0]) == {
        "child_id",
        "score",
        "sex",
        "birth_year",
        "province",
    }  # minimal identity
    assert AuditEvent.objects.filter(action="child.match", actor=personas.manager_tanger).exists()
    assert (
        client.post(
            "/api/v1/children/match/", {"sex": "M"}, content_type="application/json"
        ).status_code
        == 400
    )


def test_unknown_child_is_named_later_and_stale_edits_are_refused(personas, client, login):
    child = personas.children["sale"]
    login(personas.manager_sale)
    url = f"/children/{child.pk}/edit/"
    form = {
        "identity_status": "known", "first_name_ar": "آمنة", "last_name_ar": "الإدريسي", "first_name_lat": "Amina",
        "last_name_lat": "Idrissi", "sex": "female", "birth_date": "2013-04-02", "nationality": "MA",
        "migrant_status": "not_migrant", "civil_registration_status": "registered_document", "disability": "no",
        "education_status": "enrolled_school", "commune": "04.441.01.01", "version": str(child.version),
    }  # fmt: skip
    from himaya.core.models import Commune

    form["commune"] = (
        Commune.objects.filter(province_id="04.441").values_list("pk", flat=True).first()
    )
    response = client.post(url, form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.content.decode()[:2000]
    child.refresh_from_db()
    assert (child.last_name_lat, child.nationality, child.version) == ("Idrissi", "MA", 2)
    assert child.name_keys.exists()
    stale = client.post(url, {**form, "last_name_lat": "Overwrite"}, HTTP_ACCEPT_LANGUAGE="en")
    assert stale.status_code == 409
    child.refresh_from_db()
    assert child.last_name_lat == "Idrissi"
    future = client.post(
        url, {**form, "version": "2", "birth_date": "2999-01-01"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert future.status_code == 400
    tanger_commune = (
        Commune.objects.filter(province_id="01.511").values_list("pk", flat=True).first()
    )
    elsewhere = client.post(
        url, {**form, "version": "2", "commune": tanger_commune}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert elsewhere.status_code == 400
    change = AuditEvent.objects.get(action="child.update", child_id=child.pk)
    assert change.data["changes"]["last_name_lat"] == ["El Idrissi", "Idrissi"]
