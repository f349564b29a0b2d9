"""Instrument files: loaded by `manage.py load_instruments`, refused with the line when
inconsistent, immutable once loaded, one active version per instrument."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from himaya.assessment.loader import (
    INSTRUMENTS_DIR,
    InstrumentFileError,
    load_instruments,
    read_instrument,
)
from himaya.assessment.models import InstrumentVersion

pytestmark = pytest.mark.django_db
SHIPPED = (INSTRUMENTS_DIR / "GESD-MA-0.1.yaml").read_text(encoding="utf-8")
OTHER = Path(__file__).parent / "data" / "OTHER-2.0.yaml"


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(needle)


def refused(tmp_path, text: str) -> str:
    path = tmp_path / "BROKEN-0.1.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InstrumentFileError) as error:
        read_instrument(path)
    return str(error.value)


def test_the_shipped_instrument_is_loaded_and_active():
    version = InstrumentVersion.objects.get(instrument__code="GESD-MA", version="0.1")
    assert version.status == "active" and version.provisional
    assert [f["code"] for f in version.definition["tier_a"]] == [f"A{i}" for i in range(1, 9)]
    assert [d["code"] for d in version.definition["dimensions"]] == [f"D{i}" for i in range(1, 8)]
    for dim in version.definition["dimensions"]:
        for score in range(4):
            assert set(dim["descriptors"][str(score)]) == {"ar", "fr", "en"}


def test_a_rule_naming_an_unknown_dimension_is_refused_with_its_line(tmp_path):
    text = SHIPPED.replace("- {gte: [M, 6]}", "- {gte: [D9, 6]}")
    message = refused(tmp_path, text)
    assert "D9" in message and f"(line {line_of(text, 'D9, 6')})" in message
    assert message.startswith("BROKEN-0.1.yaml: levels.1.when.any.2.gte.0:")


def test_levels_with_a_gap_are_refused_with_their_line(tmp_path):
    text = SHIPPED.replace("  - level: 1\n", "  - level: 5\n")
    message = refused(tmp_path, text)
    assert "without a gap" in message and f"(line {line_of(text, 'levels:')})" in message


def test_a_missing_descriptor_is_refused_with_its_line(tmp_path):
    text = SHIPPED.replace("      2: {en: Regular contact", "      5: {en: Regular contact")
    message = refused(tmp_path, text)
    assert "no descriptor for 2" in message
    assert f"(line {line_of(text, 'descriptors:', 4)})" in message


def test_a_duplicate_key_and_bad_yaml_are_refused(tmp_path):
    assert "duplicate key" in refused(
        tmp_path, SHIPPED.replace("status: active", "status: active\nstatus: draft")
    )
    assert "not valid YAML" in refused(tmp_path, SHIPPED + "\n  : [")
    assert "unknown key" in refused(tmp_path, SHIPPED + "\nextra: 1\n")
    assert "draft, active or retired" in refused(
        tmp_path, SHIPPED.replace("status: active", "status: live")
    )
    assert "response standards in force" in refused(
        tmp_path, SHIPPED.replace("response_standards_version: 1", "response_standards_version: 9")
    )  # fmt: skip


def test_the_command_names_the_file_and_line_and_loads_nothing(tmp_path):
    path = tmp_path / "NEW-1.0.yaml"
    path.write_text(
        SHIPPED.replace("instrument: GESD-MA", "instrument: NEW").replace("[C, 3]", "[Z, 3]"),
        encoding="utf-8",
    )
    with pytest.raises(
        CommandError, match=r"NEW-1.0.yaml: levels.0.when.any.1.eq.0: .*\(line \d+\)"
    ):
        call_command("load_instruments", str(path), verbosity=0)
    assert not InstrumentVersion.objects.filter(instrument__code="NEW").exists()


def test_a_loaded_version_cannot_change(tmp_path):
    path = tmp_path / "GESD-MA-0.1.yaml"
    path.write_text(SHIPPED.replace("{eq: [C, 3]}", "{eq: [C, 2]}"), encoding="utf-8")
    with pytest.raises(InstrumentFileError, match="cannot change"):
        load_instruments([path])
    assert load_instruments().unchanged == ["GESD-MA 0.1"]  # reloading the same file: no-op


def test_a_new_active_version_retires_the_previous_one(tmp_path):
    path = tmp_path / "GESD-MA-0.2.yaml"
    path.write_text(SHIPPED.replace('version: "0.1"', 'version: "0.2"'), encoding="utf-8")
    report = load_instruments([path])
    assert report.loaded == ["GESD-MA 0.2"]
    statuses = dict(
        InstrumentVersion.objects.filter(instrument__code="GESD-MA").values_list(
            "version", "status"
        )
    )
    assert statuses == {"0.1": "retired", "0.2": "active"}


def test_two_active_versions_of_one_instrument_in_the_files_are_refused(tmp_path):
    second = tmp_path / "GESD-MA-0.2.yaml"
    second.write_text(SHIPPED.replace('version: "0.1"', 'version: "0.2"'), encoding="utf-8")
    with pytest.raises(InstrumentFileError, match="already has an active version"):
        load_instruments([INSTRUMENTS_DIR / "GESD-MA-0.1.yaml", second])


def test_the_second_instrument_loads_beside_the_first():
    call_command("load_instruments", str(OTHER), verbosity=0)
    codes = set(
        InstrumentVersion.objects.filter(status="active").values_list("instrument__code", flat=True)
    )
    assert codes == {"GESD-MA", "OTHER"}
