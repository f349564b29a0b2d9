"""The service catalogue as data: loaded, idempotent, checked, retired not deleted."""

import pytest

from himaya.core import codes
from himaya.core.models import ReferenceDataset
from himaya.directory.catalogue import CatalogueError, load_catalogue, parse_catalogue
from himaya.directory.models import Service

pytestmark = pytest.mark.django_db


def test_every_service_type_is_in_the_catalogue_with_three_labels_and_stages():
    load_catalogue()
    assert set(Service.objects.values_list("code", flat=True)) == {
        e.code for e in codes.entries("service_type")
    }
    shelter = Service.objects.get(code="shelter")
    assert shelter.stages == [3, 8]
    assert (shelter.label_fr, shelter.label_ar) == ("Hébergement", "الإيواء")


def test_loading_twice_is_skipped_and_force_reloads():
    assert load_catalogue() is True
    assert load_catalogue() is False
    assert load_catalogue(force=True) is True
    assert ReferenceDataset.objects.filter(name="directory/service_catalogue").count() == 1


def test_a_service_removed_from_the_file_is_retired(tmp_path):
    load_catalogue()
    data = (parse_catalogue.__globals__["CATALOGUE"]).read_text(encoding="utf-8")
    trimmed = data.split("  - code: other")[0]
    path = tmp_path / "catalogue.yaml"
    path.write_text(trimmed, encoding="utf-8")
    load_catalogue(path=path)
    assert Service.objects.get(code="other").active is False


@pytest.mark.parametrize(
    ("needle", "replacement"),
    [("code: shelter", "code: helicopter"), ("stages: [3, 8]", "stages: [3, 11]"),
     ("    ar: الإيواء\n", "")],
)  # fmt: skip
def test_inconsistent_files_are_refused(tmp_path, needle, replacement):
    text = parse_catalogue.__globals__["CATALOGUE"].read_text(encoding="utf-8")
    assert needle in text
    path = tmp_path / "catalogue.yaml"
    path.write_text(text.replace(needle, replacement), encoding="utf-8")
    with pytest.raises(CatalogueError):
        load_catalogue(path=path)
