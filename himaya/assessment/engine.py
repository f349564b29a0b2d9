"""The scoring engine: an instrument's decision rules are data, evaluated here by a pure
function (assessment.md §4, §9.2). No database, no clock, no `eval`.

An instrument definition (the `definition` of an `InstrumentVersion`, read from a YAML file of
`data/instruments/`) holds:

- `tier_a`: the immediate-danger flags, each `{code, label}`;
- `dimensions`: the scored items, each `{code, label, min, max, descriptors}`;
- `derived`: named values computed from the scores, in order (a later one may use an earlier);
- `outputs`: which names are the consequence and the likelihood reported with a result;
- `levels`: `{level, label, response, when}` from the highest level down — the first whose
  `when` holds gives the level; the last one's `when` is `true`.

Expressions (`when` and `derived`) are JSON-like values:

    3, true                       constants (whole numbers, booleans)
    "D1" / {"var": "D1"}          a score or an earlier derived value
    {"sum": [e, ...]}             sum          {"max": [e, ...]} / {"min": [e, ...]}
    {"div_round": [e, n]}         e / n rounded half up (n a whole number ≥ 1)
    {"eq"|"ne"|"gt"|"gte"|"lt"|"lte": [e, e]}
    {"all": [c, ...]} {"any": [c, ...]} {"not": c}
    {"any_yes": "tier_a"}         at least one Tier A flag answered yes
    {"flag": "A2"}                that flag answered yes

`check_definition` refuses a definition that names an unknown value or operator, or whose
levels leave a gap; it runs when the file is loaded, so `evaluate` can trust its input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

COMPARISONS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}
AGGREGATES = {"sum": sum, "max": max, "min": min}
BOOLEAN_OPS = frozenset({"all", "any", "not", "any_yes", "flag", *COMPARISONS})
NUMBER_OPS = frozenset({"var", "div_round", *AGGREGATES})
RESPONSE_LEVELS = (0, 1, 2, 3)  # the rows of the response standards (cases/data)


class DefinitionError(ValueError):
    """An instrument definition is inconsistent. `path` locates the offending key so that the
    loader can name the file's line."""

    def __init__(self, path: tuple[Any, ...], message: str):
        super().__init__(message)
        self.path = tuple(path)
        self.message = message


@dataclass(frozen=True)
class Result:
    """The outcome of the rules for one set of answers. `values` holds every derived value."""

    consequence: int | None
    likelihood: int | None
    level: int
    rule: int  # index in `levels` of the rule that matched
    values: dict[str, int]


# --- evaluation -----------------------------------------------------------------------------


def _number(expr: Any, env: Mapping[str, int]) -> int:
    if isinstance(expr, bool):
        return int(expr)
    if isinstance(expr, int):
        return expr
    if isinstance(expr, str):
        return env[expr]
    (op, arg), = expr.items()  # fmt: skip
    if op == "var":
        return env[arg]
    if op in AGGREGATES:
        return AGGREGATES[op](_number(item, env) for item in arg)
    if op == "div_round":
        numerator, denominator = _number(arg[0], env), arg[1]
        # Half up, in integers: floor((2n + d) / 2d).
        return (2 * numerator + denominator) // (2 * denominator)
    raise AssertionError(op)  # unreachable: check_definition refused it


def _holds(expr: Any, env: Mapping[str, int], flags: frozenset[str]) -> bool:
    if isinstance(expr, bool):
        return expr
    (op, arg), = expr.items()  # fmt: skip
    if op == "all":
        return all(_holds(item, env, flags) for item in arg)
    if op == "any":
        return any(_holds(item, env, flags) for item in arg)
    if op == "not":
        return not _holds(arg, env, flags)
    if op == "any_yes":
        return bool(flags)
    if op == "flag":
        return arg in flags
    return COMPARISONS[op](_number(arg[0], env), _number(arg[1], env))


def evaluate(definition: Mapping[str, Any], flags, scores: Mapping[str, int]) -> Result:
    """The level given by `definition`'s rules for the Tier A `flags` answered yes and the
    dimension `scores`. Pure and deterministic; the input must have been validated
    (`validate_answers`)."""
    flag_set = frozenset(flags)
    env: dict[str, int] = dict(scores)
    derived: dict[str, int] = {}
    for name, expr in definition.get("derived", {}).items():
        derived[name] = env[name] = _number(expr, env)
    for index, rule in enumerate(definition["levels"]):
        if _holds(rule["when"], env, flag_set):
            outputs = definition.get("outputs", {})
            return Result(
                consequence=env.get(outputs.get("consequence", "")),
                likelihood=env.get(outputs.get("likelihood", "")),
                level=rule["level"],
                rule=index,
                values=derived,
            )
    raise AssertionError("the last level always matches")  # check_definition ensures it


def prompts(definition: Mapping[str, Any], flags, scores: Mapping[str, int]) -> list[dict]:
    """The form prompts (assessment.md §11.4) whose condition holds for these answers."""
    env: dict[str, int] = dict(scores)
    for name, expr in definition.get("derived", {}).items():
        env[name] = _number(expr, env)
    flag_set = frozenset(flags)
    return [p["text"] for p in definition.get("prompts", []) if _holds(p["when"], env, flag_set)]


def response_level(definition: Mapping[str, Any], level: int) -> int:
    """The row of the response standards (0–3) that an instrument level uses (the level
    crosswalk of assessment.md §9.3)."""
    for rule in definition["levels"]:
        if rule["level"] == level:
            return rule["response"]
    raise ValueError(f"level {level!r} is not a level of this instrument")


def levels_of(definition: Mapping[str, Any]) -> list[int]:
    return sorted(rule["level"] for rule in definition["levels"])


def validate_answers(
    definition: Mapping[str, Any], flags, scores: Mapping[str, Any]
) -> dict[str, str]:
    """Errors by field name ("flags", "scores.D3"...) for answers the instrument refuses: an
    unknown flag, a missing or unknown dimension, a score that is not a whole number in the
    dimension's range. Empty when the answers can be scored."""
    errors: dict[str, str] = {}
    known_flags = {flag["code"] for flag in definition["tier_a"]}
    unknown = [flag for flag in flags if flag not in known_flags]
    if unknown:
        errors["flags"] = f"unknown flag {unknown[0]}"
    dimensions = {d["code"]: d for d in definition["dimensions"]}
    for code in scores:
        if code not in dimensions:
            errors[f"scores.{code}"] = "unknown dimension"
    for code, dimension in dimensions.items():
        value = scores.get(code)
        if value is None:
            errors[f"scores.{code}"] = "missing"
        elif not isinstance(value, int) or isinstance(value, bool):
            errors[f"scores.{code}"] = "not a whole number"
        elif not dimension["min"] <= value <= dimension["max"]:
            errors[f"scores.{code}"] = "out of range"
    return errors


# --- checking a definition ------------------------------------------------------------------


def _expect(condition: bool, path: tuple[Any, ...], message: str) -> None:
    if not condition:
        raise DefinitionError(path, message)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_number(expr: Any, names: set[str], path: tuple[Any, ...]) -> None:
    if _is_int(expr):
        return
    if isinstance(expr, str):
        _expect(expr in names, path, f"{expr!r} names no dimension or earlier derived value")
        return
    _expect(isinstance(expr, dict) and len(expr) == 1, path, "expected a number expression")
    (op, arg), = expr.items()  # fmt: skip
    _expect(op in NUMBER_OPS, (*path, op), f"unknown number operator {op!r}")
    if op == "var":
        _expect(isinstance(arg, str), (*path, op), "var takes a name")
        _check_number(arg, names, (*path, op))
    elif op in AGGREGATES:
        _expect(isinstance(arg, list) and arg, (*path, op), f"{op} takes a non-empty list")
        for index, item in enumerate(arg):
            _check_number(item, names, (*path, op, index))
    else:  # div_round
        _expect(isinstance(arg, list) and len(arg) == 2, (*path, op), "div_round takes [e, n]")
        _check_number(arg[0], names, (*path, op, 0))
        _expect(_is_int(arg[1]) and arg[1] >= 1, (*path, op, 1), "divide by a whole number ≥ 1")


def _check_condition(expr: Any, names: set[str], flags: set[str], path: tuple[Any, ...]) -> None:
    if isinstance(expr, bool):
        return
    _expect(isinstance(expr, dict) and len(expr) == 1, path, "expected a condition")
    (op, arg), = expr.items()  # fmt: skip
    _expect(op in BOOLEAN_OPS, (*path, op), f"unknown condition operator {op!r}")
    if op in ("all", "any"):
        _expect(isinstance(arg, list) and arg, (*path, op), f"{op} takes a non-empty list")
        for index, item in enumerate(arg):
            _check_condition(item, names, flags, (*path, op, index))
    elif op == "not":
        _check_condition(arg, names, flags, (*path, op))
    elif op == "any_yes":
        _expect(arg == "tier_a", (*path, op), "any_yes applies to tier_a")
    elif op == "flag":
        _expect(arg in flags, (*path, op), f"{arg!r} is not a Tier A flag of this instrument")
    else:
        _expect(isinstance(arg, list) and len(arg) == 2, (*path, op), f"{op} takes [a, b]")
        for index, item in enumerate(arg):
            _check_number(item, names, (*path, op, index))


def _check_labels(value: Any, path: tuple[Any, ...], languages: tuple[str, ...]) -> None:
    _expect(isinstance(value, dict), path, "expected labels in " + ", ".join(languages))
    extra = [key for key in value if key not in languages]
    _expect(
        not extra,
        path,
        f"unknown language {extra[0]!r} (a comma in an unquoted label?)" if extra else "",
    )
    for language in languages:
        text = value.get(language)
        _expect(isinstance(text, str) and text.strip(), (*path,), f"missing {language} label")


def check_definition(definition: Any, *, languages: tuple[str, ...] = ("ar", "fr", "en")) -> None:
    """Refuse (DefinitionError naming the key) an inconsistent instrument: unknown names or
    operators in the rules, a score range that is not whole numbers, levels with a gap or a
    duplicate, a last level that does not always match, a response row outside 0–3 or one
    that goes down as the level goes up."""
    _expect(isinstance(definition, dict), (), "expected a mapping")
    for key in ("tier_a", "dimensions", "levels"):
        _expect(key in definition, (), f"missing key {key!r}")
    flags: set[str] = set()
    _expect(isinstance(definition["tier_a"], list), ("tier_a",), "expected a list of flags")
    for index, flag in enumerate(definition["tier_a"]):
        path = ("tier_a", index)
        _expect(isinstance(flag, dict) and isinstance(flag.get("code"), str), path, "flag code")
        _expect(flag["code"] not in flags, (*path, "code"), f"duplicate flag {flag['code']}")
        flags.add(flag["code"])
        _check_labels(flag.get("label"), (*path, "label"), languages)
    names: set[str] = set()
    dimensions = definition["dimensions"]
    _expect(isinstance(dimensions, list) and dimensions, ("dimensions",), "expected a list")
    for index, dim in enumerate(dimensions):
        path = ("dimensions", index)
        _expect(isinstance(dim, dict) and isinstance(dim.get("code"), str), path, "dimension code")
        code = dim["code"]
        _expect(code not in names and code not in flags, (*path, "code"), f"duplicate {code}")
        names.add(code)
        _check_labels(dim.get("label"), (*path, "label"), languages)
        low, high = dim.get("min"), dim.get("max")
        _expect(_is_int(low) and _is_int(high) and low < high, path, "min < max, whole numbers")
        descriptors = dim.get("descriptors")
        _expect(isinstance(descriptors, dict), (*path, "descriptors"), "expected descriptors")
        for score in range(low, high + 1):
            _expect(score in descriptors, (*path, "descriptors"), f"no descriptor for {score}")
            _check_labels(descriptors[score], (*path, "descriptors", score), languages)
        for score in descriptors:
            _expect(
                _is_int(score) and low <= score <= high,
                (*path, "descriptors", score),
                f"score {score!r} is outside {low}–{high}",
            )
    derived = definition.get("derived", {})
    _expect(isinstance(derived, dict), ("derived",), "expected a mapping of names")
    for name, expr in derived.items():
        _expect(name not in names, ("derived", name), f"{name!r} is already a dimension")
        _check_number(expr, names, ("derived", name))
        names.add(name)
    outputs = definition.get("outputs", {})
    _expect(isinstance(outputs, dict), ("outputs",), "expected consequence and likelihood")
    for key, name in outputs.items():
        _expect(key in ("consequence", "likelihood"), ("outputs", key), "unknown output")
        _expect(name in names, ("outputs", key), f"{name!r} names no value")
    levels = definition["levels"]
    _expect(isinstance(levels, list) and levels, ("levels",), "expected a list of levels")
    seen: list[int] = []
    for index, rule in enumerate(levels):
        path = ("levels", index)
        _expect(isinstance(rule, dict), path, "expected {level, label, response, when}")
        _expect(_is_int(rule.get("level")), (*path, "level"), "level must be a whole number")
        _expect(rule["level"] not in seen, (*path, "level"), f"level {rule['level']} repeated")
        seen.append(rule["level"])
        _check_labels(rule.get("label"), (*path, "label"), languages)
        _expect(
            rule.get("response") in RESPONSE_LEVELS,
            (*path, "response"),
            "response must name a row of the response standards: 0, 1, 2 or 3",
        )
        _expect("when" in rule, path, "missing key 'when'")
        _check_condition(rule["when"], names, flags, (*path, "when"))
    ordered = sorted(seen)
    _expect(
        ordered == list(range(len(ordered))),
        ("levels",),
        f"levels must run from 0 without a gap (found {', '.join(map(str, ordered))})",
    )
    _expect(levels[-1]["when"] is True, ("levels", len(levels) - 1, "when"), "last must be true")
    prompts = definition.get("prompts", [])
    _expect(isinstance(prompts, list), ("prompts",), "expected a list of {when, text}")
    for index, prompt in enumerate(prompts):
        _expect(isinstance(prompt, dict) and "when" in prompt, ("prompts", index), "{when, text}")
        _check_condition(prompt["when"], names, flags, ("prompts", index, "when"))
        _check_labels(prompt.get("text"), ("prompts", index, "text"), languages)
    responses = [response_level(definition, level) for level in ordered]
    _expect(
        responses == sorted(responses),
        ("levels",),
        "a higher level must never use a lower response row",
    )
