from pathlib import Path

import pytest
from django.utils import translation

from himaya.core import codes
from himaya.core.models import Code, CodeList
from himaya.core.reference import CODES_DIR, ReferenceDataError, load_code_lists

pytestmark = pytest.mark.django_db


def test_every_shipped_list_is_loaded_with_three_labels():
    files = sorted(path.stem for path in CODES_DIR.glob("*.yaml"))
    assert sorted(CodeList.objects.values_list("name", flat=True)) == files
    assert len(files) >= 48
    assert not Code.objects.filter(label_ar="").exists()
    assert not Code.objects.filter(label_fr="").exists()
    assert not Code.objects.filter(label_en="").exists()


def test_label_follows_active_language():
    with translation.override("ar"):
        assert codes.label("sex", "female") == "أنثى"
    with translation.override("fr"):
        assert codes.label("sex", "female") == "Féminin"
    with translation.override("en"):
        assert codes.label("sex", "female") == "Female"
    assert codes.label("sex", "female", "fr") == "Féminin"


def test_unknown_code_shows_as_itself_but_is_not_valid():
    assert codes.label("sex", "nonsense") == "nonsense"
    assert not codes.is_valid("sex", "nonsense")
    assert codes.is_valid("sex", "male")
    with pytest.raises(KeyError):
        codes.entries("no_such_list")


def test_concern_subcategories_carry_parent_and_offence_flag():
    rape = codes.get("concern_subcategory", "VSX.RAP")
    assert rape.parent_code == "VSX"
    assert rape.attrs["offence"] == "Y"
    flags = {e.attrs.get("offence") for e in codes.entries("concern_subcategory")}
    assert flags == {"Y", "D", "N"}


def test_locked_codes_are_marked_and_sorted_as_in_the_file():
    stages = [e.code for e in codes.entries("case_stage")]
    assert stages == ["reception", "assessment", "planning", "accompaniment", "follow_up", "closed"]
    assert codes.get("task_type", "report_to_prosecutor").locked
    assert not codes.get("task_type", "follow_up").locked


def test_nationality_starts_with_morocco_and_has_special_codes():
    nationalities = codes.entries("nationality")
    assert nationalities[0].code == "MA"
    assert {"stateless", "unknown"} <= {e.code for e in nationalities}
    assert codes.label("nationality", "MA", "ar") == "المغرب"


def _write(directory: Path, name: str, body: str) -> None:
    (directory / f"{name}.yaml").write_text(body, encoding="utf-8")


LIST_HEADER = (
    "list: {name}\nversion: {version}\nlabels: {{en: Test, fr: Test, ar: اختبار}}\ncodes:\n"
)


def _code(code: str, locked: bool = False) -> str:
    lock = "\n    locked: true" if locked else ""
    return f"  - code: {code}\n    en: {code} en\n    fr: {code} fr\n    ar: {code} ar{lock}\n"


def test_a_code_removed_from_its_file_is_retired_not_deleted(tmp_path):
    _write(
        tmp_path,
        "demo_list",
        LIST_HEADER.format(name="demo_list", version=1) + _code("a") + _code("b"),
    )
    load_code_lists(directory=tmp_path)
    _write(tmp_path, "demo_list", LIST_HEADER.format(name="demo_list", version=2) + _code("a"))
    load_code_lists(directory=tmp_path)
    assert [e.code for e in codes.entries("demo_list")] == ["a"]
    assert [e.code for e in codes.entries("demo_list", include_retired=True)] == ["a", "b"]
    assert codes.label("demo_list", "b", "en") == "b en"
    assert codes.is_valid("demo_list", "b", allow_retired=True)
    assert CodeList.objects.get(name="demo_list").version == 2


def test_a_locked_code_cannot_be_removed(tmp_path):
    _write(
        tmp_path,
        "demo_lock",
        LIST_HEADER.format(name="demo_lock", version=1) + _code("a", locked=True) + _code("b"),
    )
    load_code_lists(directory=tmp_path)
    _write(tmp_path, "demo_lock", LIST_HEADER.format(name="demo_lock", version=2) + _code("b"))
    with pytest.raises(ReferenceDataError, match="locked code 'a'"):
        load_code_lists(directory=tmp_path)
    assert codes.is_valid("demo_lock", "a")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("list: other\nversion: 1\n", "'list' must be 'bad'"),
        ("list: bad\nversion: 0\n", "'version' must be a positive integer"),
        (
            LIST_HEADER.format(name="bad", version=1) + "  - code: x\n    en: X\n    fr: X\n",
            "code 'x' has no ar label",
        ),
        (
            LIST_HEADER.format(name="bad", version=1) + _code("x") + _code("x"),
            "code 'x' appears twice",
        ),
        (
            LIST_HEADER.format(name="bad", version=1) + _code("x") + "    colour: red\n",
            "unknown keys",
        ),
        ("list: [unclosed\n", "not valid YAML"),
    ],
)
def test_inconsistent_files_are_refused_naming_file_and_entry(tmp_path, body, message):
    _write(tmp_path, "bad", body)
    with pytest.raises(ReferenceDataError, match=r"bad\.yaml") as error:
        load_code_lists(directory=tmp_path)
    assert message in str(error.value)
    assert not CodeList.objects.filter(name="bad").exists()


def test_template_filter_renders_label():
    from django.template import Context, Template

    template = Template('{% load himaya %}{{ value|code_label:"sex" }}')
    with translation.override("fr"):
        assert template.render(Context({"value": "male"})) == "Masculin"
