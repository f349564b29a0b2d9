"""Deadlines of the case workflow and of the judicial track, as pure functions.

The values come from two versioned data files next to this module: the response standards of
assessment.md §7.1 (`data/response_standards.yaml`) and Morocco's public holidays
(`data/holidays.yaml`). The rules are those of assessment.md §7.2 and §8 and of circuit.md
§5.3, §7.3 (R1, R2, R5, R6) and §8.4.

Time (circuit.md §1 principle 7): every datetime in and out is aware. Results are returned in
UTC, the storage zone. "Same day", working days and calendar months are computed on the wall
clock of Africa/Casablanca through zoneinfo, because Morocco leaves UTC+1 for UTC+0 during
Ramadan: a fixed offset would put end-of-day deadlines an hour off for a month each year.
Hours and days are elapsed time (assessment.md §7.2), so "7d" across a clock change ends at
a wall-clock time one hour earlier or later than the start.

Nothing here touches the database: the services turn these results into `Task` due dates.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

__all__ = [
    "CASABLANCA",
    "DEADLINE_KINDS",
    "END_OF_DAY",
    "CaseClock",
    "Deadline",
    "DeadlineDataError",
    "JudicialRules",
    "LevelStandards",
    "Standards",
    "add_duration",
    "birthday_on",
    "birthday_reassessment_dates",
    "case_deadlines",
    "is_working_day",
    "load_holidays",
    "load_standards",
    "ls_report_late",
    "measure_alert_dates",
    "prosecutor_report_due",
    "protection_request_due",
    "supervised_liberty_report_dues",
]

CASABLANCA = ZoneInfo("Africa/Casablanca")
DATA_DIR = Path(__file__).resolve().parent / "data"
STANDARDS_FILE = DATA_DIR / "response_standards.yaml"
HOLIDAYS_FILE = DATA_DIR / "holidays.yaml"

END_OF_DAY = "end_of_day"
_DURATION = re.compile(r"(?P<amount>[1-9][0-9]*)(?P<unit>h|d|wd|M)")
_UNIT_NAMES = {"h": "hours", "d": "days", "wd": "working days", "M": "calendar months"}
_DATETIME_UNITS = frozenset(_UNIT_NAMES)
_DATE_UNITS = frozenset({"d", "M"})  # rules applied to calendar dates (measures, reports)
_SATURDAY = 5

# Task type codes (codes.md `task_type`) of the case clock, in the order they are returned.
ASSIGN_CASE = "assign_case"
FIRST_CONTACT = "first_contact"
FULL_ASSESSMENT = "full_assessment"
CASE_PLAN = "case_plan"
FOLLOW_UP = "follow_up"
REASSESSMENT = "reassessment"
DEADLINE_KINDS = (ASSIGN_CASE, FIRST_CONTACT, FULL_ASSESSMENT, CASE_PLAN, FOLLOW_UP, REASSESSMENT)

LEVELS = (0, 1, 2, 3)
LEVEL_KEYS = (
    "assign",
    "first_contact",
    "full_assessment",
    "case_plan",
    "follow_up",
    "reassess",
    "reassessment_trigger",
)
# Measured from T0; assessment.md §7.2 relies on them increasing left to right.
T0_COLUMNS = ("assign", "first_contact", "full_assessment", "case_plan")
JUDICIAL_DATETIME_KEYS = ("report_to_prosecutor", "judicial_protection_request")
JUDICIAL_DATE_KEYS = (
    "ls_report_every",
    "ls_report_late_after",
    "measure_alert_before",
    "birthday_reassessment_before",
)
# Used only by the file check: the longest run of holidays assumed to fall inside a span of
# working days (two-day Eid next to a one-day civil holiday).
_MAX_HOLIDAY_RUN = 3


class DeadlineDataError(ValueError):
    """A standards or holiday file is inconsistent; the message names the file, key and line."""


# --- Standards --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelStandards:
    """One row of assessment.md §7.1; every value is a duration string ("72h", "1wd", "3M")."""

    assign: str
    first_contact: str
    full_assessment: str
    case_plan: str
    follow_up: str
    reassess: str
    reassessment_trigger: str


@dataclass(frozen=True)
class JudicialRules:
    report_to_prosecutor: str
    judicial_protection_request: str
    ls_report_every: str
    ls_report_late_after: str
    measure_alert_before: str
    birthday_reassessment_before: str
    birthdays: tuple[int, ...]


@dataclass(frozen=True)
class Standards:
    version: int
    levels: tuple[LevelStandards | None, ...]  # indexed by level 0-3; level 0 has none
    judicial: JudicialRules

    def level(self, level: int) -> LevelStandards | None:
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}; levels are 0 to 3")
        return self.levels[level]

    def reassessment_trigger_due(self, level: int) -> str:
        """How long a reassessment trigger (assessment.md §8) leaves at `level` (1 to 3)."""
        row = self.level(level)
        if row is None:
            raise ValueError("level 0 has no reassessment: the case is to be closed")
        return row.reassessment_trigger


def _parse(duration: str) -> tuple[int, str]:
    match = _DURATION.fullmatch(duration) if isinstance(duration, str) else None
    if match is None:
        raise ValueError(
            f"{duration!r} is not a duration: write <n>h, <n>d, <n>wd or <n>M with n ≥ 1"
        )
    return int(match["amount"]), match["unit"]


def _span_hours(duration: str) -> tuple[float, float]:
    """Shortest and longest real length of `duration`, to compare durations of different
    units when the file is checked. Wall-clock units may gain or lose the hour of a clock
    change."""
    amount, unit = _parse(duration)
    if unit == "h":
        return amount, amount
    if unit == "d":
        return 24 * amount, 24 * amount
    if unit == "wd":
        longest = amount + 2 * math.ceil(amount / 5) + _MAX_HOLIDAY_RUN
        return 24 * amount - 1, 24 * longest + 1
    return 24 * 28 * amount - 1, 24 * 31 * amount + 1  # calendar months


def _may_exceed(longer: str, shorter: str) -> bool:
    """Whether `longer` can end after `shorter` started at the same time."""
    return longer != shorter and _span_hours(longer)[1] > _span_hours(shorter)[0]


class _Source:
    """A parsed YAML file with the line of every key, so that errors can point at it."""

    def __init__(self, path: Path):
        self.name = path.name
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise DeadlineDataError(f"{path}: cannot be read ({exc.strerror})") from exc
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
            self.data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise DeadlineDataError(f"{self.name}: not valid YAML: {exc}") from exc
        self.lines: dict[tuple[str, ...], int] = {}
        if root is not None:
            self._index(root, ())

    def _index(self, node: yaml.Node, path: tuple[str, ...]) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key_path = (*path, str(key_node.value))
                if key_path in self.lines:
                    raise self.error(key_path, "duplicate key", line=key_node.start_mark.line + 1)
                self.lines[key_path] = key_node.start_mark.line + 1
                self._index(value_node, key_path)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._index(item, (*path, str(index)))

    def error(
        self, path: tuple[Any, ...], message: str, *, line: int | None = None
    ) -> DeadlineDataError:
        keys = tuple(str(part) for part in path)
        if line is None:
            for end in range(len(keys), -1, -1):
                if keys[:end] in self.lines:
                    line = self.lines[keys[:end]]
                    break
        where = ".".join(keys) or "(top level)"
        suffix = f" (line {line})" if line else ""
        return DeadlineDataError(f"{self.name}: {where}: {message}{suffix}")

    def mapping(self, value: Any, path: tuple[Any, ...], keys: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            raise self.error(path, "expected a mapping of " + ", ".join(keys))
        for key in value:
            if key not in keys:
                raise self.error((*path, key), "unknown key; expected one of " + ", ".join(keys))
        for key in keys:
            if key not in value:
                raise self.error(path, f"missing key {key!r}")
        return value

    def duration(self, value: Any, path: tuple[Any, ...], units: frozenset[str]) -> str:
        if value == END_OF_DAY and END_OF_DAY in units:
            return value
        try:
            _amount, unit = _parse(value)
        except ValueError:
            raise self.error(
                path, f"unknown unit or malformed duration {value!r}; {_allowed(units)}"
            ) from None
        if unit not in units:
            raise self.error(path, f"unit {unit!r} is not allowed here; {_allowed(units)}")
        return value


def _allowed(units: frozenset[str]) -> str:
    names = [f"{unit} ({_UNIT_NAMES[unit]})" for unit in _UNIT_NAMES if unit in units]
    if END_OF_DAY in units:
        names.append(END_OF_DAY)
    return "use " + ", ".join(names)


def load_standards(path: Path | str | None = None) -> Standards:
    """Read and check the response standards (assessment.md §7.1, §8; circuit.md §7.3, §8.4).
    Without `path`, the shipped file, read once per process.

    Refused, with the key and line in the message: an unknown unit, a missing or extra level,
    a level 0 that is not empty, T0 columns that do not increase left to right, a higher level
    that allows more time than a lower one for the same column, a bad judicial rule."""
    if path is None:
        return _shipped_standards()
    return _read_standards(Path(path))


@cache
def _shipped_standards() -> Standards:
    return _read_standards(STANDARDS_FILE)


def _read_standards(path: Path) -> Standards:
    source = _Source(path)
    top = source.mapping(source.data, (), ("version", "levels", "judicial"))
    version = top["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise source.error(("version",), "must be a whole number ≥ 1")

    raw_levels = top["levels"]
    if not isinstance(raw_levels, dict):
        raise source.error(("levels",), "expected a mapping of the levels 0 to 3")
    by_level: dict[int, Any] = {}
    for key, value in raw_levels.items():
        level = int(key) if str(key).isdigit() else None
        if level not in LEVELS or level in by_level:
            raise source.error(("levels", key), "unknown level; levels are 0, 1, 2 and 3")
        by_level[level] = value
    for level in LEVELS:
        if level not in by_level:
            raise source.error(("levels",), f"level {level} is missing")
    if by_level[0] not in (None, {}):
        raise source.error(
            ("levels", 0), "level 0 must be empty ({}): a level-0 case has no deadline"
        )

    rows: dict[int, LevelStandards] = {}
    for level in (3, 2, 1):
        path_ = ("levels", level)
        raw = source.mapping(by_level[level], path_, LEVEL_KEYS)
        values = {
            key: source.duration(raw[key], (*path_, key), _DATETIME_UNITS) for key in LEVEL_KEYS
        }
        for left, right in pairwise(T0_COLUMNS):
            if _may_exceed(values[left], values[right]):
                raise source.error(
                    (*path_, right),
                    f"{right} ({values[right]}) may end before {left} ({values[left]}); "
                    "the columns from T0 must increase left to right",
                )
        rows[level] = LevelStandards(**values)
    for higher, lower in ((3, 2), (2, 1)):
        for key in LEVEL_KEYS:
            fast, slow = getattr(rows[higher], key), getattr(rows[lower], key)
            if _may_exceed(fast, slow):
                raise source.error(
                    ("levels", higher, key),
                    f"{fast} may be longer than levels.{lower}.{key} ({slow}); "
                    "a higher level must never allow more time",
                )

    judicial_keys = (*JUDICIAL_DATETIME_KEYS, *JUDICIAL_DATE_KEYS, "birthdays")
    raw_judicial = source.mapping(top["judicial"], ("judicial",), judicial_keys)
    rules: dict[str, Any] = {}
    for key in JUDICIAL_DATETIME_KEYS:
        rules[key] = source.duration(
            raw_judicial[key], ("judicial", key), _DATETIME_UNITS | {END_OF_DAY}
        )
    for key in JUDICIAL_DATE_KEYS:
        rules[key] = source.duration(raw_judicial[key], ("judicial", key), _DATE_UNITS)
    birthdays = raw_judicial["birthdays"]
    if (
        not isinstance(birthdays, list)
        or not birthdays
        or not all(isinstance(age, int) and not isinstance(age, bool) for age in birthdays)
        or not all(0 < age <= 18 for age in birthdays)
        or birthdays != sorted(set(birthdays))
    ):
        raise source.error(
            ("judicial", "birthdays"), "expected a list of ages from 1 to 18, increasing"
        )
    rules["birthdays"] = tuple(birthdays)

    return Standards(
        version=version,
        levels=(None, rows[1], rows[2], rows[3]),
        judicial=JudicialRules(**rules),
    )


# --- Holidays ---------------------------------------------------------------------------------

HOLIDAY_STATUSES = ("announced", "provisional")


def load_holidays(path: Path | str | None = None) -> frozenset[date]:
    """Read Morocco's public holidays: the fixed civil ones generated for every year of the
    file (from `since`), and the movable Islamic ones as listed, announced or provisional.
    Without `path`, the shipped file, read once per process."""
    if path is None:
        return _shipped_holidays()
    return _read_holidays(Path(path))


@cache
def _shipped_holidays() -> frozenset[date]:
    return _read_holidays(HOLIDAYS_FILE)


def _read_holidays(path: Path) -> frozenset[date]:
    source = _Source(path)
    top = source.mapping(source.data, (), ("version", "years", "fixed", "movable"))
    if not isinstance(top["version"], int) or top["version"] < 1:
        raise source.error(("version",), "must be a whole number ≥ 1")
    years = top["years"]
    if not isinstance(years, list) or not years or not all(isinstance(y, int) for y in years):
        raise source.error(("years",), "expected a list of years")

    days: set[date] = set()
    fixed = top["fixed"]
    if not isinstance(fixed, list):
        raise source.error(("fixed",), "expected a list")
    for index, entry in enumerate(fixed):
        path_ = ("fixed", index)
        if not isinstance(entry, dict) or not {"month", "day", "name"} <= entry.keys():
            raise source.error(path_, "expected {month, day, name} and optionally since")
        if not entry.keys() <= {"month", "day", "name", "since"}:
            raise source.error(path_, "unknown key; expected month, day, name, since")
        since = entry.get("since", min(years))
        if not isinstance(since, int):
            raise source.error((*path_, "since"), "expected a year")
        try:
            date(2024, entry["month"], entry["day"])  # a leap year accepts every real date
        except (TypeError, ValueError):
            raise source.error(path_, "not a valid month and day") from None
        if (entry["month"], entry["day"]) == (2, 29):
            raise source.error(path_, "29 February cannot be a fixed holiday")
        days.update(date(year, entry["month"], entry["day"]) for year in years if year >= since)

    movable = top["movable"]
    if not isinstance(movable, list):
        raise source.error(("movable",), "expected a list")
    for index, entry in enumerate(movable):
        path_ = ("movable", index)
        if not isinstance(entry, dict) or set(entry) != {"date", "name", "status"}:
            raise source.error(path_, "expected exactly {date, name, status}")
        day = entry["date"]
        if not isinstance(day, date) or isinstance(day, datetime):
            raise source.error((*path_, "date"), "expected a date written YYYY-MM-DD")
        if day.year not in years:
            raise source.error((*path_, "date"), f"{day} is outside the years of the file")
        if entry["status"] not in HOLIDAY_STATUSES:
            raise source.error((*path_, "status"), "expected announced or provisional")
        days.add(day)
    return frozenset(days)


# --- Durations --------------------------------------------------------------------------------


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (got naive {value.isoformat()})")


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    """Monday to Friday, and not a public holiday."""
    return day.weekday() < _SATURDAY and day not in holidays


def _add_working_days(day: date, count: int, holidays: frozenset[date]) -> date:
    while count:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            count -= 1
    return day


def _add_months(day: date, months: int) -> date:
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last_day))


def _wall_clock(day: date, clock: time) -> datetime:
    """`day` at `clock` in Casablanca, in UTC. A clock time skipped by the spring change is
    moved forward by the hour; one repeated by the autumn change is its first occurrence."""
    return datetime.combine(day, clock, tzinfo=CASABLANCA).astimezone(UTC)


def add_duration(start: datetime, duration: str, *, holidays: frozenset[date]) -> datetime:
    """`start` plus a duration of the standards file, in UTC.

    h, d: elapsed time. wd: the same Casablanca clock time after that many working days
    (Saturdays, Sundays and `holidays` skipped; a start on a non-working day counts from the
    next one). M: the same clock time that many calendar months later, clamped to the month's
    last day. end_of_day: 23:59:59.999999 of the start's Casablanca date."""
    _require_aware(start, "start")
    if duration == END_OF_DAY:
        return _wall_clock(start.astimezone(CASABLANCA).date(), time.max)
    amount, unit = _parse(duration)
    if unit == "h":
        return start.astimezone(UTC) + timedelta(hours=amount)
    if unit == "d":
        return start.astimezone(UTC) + timedelta(days=amount)
    local = start.astimezone(CASABLANCA)
    if unit == "wd":
        day = _add_working_days(local.date(), amount, holidays)
    else:
        day = _add_months(local.date(), amount)
    return _wall_clock(day, local.time())


def _shift_date(day: date, duration: str, *, times: int = 1) -> date:
    """`day` moved by `times` × a d or M duration (negative `times` goes back)."""
    amount, unit = _parse(duration)
    if unit == "d":
        return day + timedelta(days=amount * times)
    if unit == "M":
        return _add_months(day, amount * times)
    raise ValueError(f"{duration!r} cannot be applied to a calendar date; use d or M")


# --- Case clock (assessment.md §7.2) -----------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    kind: str  # code:task_type
    due_at: datetime  # UTC
    done_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class CaseClock:
    """What the deadlines of one case depend on, read from the case and its records.

    `triage_level` is the level of the screening (§7.3, 1 to 3, never changed);
    `current_level` the final level of the latest completed assessment (None before one);
    `last_child_seen_at` the latest face-to-face contact with child_seen = true;
    `last_assessment_at` the latest completed assessment of any kind;
    `reassessment_triggered_at` the latest reassessment trigger (§8)."""

    t0: datetime
    triage_level: int
    current_level: int | None
    emergency_active: bool
    assigned_at: datetime | None
    first_child_seen_at: datetime | None
    full_assessment_at: datetime | None
    plan_approved_at: datetime | None
    last_child_seen_at: datetime | None
    last_assessment_at: datetime | None
    reassessment_triggered_at: datetime | None
    closed: bool

    def __post_init__(self) -> None:
        if self.triage_level not in (1, 2, 3):
            raise ValueError(f"triage_level must be 1, 2 or 3 (got {self.triage_level!r})")
        if self.current_level is not None and self.current_level not in LEVELS:
            raise ValueError(f"current_level must be 0 to 3 or None (got {self.current_level!r})")
        _require_aware(self.t0, "t0")
        for name in (
            "assigned_at",
            "first_child_seen_at",
            "full_assessment_at",
            "plan_approved_at",
            "last_child_seen_at",
            "last_assessment_at",
            "reassessment_triggered_at",
        ):
            value = getattr(self, name)
            if value is not None:
                _require_aware(value, name)


def _latest(*values: datetime | None) -> datetime | None:
    present = [value for value in values if value is not None]
    return max(present) if present else None


def case_deadlines(
    clock: CaseClock, *, now: datetime, standards: Standards, holidays: frozenset[date]
) -> list[Deadline]:
    """The deadlines of assessment.md §7.2 for one case, in task order.

    - Assign, first face-to-face and full assessment: from T0, at the triage level.
    - Case plan: from T0, at the final level of the latest completed assessment (the triage
      level before any). Follow-up and reassessment: at that same level.
    - While an emergency episode is active, the level-3 values apply to every deadline.
    - Level 0 has no plan, follow-up or reassessment deadline.
    - Follow-up (once a plan is approved): one interval after the later of the latest
      child-seen contact and the plan's approval, so a contact made before the plan does not
      make the first follow-up due before the plan exists.
    - Reassessment (once an assessment is completed): one interval after the latest completed
      assessment, or the trigger's due time (§8) if a trigger came after that assessment and
      is due earlier.
    - Overdue: not done and `now` is past the due time. A closed case keeps only its done
      deadlines, so it has no open one. Follow-up and reassessment are rolling: the next one
      is never done."""
    _require_aware(now, "now")
    front = standards.level(3 if clock.emergency_active else clock.triage_level)
    if clock.emergency_active:
        plan_level = 3
    elif clock.current_level is not None:
        plan_level = clock.current_level
    else:
        plan_level = clock.triage_level
    plan = standards.level(plan_level)

    deadlines: list[Deadline] = []

    def add(kind: str, due_at: datetime, done_at: datetime | None) -> None:
        overdue = done_at is None and now > due_at
        deadlines.append(Deadline(kind=kind, due_at=due_at, done_at=done_at, overdue=overdue))

    def from_t0(duration: str) -> datetime:
        return add_duration(clock.t0, duration, holidays=holidays)

    if front is not None:
        add(ASSIGN_CASE, from_t0(front.assign), clock.assigned_at)
        add(FIRST_CONTACT, from_t0(front.first_contact), clock.first_child_seen_at)
        add(FULL_ASSESSMENT, from_t0(front.full_assessment), clock.full_assessment_at)
    if plan is not None:
        add(CASE_PLAN, from_t0(plan.case_plan), clock.plan_approved_at)
        if clock.plan_approved_at is not None:
            anchor = _latest(
                clock.plan_approved_at, clock.first_child_seen_at, clock.last_child_seen_at
            )
            add(FOLLOW_UP, add_duration(anchor, plan.follow_up, holidays=holidays), None)
        assessed_at = _latest(clock.full_assessment_at, clock.last_assessment_at)
        if assessed_at is not None:
            due_at = add_duration(assessed_at, plan.reassess, holidays=holidays)
            trigger = clock.reassessment_triggered_at
            if trigger is not None and trigger > assessed_at:
                trigger_due = add_duration(trigger, plan.reassessment_trigger, holidays=holidays)
                due_at = min(due_at, trigger_due)
            add(REASSESSMENT, due_at, None)

    if clock.closed:
        return [deadline for deadline in deadlines if deadline.done_at is not None]
    return deadlines


# --- Judicial track (circuit.md §7.3) and birthdays (§8.4) --------------------------------------


def prosecutor_report_due(
    detected_at: datetime,
    *,
    standards: Standards | None = None,
    holidays: frozenset[date] | None = None,
) -> datetime:
    """R1: the report_to_prosecutor task is due at the end of the Casablanca calendar day on
    which the offence was suspected (UTC result)."""
    rules = (standards or load_standards()).judicial
    return add_duration(
        detected_at,
        rules.report_to_prosecutor,
        holidays=load_holidays() if holidays is None else holidays,
    )


def protection_request_due(
    detected_at: datetime,
    *,
    standards: Standards | None = None,
    holidays: frozenset[date] | None = None,
) -> datetime:
    """R2: the judicial_protection_request task (child under 16 in a situation difficile) is
    due 7 days after the DIF.* concern was recorded (UTC result)."""
    rules = (standards or load_standards()).judicial
    return add_duration(
        detected_at,
        rules.judicial_protection_request,
        holidays=load_holidays() if holidays is None else holidays,
    )


def supervised_liberty_report_dues(
    start: date,
    end: date | None,
    eighteenth_birthday: date | None,
    *,
    standards: Standards | None = None,
) -> list[date]:
    """R5: a supervised-liberty report every 3 months from the decision's start date, up to
    and including its end date or the 18th birthday, whichever comes first. Each due date is
    counted from `start` (start + 3, + 6, + 9 months...), so month-end clamping never drifts."""
    limits = [limit for limit in (end, eighteenth_birthday) if limit is not None]
    if not limits:
        raise ValueError("a supervised-liberty schedule needs an end date or an 18th birthday")
    limit = min(limits)
    every = (standards or load_standards()).judicial.ls_report_every
    dues: list[date] = []
    count = 1
    while (due := _shift_date(start, every, times=count)) <= limit:
        dues.append(due)
        count += 1
    return dues


def ls_report_late(
    due: date, received: date | None, today: date, *, standards: Standards | None = None
) -> bool:
    """R5: a report is late once 15 days have passed after its due date: received after
    due + 15 days, or still missing on a later day than that. Day due + 15 is still on time."""
    last_on_time = _shift_date(due, (standards or load_standards()).judicial.ls_report_late_after)
    if received is not None:
        return received > last_on_time
    return today > last_on_time


def measure_alert_dates(
    end_date: date | None, review_date: date | None, *, standards: Standards | None = None
) -> list[date]:
    """R6: alert dates 30 days before a measure's end date and review date (sorted, distinct)."""
    before = (standards or load_standards()).judicial.measure_alert_before
    return sorted(
        {_shift_date(day, before, times=-1) for day in (end_date, review_date) if day is not None}
    )


def birthday_on(birth_date: date, years: int, *, benefit_of_doubt_year_only: bool = False) -> date:
    """The day a child turns `years`.

    For an estimated birth date known only by its year, circuit.md §8.1 takes the latest
    plausible date, 31 December of that year, so an uncertain age never ends protection early.
    A child born on 29 February turns a year older on 1 March in a common year (the later of
    the two candidate dates, by the same benefit of the doubt) [To verify]."""
    if benefit_of_doubt_year_only:
        birth_date = date(birth_date.year, 12, 31)
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return date(birth_date.year + years, 3, 1)


def birthday_reassessment_dates(
    birth_date: date,
    *,
    benefit_of_doubt_year_only: bool = False,
    standards: Standards | None = None,
) -> list[date]:
    """§8.4 and assessment.md §8: reassessment tasks 90 days before the 16th and 18th
    birthdays, in birthday order."""
    rules = (standards or load_standards()).judicial
    return [
        _shift_date(
            birthday_on(birth_date, age, benefit_of_doubt_year_only=benefit_of_doubt_year_only),
            rules.birthday_reassessment_before,
            times=-1,
        )
        for age in rules.birthdays
    ]
