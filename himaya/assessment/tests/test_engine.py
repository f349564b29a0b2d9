"""The scoring engine against assessment.md §4 and §10: the worked examples as a table, the
reference implementation as an oracle over every input, and the properties of §4."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himaya.assessment import engine
from himaya.assessment.loader import INSTRUMENTS_DIR, read_instrument

GESD = read_instrument(INSTRUMENTS_DIR / "GESD-MA-0.1.yaml").definition
DIMS = [f"D{i}" for i in range(1, 8)]
FLAGS = [f"A{i}" for i in range(1, 9)]


def gesd_ma_v0_1(tier_a: dict[str, bool], d: dict[str, int]) -> tuple[int, int, int]:
    """The reference implementation of assessment.md §4, copied verbatim (the oracle)."""
    c = d["D1"]
    l = (d["D2"] + d["D4"] + d["D5"] + 1) // 3  # noqa: E741 - the spec's name
    modifiers = d["D3"] + d["D6"] + d["D7"]
    if (
        any(tier_a.values())
        or c == 3
        or (c == 2 and l >= 2)
        or (c >= 1 and l == 3 and d["D3"] == 3)
    ):
        return c, l, 3
    if (c == 2 and l <= 1) or (c == 1 and l >= 2) or modifiers >= 6:
        return c, l, 2
    if c == 1 or d["D6"] >= 2 or d["D7"] >= 2:
        return c, l, 1
    return c, l, 0


# assessment.md §10: #, Tier A, D1..D7, C, S, L, M, first rule (index in `levels`), level.
EXAMPLES = [
    ("E1", ["A6"], (1, 0, 1, 0, 1, 2, 0), 1, 1, 0, 3, 0, 3),
    ("E2", [], (3, 0, 2, 0, 0, 1, 0), 3, 0, 0, 3, 0, 3),
    ("E3", [], (2, 2, 1, 1, 2, 1, 1), 2, 5, 2, 3, 0, 3),
    ("E4", [], (2, 1, 1, 1, 2, 1, 1), 2, 4, 1, 3, 1, 2),
    ("E5", [], (1, 3, 3, 3, 2, 1, 1), 1, 8, 3, 5, 0, 3),
    ("E6", [], (1, 3, 2, 3, 2, 1, 1), 1, 8, 3, 4, 1, 2),
    ("E7", [], (0, 0, 2, 0, 1, 2, 2), 0, 1, 0, 6, 1, 2),
    ("E8", [], (1, 1, 1, 1, 1, 1, 1), 1, 3, 1, 3, 2, 1),
    ("E9", [], (0, 0, 2, 0, 1, 1, 2), 0, 1, 0, 5, 2, 1),
    ("E10", [], (0, 3, 2, 3, 2, 1, 1), 0, 8, 3, 4, 3, 0),
]


@pytest.mark.parametrize(("name", "flags", "scores", "c", "s", "l", "m", "rule", "level"), EXAMPLES)
def test_worked_examples_of_section_10(name, flags, scores, c, s, l, m, rule, level):  # noqa: E741
    answers = dict(zip(DIMS, scores, strict=True))
    result = engine.evaluate(GESD, flags, answers)
    assert answers["D2"] + answers["D4"] + answers["D5"] == s
    assert (result.consequence, result.likelihood, result.values["M"]) == (c, l, m)
    assert (result.level, result.rule) == (level, rule), name


def test_e1_without_the_flag_is_level_1():
    answers = dict(zip(DIMS, (1, 0, 1, 0, 1, 2, 0), strict=True))
    assert engine.evaluate(GESD, [], answers).level == 1
    assert engine.evaluate(GESD, ["A6"], answers).level == 3


def test_e10_prompts_an_override():
    answers = dict(zip(DIMS, (0, 3, 2, 3, 2, 1, 1), strict=True))
    assert [p["en"] for p in engine.prompts(GESD, [], answers)] == [
        "High likelihood with no harm recorded — consider an override."
    ]
    assert engine.prompts(GESD, [], dict.fromkeys(DIMS, 1)) == []


def test_every_combination_matches_the_reference_and_its_totals():
    counts: Counter[int] = Counter()
    for combo in itertools.product(range(4), repeat=7):
        answers = dict(zip(DIMS, combo, strict=True))
        result = engine.evaluate(GESD, [], answers)
        assert (result.consequence, result.likelihood, result.level) == gesd_ma_v0_1({}, answers)
        counts[result.level] += 1
    assert counts == {0: 1024, 1: 3200, 2: 5952, 3: 6208}


scores_st = st.fixed_dictionaries({d: st.integers(0, 3) for d in DIMS})
flags_st = st.lists(st.sampled_from(FLAGS), unique=True)


@given(scores_st, st.lists(st.sampled_from(FLAGS), min_size=1, unique=True))
def test_any_tier_a_flag_gives_level_3(scores, flags):
    assert engine.evaluate(GESD, flags, scores).level == 3


@given(scores_st, flags_st, st.sampled_from(DIMS))
def test_raising_one_dimension_never_lowers_the_level(scores, flags, dim):
    before = engine.evaluate(GESD, flags, scores).level
    for higher in range(scores[dim] + 1, 4):
        assert engine.evaluate(GESD, flags, {**scores, dim: higher}).level >= before


@given(scores_st, flags_st)
def test_the_level_is_always_0_to_3_and_deterministic(scores, flags):
    first = engine.evaluate(GESD, flags, scores)
    assert 0 <= first.level <= 3
    assert engine.evaluate(GESD, list(reversed(flags)), dict(reversed(scores.items()))) == first
    assert first.level == gesd_ma_v0_1(dict.fromkeys(flags, True), scores)[2]


def test_half_up_rounding_of_div_round():
    definition = {
        **GESD,
        "derived": {**GESD["derived"], "H": {"div_round": [{"sum": ["D1", "D2"]}, 2]}},
    }
    values = [
        engine.evaluate(definition, [], {**dict.fromkeys(DIMS, 0), "D1": n}).values["H"]
        for n in range(4)
    ]
    assert values == [0, 1, 1, 2]  # 0, 0.5→1, 1, 1.5→2


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({**dict.fromkeys(DIMS, 1), "D3": 4}, {"scores.D3": "out of range"}),
        ({**dict.fromkeys(DIMS, 1), "D3": -1}, {"scores.D3": "out of range"}),
        ({d: 1 for d in DIMS if d != "D6"}, {"scores.D6": "missing"}),
        ({**dict.fromkeys(DIMS, 1), "D8": 1}, {"scores.D8": "unknown dimension"}),
        ({**dict.fromkeys(DIMS, 1), "D1": "2"}, {"scores.D1": "not a whole number"}),
        ({**dict.fromkeys(DIMS, 1), "D1": True}, {"scores.D1": "not a whole number"}),
        ({**dict.fromkeys(DIMS, 1), "D1": 1.5}, {"scores.D1": "not a whole number"}),
    ],
)
def test_answers_the_instrument_refuses(answers, errors):
    assert engine.validate_answers(GESD, [], answers) == errors


def test_an_unknown_flag_is_refused():
    assert engine.validate_answers(GESD, ["A9"], dict.fromkeys(DIMS, 1)) == {
        "flags": "unknown flag A9"
    }


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (lambda d: d["levels"][1]["when"]["any"].append({"gte": ["D9", 1]}), ("levels", 1, "when", "any", 3, "gte", 0), "D9"),
        (lambda d: d["levels"][0]["when"]["any"].append({"xor": [1, 2]}), ("levels", 0, "when", "any", 4, "xor"), "unknown condition operator"),
        (lambda d: d["levels"].pop(2), ("levels",), "without a gap"),
        (lambda d: d["levels"][3].update(when={"eq": ["C", 0]}), ("levels", 3, "when"), "last must be true"),
        (lambda d: d["levels"][0].update(response=4), ("levels", 0, "response"), "0, 1, 2 or 3"),
        (lambda d: d["levels"][0].update(response=1), ("levels",), "lower response row"),
        (lambda d: d["derived"].update(L={"div_round": [{"sum": ["D2"]}, 0]}), ("derived", "L", "div_round", 1), "≥ 1"),
        (lambda d: d["levels"][0]["when"]["any"].append({"flag": "A9"}), ("levels", 0, "when", "any", 4, "flag"), "A9"),
        (lambda d: d["dimensions"][0]["descriptors"].pop(2), ("dimensions", 0, "descriptors"), "no descriptor for 2"),
        (lambda d: d["dimensions"][1]["label"].pop("ar"), ("dimensions", 1, "label"), "missing ar label"),
    ],
)  # fmt: skip
def test_inconsistent_definitions_are_refused_naming_the_key(change, path, message):
    import copy

    definition = copy.deepcopy(read_instrument(INSTRUMENTS_DIR / "GESD-MA-0.1.yaml").definition)
    # the checked form keeps int descriptor keys, as read from YAML
    for dim in definition["dimensions"]:
        dim["descriptors"] = {int(k): v for k, v in dim["descriptors"].items()}
    change(definition)
    with pytest.raises(engine.DefinitionError) as refused:
        engine.check_definition(definition)
    assert refused.value.path == path
    assert message in refused.value.message
