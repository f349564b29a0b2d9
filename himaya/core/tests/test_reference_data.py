from collections import Counter

import pytest

from himaya.core.demo import PILOT_TERRITORIES
from himaya.core.models import Commune, Province, Region

pytestmark = pytest.mark.django_db


def test_all_territories_of_morocco_are_loaded_with_both_names():
    assert Region.objects.count() == 12
    assert Province.objects.count() == 83
    assert Commune.objects.count() == 1503
    for model in (Region, Province, Commune):
        assert not model.objects.filter(name_fr="").exists()
        assert not model.objects.filter(name_ar="").exists()


def test_province_types_and_casablanca_arrondissements():
    types = Counter(Province.objects.values_list("type", flat=True))
    assert types == {"province": 62, "prefecture": 13, "prefecture_of_arrondissements": 8}
    arrondissements = Province.objects.filter(type="prefecture_of_arrondissements")
    assert set(arrondissements.values_list("parent_id", flat=True)) == {"06.141"}
    assert Province.objects.filter(parent__isnull=False).count() == 8


def test_national_population_is_the_sum_of_prefectures_and_provinces():
    # The arrondissements are inside Casablanca's prefecture: counting them would count twice.
    top_level = Province.objects.exclude(type="prefecture_of_arrondissements")
    assert sum(top_level.values_list("population_2024", flat=True)) == 36_828_330


def test_pilot_territories_exist():
    found = Province.objects.filter(code__in=PILOT_TERRITORIES.values())
    assert found.count() == 8
    sale = Province.objects.get(code="04.441")
    assert (sale.name_fr, sale.name_ar, sale.region_id) == ("Salé", "سلا", "04")


def test_names_follow_active_language():
    from django.utils import translation

    sale = Province.objects.get(code="04.441")
    with translation.override("ar"):
        assert sale.name == "سلا"
    with translation.override("fr"):
        assert sale.name == "Salé"
    with translation.override("en"):
        assert sale.name == "Salé"


def test_loading_again_changes_nothing(django_assert_max_num_queries):
    from himaya.core.reference import load_geography

    before = list(Commune.objects.order_by("code").values_list("code", "name_ar", "province_id"))
    with django_assert_max_num_queries(2):
        assert load_geography() is False
    assert load_geography(force=True) is True
    after = list(Commune.objects.order_by("code").values_list("code", "name_ar", "province_id"))
    assert before == after
