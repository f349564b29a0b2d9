"""The merge pages: likely duplicates, comparison and merge, history and unmerge."""

import pytest

from himaya.children.models import Child, ChildMerge

pytestmark = pytest.mark.django_db
REASON = "Same mother, same birth date, the CAPE met her twice."


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_compare_merge_history_unmerge(personas, duplicate, login, client, language):
    survivor = personas.children["sale"]
    client.cookies["django_language"] = language
    login(personas.supervisor_sale)
    page = client.get(f"/children/{survivor.pk}/merge/{duplicate.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="take_birth_date" value="duplicate"' in body and "2014-05-02" in body
    response = client.post(
        f"/children/{survivor.pk}/merge/{duplicate.pk}/",
        {"reason": REASON, "survivor_version": survivor.version,
         "duplicate_version": duplicate.version, "take_birth_date": "duplicate"},
    )  # fmt: skip
    assert response.status_code == 302
    survivor.refresh_from_db()
    assert str(survivor.birth_date) == "2014-05-02"
    # The tombstone's page leads to the survivor; the survivor's page shows the history.
    assert client.get(f"/children/{duplicate.pk}/")["Location"] == f"/children/{survivor.pk}/"
    detail = client.get(f"/children/{survivor.pk}/").content.decode()
    assert f"/children/{survivor.pk}/unmerge/{duplicate.pk}/" in detail
    assert client.get(f"/children/{survivor.pk}/unmerge/{duplicate.pk}/").status_code == 200
    refused = client.post(f"/children/{survivor.pk}/unmerge/{duplicate.pk}/", {"reason": "no"})
    assert refused.status_code == 400
    done = client.post(f"/children/{survivor.pk}/unmerge/{duplicate.pk}/", {"reason": "Two sisters in fact."})  # fmt: skip
    assert done.status_code == 302
    assert Child.objects.get(pk=duplicate.pk).merged_into is None
    assert client.get(f"/children/{survivor.pk}/unmerge/{duplicate.pk}/").status_code == 404


def test_a_stale_comparison_is_refused_and_nothing_changes(personas, duplicate, login, client):
    survivor = personas.children["sale"]
    login(personas.supervisor_sale)
    response = client.post(
        f"/children/{survivor.pk}/merge/{duplicate.pk}/",
        {"reason": REASON, "survivor_version": survivor.version - 1 or 99, "duplicate_version": duplicate.version},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 409
    assert "changed in the meantime" in response.content.decode()
    assert not ChildMerge.objects.exists()


def test_bad_reason_is_400_with_the_field(personas, duplicate, login, client):
    survivor = personas.children["sale"]
    login(personas.supervisor_sale)
    response = client.post(
        f"/children/{survivor.pk}/merge/{duplicate.pk}/",
        {"reason": "dup", "survivor_version": survivor.version, "duplicate_version": duplicate.version},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 400
    assert "at least 10 characters" in response.content.decode()
    assert not ChildMerge.objects.exists()


def test_pages_are_scoped(personas, duplicate, login, client):
    tanger = personas.children["tanger"]
    login(personas.supervisor_sale)
    assert client.get(f"/children/{tanger.pk}/merge/{duplicate.pk}/").status_code == 404
    assert client.get(f"/children/{duplicate.pk}/merge/{tanger.pk}/").status_code == 404
    login(personas.manager_sale)
    assert (
        client.get(f"/children/{personas.children['sale'].pk}/merge/{duplicate.pk}/").status_code
        == 403
    )


def test_likely_duplicates_page(personas, duplicate, login, client, django_assert_max_num_queries):
    login(personas.supervisor_sale)
    with django_assert_max_num_queries(20):
        page = client.get("/children/duplicates/")
    assert page.status_code == 200
    assert (
        f"/children/{personas.children['sale'].pk}/merge/{duplicate.pk}/" in page.content.decode()
    )
    of = client.get(f"/children/{duplicate.pk}/duplicates/")
    assert f"/children/{duplicate.pk}/merge/{personas.children['sale'].pk}/" in of.content.decode()
    assert "/children/duplicates/" in client.get("/children/").content.decode()
