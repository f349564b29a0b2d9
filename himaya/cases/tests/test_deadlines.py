"""The deadline rules of assessment.md §7.2 and §8 and circuit.md §7.3 and §8.4, and the two data
files they read. Pure functions: no database."""

import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from himaya.cases import deadlines as dl
from himaya.cases.deadlines import (
    CASABLANCA,
    CaseClock,
    Deadline,
    DeadlineDataError,
    add_duration,
    birthday_on,
    birthday_reassessment_dates,
    case_deadlines,
    load_holidays,
    load_standards,
    ls_report_late,
    measure_alert_dates,
    prosecutor_report_due,
    protection_request_due,
    supervised_liberty_report_dues,
)

STANDARDS = load_standards()
HOLIDAYS = load_holidays()
NO_HOLIDAYS: frozenset[date] = frozenset()
KINDS = (
    "assign_case",
    "first_contact",
    "full_assessment",
    "case_plan",
    "follow_up",
    "reassessment",
)


def local(year, month, day, hour=0, minute=0, second=0, microsecond=0, fold=0):
    return datetime(year, month, day, hour, minute, second, microsecond, CASABLANCA, fold=fold)


def utc(year, month, day, hour=0, minute=0, second=0, microsecond=0):
    return datetime(year, month, day, hour, minute, second, microsecond, UTC)


# T0 of the examples: Monday 5 October 2026, 10:00 in Casablanca (UTC+1, no clock change near).
T0 = local(2026, 10, 5, 10)


def make_clock(**changes) -> CaseClock:
    values = {
        "t0": T0,
        "triage_level": 2,
        "current_level": None,
        "emergency_active": False,
        "assigned_at": None,
        "first_child_seen_at": None,
        "full_assessment_at": None,
        "plan_approved_at": None,
        "last_child_seen_at": None,
        "last_assessment_at": None,
        "reassessment_triggered_at": None,
        "closed": False,
    }
    values.update(changes)
    return CaseClock(**values)


def deadlines_of(clock: CaseClock, now: datetime = T0, holidays=NO_HOLIDAYS) -> dict[str, Deadline]:
    result = case_deadlines(clock, now=now, standards=STANDARDS, holidays=holidays)
    by_kind = {deadline.kind: deadline for deadline in result}
    assert len(by_kind) == len(result), "one deadline per kind"
    return by_kind


# --- The time zone data the tests rely on -------------------------------------------------------


def test_installed_tzdata_has_the_2026_ramadan_changes():
    """Morocco goes from UTC+1 to UTC+0 at 03:00 local on 15 Feb 2026 and back at 02:00 local on
    22 Mar 2026 (tzdata 2025b). If tzdata moves these dates, the DST tests below need new dates."""
    one_hour = timedelta(hours=1)
    assert utc(2026, 2, 15, 1, 59).astimezone(CASABLANCA).utcoffset() == one_hour
    assert utc(2026, 2, 15, 2, 0).astimezone(CASABLANCA).utcoffset() == timedelta(0)
    assert utc(2026, 3, 22, 1, 59).astimezone(CASABLANCA).utcoffset() == timedelta(0)
    assert utc(2026, 3, 22, 2, 0).astimezone(CASABLANCA).utcoffset() == one_hour


# --- add_duration ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (T0, "1h", local(2026, 10, 5, 11)),
        (T0, "3h", local(2026, 10, 5, 13)),
        (T0, "24h", local(2026, 10, 6, 10)),
        (T0, "72h", local(2026, 10, 8, 10)),
        (T0, "7d", local(2026, 10, 12, 10)),
        (T0, "30d", local(2026, 11, 4, 10)),
        (T0, "1wd", local(2026, 10, 6, 10)),
        (T0, "1M", local(2026, 11, 5, 10)),
        (T0, "3M", local(2027, 1, 5, 10)),
        (T0, "end_of_day", local(2026, 10, 5, 23, 59, 59, 999999)),
    ],
)
def test_add_duration_units(start, duration, expected):
    assert add_duration(start, duration, holidays=NO_HOLIDAYS) == expected


def test_result_is_in_utc():
    result = add_duration(T0, "1wd", holidays=NO_HOLIDAYS)
    assert result.tzinfo is UTC
    assert result == utc(2026, 10, 6, 9)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (local(2026, 10, 9, 10), local(2026, 10, 12, 10)),  # Friday → Monday
        (local(2026, 10, 10, 10), local(2026, 10, 12, 10)),  # Saturday → Monday
        (local(2026, 10, 11, 23, 30), local(2026, 10, 12, 23, 30)),  # Sunday → Monday
        (local(2026, 10, 8, 16, 45), local(2026, 10, 9, 16, 45)),  # Thursday → Friday
    ],
)
def test_working_day_skips_the_weekend(start, expected):
    assert add_duration(start, "1wd", holidays=NO_HOLIDAYS) == expected


def test_working_days_skip_holidays_of_the_shipped_calendar():
    # Friday 14 August is Oued Eddahab day; Thursday → Monday.
    assert add_duration(local(2026, 8, 13, 10), "1wd", holidays=HOLIDAYS) == local(2026, 8, 17, 10)
    # Friday 6 November is the Green March.
    assert add_duration(local(2026, 11, 5, 9), "1wd", holidays=HOLIDAYS) == local(2026, 11, 9, 9)
    # Wednesday 19 August → Thursday 20 and Friday 21 are holidays → Monday 24.
    assert add_duration(local(2026, 8, 19, 9), "1wd", holidays=HOLIDAYS) == local(2026, 8, 24, 9)
    # Without the calendar, the same start gives the next day.
    assert add_duration(local(2026, 8, 19, 9), "1wd", holidays=NO_HOLIDAYS) == local(2026, 8, 20, 9)


def test_several_working_days_skip_holidays_and_weekends():
    holidays = frozenset({date(2026, 10, 7)})  # a Wednesday
    # Mon 5 → Tue 6 (1), Thu 8 (2), Fri 9 (3), Mon 12 (4).
    assert add_duration(T0, "4wd", holidays=holidays) == local(2026, 10, 12, 10)


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (local(2026, 1, 31, 9), "1M", local(2026, 2, 28, 9)),
        (local(2028, 1, 31, 9), "1M", local(2028, 2, 29, 9)),  # leap year
        (local(2026, 3, 31, 9), "1M", local(2026, 4, 30, 9)),
        (local(2026, 11, 30, 9), "3M", local(2027, 2, 28, 9)),
        (local(2026, 12, 15, 9), "1M", local(2027, 1, 15, 9)),  # year change
        (local(2026, 10, 31, 9), "3M", local(2027, 1, 31, 9)),
    ],
)
def test_calendar_months_clamp_to_the_month_end(start, duration, expected):
    assert add_duration(start, duration, holidays=NO_HOLIDAYS) == expected


def test_end_of_day_uses_the_casablanca_date_and_the_offset_of_that_evening():
    # 23:30 UTC on 14 Feb is already 00:30 on 15 Feb in Casablanca (UTC+1). At 03:00 that
    # night the clock goes back to UTC+0, so the day ends at 23:59:59.999999 UTC, not 22:59.
    detected = utc(2026, 2, 14, 23, 30)
    due = add_duration(detected, "end_of_day", holidays=NO_HOLIDAYS)
    assert due == utc(2026, 2, 15, 23, 59, 59, 999999)
    assert due.astimezone(CASABLANCA).utcoffset() == timedelta(0)


def test_end_of_day_across_the_return_to_utc_plus_one():
    # 00:30 on 22 March 2026 is UTC+0; at 02:00 the clock jumps to 03:00 (UTC+1).
    detected = local(2026, 3, 22, 0, 30)
    assert detected.utcoffset() == timedelta(0)
    due = add_duration(detected, "end_of_day", holidays=NO_HOLIDAYS)
    assert due == utc(2026, 3, 22, 22, 59, 59, 999999)
    assert due.astimezone(CASABLANCA) == local(2026, 3, 22, 23, 59, 59, 999999)


def test_hours_and_days_are_elapsed_time_across_a_clock_change():
    # Saturday 10:00 UTC+1, 24 h later the clock reads 09:00 UTC+0 (assessment.md §7.2).
    start = local(2026, 2, 14, 10)
    assert add_duration(start, "24h", holidays=NO_HOLIDAYS) == local(2026, 2, 15, 9)
    assert add_duration(start, "7d", holidays=NO_HOLIDAYS) == local(2026, 2, 21, 9)


def test_working_days_and_months_keep_the_clock_time_across_a_clock_change():
    # Friday 13 Feb 10:00 (UTC+1) + 1 working day = Monday 16 Feb 10:00 (UTC+0).
    due = add_duration(local(2026, 2, 13, 10), "1wd", holidays=NO_HOLIDAYS)
    assert due == utc(2026, 2, 16, 10)
    # Friday 20 Mar 10:00 (UTC+0) + 1 working day = Monday 23 Mar 10:00 (UTC+1).
    due = add_duration(local(2026, 3, 20, 10), "1wd", holidays=NO_HOLIDAYS)
    assert due == utc(2026, 3, 23, 9)
    # 1 month keeps 10:00 from UTC+1 to UTC+0.
    assert add_duration(local(2026, 1, 20, 10), "1M", holidays=NO_HOLIDAYS) == utc(2026, 2, 20, 10)


def test_a_clock_time_that_does_not_exist_moves_forward_one_that_repeats_takes_the_first():
    # 22 Mar 2026 02:30 does not exist in Casablanca: the deadline is 03:30 UTC+1.
    due = add_duration(local(2026, 2, 22, 2, 30), "1M", holidays=NO_HOLIDAYS)
    assert due == utc(2026, 3, 22, 2, 30)
    assert due.astimezone(CASABLANCA).hour == 3
    # 15 Feb 2026 02:30 happens twice: the first one, UTC+1.
    due = add_duration(local(2026, 1, 15, 2, 30), "1M", holidays=NO_HOLIDAYS)
    assert due == utc(2026, 2, 15, 1, 30)


@pytest.mark.parametrize("duration", ["", "1", "h", "0h", "-1d", "1.5d", "1 d", "2w", "1m", "1y"])
def test_add_duration_refuses_malformed_durations(duration):
    with pytest.raises(ValueError, match="not a duration"):
        add_duration(T0, duration, holidays=NO_HOLIDAYS)


def test_add_duration_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="aware"):
        add_duration(datetime(2026, 10, 5, 10), "1h", holidays=NO_HOLIDAYS)


# --- case_deadlines: assessment.md §7.2 -------------------------------------------------------


def test_the_triage_example_of_assessment_section_10():
    """Report received Monday 10:00, triage level 2; after a full assessment at level 3 the
    plan is due T0 + 7 days, the following Monday 10:00."""
    due = {kind: d.due_at for kind, d in deadlines_of(make_clock(triage_level=2)).items()}
    assert due["assign_case"] == local(2026, 10, 5, 13)
    assert due["first_contact"] == local(2026, 10, 8, 10)
    assert due["full_assessment"] == local(2026, 10, 12, 10)
    assert due["case_plan"] == local(2026, 10, 19, 10)  # triage level until an assessment

    assessed = make_clock(
        triage_level=2, current_level=3, full_assessment_at=local(2026, 10, 7, 16)
    )
    assert deadlines_of(assessed)["case_plan"].due_at == local(2026, 10, 12, 10)


def test_override_o1_level_two_gives_the_plan_at_t0_plus_14_days():
    clock = make_clock(triage_level=1, current_level=2, full_assessment_at=local(2026, 10, 9, 11))
    assert deadlines_of(clock)["case_plan"].due_at == local(2026, 10, 19, 10)


# Every level and every kind. T0 Monday 5 Oct 2026 10:00; plan approved Tue 20 Oct 09:00;
# latest child-seen contact Tue 27 Oct 15:00; latest completed assessment Thu 15 Oct 12:00.
LEVEL_TABLE = [
    (3, "assign_case", local(2026, 10, 5, 11)),
    (3, "first_contact", local(2026, 10, 6, 10)),
    (3, "full_assessment", local(2026, 10, 8, 10)),
    (3, "case_plan", local(2026, 10, 12, 10)),
    (3, "follow_up", local(2026, 11, 3, 15)),
    (3, "reassessment", local(2026, 11, 15, 12)),
    (2, "assign_case", local(2026, 10, 5, 13)),
    (2, "first_contact", local(2026, 10, 8, 10)),
    (2, "full_assessment", local(2026, 10, 12, 10)),
    (2, "case_plan", local(2026, 10, 19, 10)),
    (2, "follow_up", local(2026, 11, 10, 15)),
    (2, "reassessment", local(2027, 1, 15, 12)),
    (1, "assign_case", local(2026, 10, 6, 10)),
    (1, "first_contact", local(2026, 10, 12, 10)),
    (1, "full_assessment", local(2026, 10, 19, 10)),
    (1, "case_plan", local(2026, 11, 4, 10)),
    (1, "follow_up", local(2026, 11, 27, 15)),
    (1, "reassessment", local(2027, 1, 15, 12)),
]


def _running_case(level: int, **changes) -> CaseClock:
    values = {
        "triage_level": level,
        "current_level": level,
        "assigned_at": local(2026, 10, 5, 10, 30),
        "first_child_seen_at": local(2026, 10, 6, 9),
        "full_assessment_at": local(2026, 10, 7, 16),
        "plan_approved_at": local(2026, 10, 20, 9),
        "last_child_seen_at": local(2026, 10, 27, 15),
        "last_assessment_at": local(2026, 10, 15, 12),
    }
    values.update(changes)
    return make_clock(**values)


@pytest.mark.parametrize(("level", "kind", "expected"), LEVEL_TABLE)
def test_each_level_and_kind(level, kind, expected):
    deadline = deadlines_of(_running_case(level))[kind]
    assert deadline.due_at == expected


def test_order_of_the_result_follows_the_task_types():
    assert list(deadlines_of(_running_case(2))) == list(KINDS)


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (3, local(2026, 10, 23, 8)),  # 72 h
        (2, local(2026, 10, 27, 8)),  # 7 days
        (1, local(2026, 11, 3, 8)),  # 14 days
    ],
)
def test_a_trigger_brings_the_reassessment_forward(level, expected):
    clock = _running_case(level, reassessment_triggered_at=local(2026, 10, 20, 8))
    assert deadlines_of(clock)["reassessment"].due_at == expected


def test_a_trigger_answered_by_a_later_assessment_no_longer_counts():
    clock = _running_case(
        2,
        reassessment_triggered_at=local(2026, 10, 14, 8),
        last_assessment_at=local(2026, 10, 15, 12),
    )
    assert deadlines_of(clock)["reassessment"].due_at == local(2027, 1, 15, 12)


def test_a_trigger_due_after_the_periodic_reassessment_does_not_delay_it():
    clock = _running_case(
        3,
        last_assessment_at=local(2026, 10, 15, 12),
        reassessment_triggered_at=local(2026, 11, 14, 12),  # +72 h = 17 Nov, after 15 Nov
    )
    assert deadlines_of(clock)["reassessment"].due_at == local(2026, 11, 15, 12)


def test_reassessment_counts_from_the_full_assessment_when_no_later_one():
    clock = _running_case(2, last_assessment_at=None, full_assessment_at=local(2026, 10, 7, 16))
    assert deadlines_of(clock)["reassessment"].due_at == local(2027, 1, 7, 16)


def test_follow_up_counts_from_plan_approval_without_a_contact_since():
    clock = _running_case(2, last_child_seen_at=None, first_child_seen_at=local(2026, 10, 6, 9))
    assert deadlines_of(clock)["follow_up"].due_at == local(2026, 11, 3, 9)  # 20 Oct 09:00 + 14 d


def test_follow_up_needs_an_approved_plan():
    clock = _running_case(2, plan_approved_at=None)
    assert "follow_up" not in deadlines_of(clock)


def test_no_reassessment_before_a_completed_assessment():
    clock = make_clock(reassessment_triggered_at=local(2026, 10, 6, 9))
    assert "reassessment" not in deadlines_of(clock)


def test_the_front_deadlines_use_the_triage_level_not_the_current_level():
    clock = _running_case(1, current_level=3)
    due = deadlines_of(clock)
    assert due["assign_case"].due_at == local(2026, 10, 6, 10)  # level 1: one working day
    assert due["case_plan"].due_at == local(2026, 10, 12, 10)  # level 3: 7 days


def test_an_active_emergency_applies_the_level_three_values_everywhere():
    calm = deadlines_of(_running_case(1))
    emergency = deadlines_of(_running_case(1, emergency_active=True))
    level_three = deadlines_of(_running_case(3))
    for kind in KINDS:
        assert emergency[kind].due_at == level_three[kind].due_at
        assert emergency[kind].due_at < calm[kind].due_at


def test_level_zero_has_no_plan_follow_up_or_reassessment():
    clock = _running_case(1, current_level=0)
    assert list(deadlines_of(clock)) == ["assign_case", "first_contact", "full_assessment"]


def test_an_emergency_on_a_level_zero_case_brings_the_level_three_deadlines_back():
    clock = _running_case(1, current_level=0, emergency_active=True)
    assert list(deadlines_of(clock)) == list(KINDS)


def test_done_deadlines_carry_their_time_and_are_never_overdue():
    clock = _running_case(2)
    late = local(2027, 6, 1)
    due = deadlines_of(clock, now=late)
    assert due["assign_case"].done_at == clock.assigned_at
    assert due["first_contact"].done_at == clock.first_child_seen_at
    assert due["full_assessment"].done_at == clock.full_assessment_at
    assert due["case_plan"].done_at == clock.plan_approved_at
    for kind in ("assign_case", "first_contact", "full_assessment", "case_plan"):
        assert due[kind].overdue is False
    # The rolling deadlines are open and long past.
    assert due["follow_up"].done_at is None and due["follow_up"].overdue is True
    assert due["reassessment"].done_at is None and due["reassessment"].overdue is True


def test_a_deadline_done_late_is_still_not_overdue():
    clock = make_clock(triage_level=3, assigned_at=local(2026, 10, 5, 15))  # due 11:00
    assigned = deadlines_of(clock, now=local(2026, 10, 6))["assign_case"]
    assert assigned.done_at == local(2026, 10, 5, 15)
    assert assigned.overdue is False


def test_overdue_starts_strictly_after_the_due_time():
    clock = make_clock(triage_level=3)
    assert deadlines_of(clock, now=local(2026, 10, 5, 11))["assign_case"].overdue is False
    assert deadlines_of(clock, now=local(2026, 10, 5, 11, 0, 0, 1))["assign_case"].overdue is True


def test_a_closed_case_has_no_open_deadline():
    clock = _running_case(2, closed=True)
    result = case_deadlines(clock, now=local(2027, 6, 1), standards=STANDARDS, holidays=HOLIDAYS)
    assert [d.kind for d in result] == [
        "assign_case",
        "first_contact",
        "full_assessment",
        "case_plan",
    ]
    assert all(d.done_at is not None and not d.overdue for d in result)
    never_started = make_clock(closed=True)
    assert case_deadlines(never_started, now=T0, standards=STANDARDS, holidays=HOLIDAYS) == []


def test_the_case_clock_refuses_bad_input():
    with pytest.raises(ValueError, match="triage_level"):
        make_clock(triage_level=0)
    with pytest.raises(ValueError, match="current_level"):
        make_clock(current_level=4)
    with pytest.raises(ValueError, match="t0"):
        make_clock(t0=datetime(2026, 10, 5, 10))
    with pytest.raises(ValueError, match="plan_approved_at"):
        make_clock(plan_approved_at=datetime(2026, 10, 5, 10))
    with pytest.raises(ValueError, match="now"):
        case_deadlines(
            make_clock(),
            now=datetime(2026, 10, 5),
            standards=STANDARDS,
            holidays=NO_HOLIDAYS,
        )


# --- Properties ----------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2027, 6, 30),
    timezones=st.just(UTC),
)
offsets = st.one_of(st.none(), st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=150)))
holiday_sets = st.sampled_from([NO_HOLIDAYS, HOLIDAYS])


@st.composite
def clocks(draw, *, triage=None, current=None):
    t0 = draw(instants)

    def after_t0():
        offset = draw(offsets)
        return None if offset is None else t0 + offset

    return CaseClock(
        t0=t0,
        triage_level=draw(st.sampled_from([1, 2, 3])) if triage is None else triage,
        current_level=draw(st.sampled_from([None, 0, 1, 2, 3])) if current is None else current,
        emergency_active=draw(st.booleans()),
        assigned_at=after_t0(),
        first_child_seen_at=after_t0(),
        full_assessment_at=after_t0(),
        plan_approved_at=after_t0(),
        last_child_seen_at=after_t0(),
        last_assessment_at=after_t0(),
        reassessment_triggered_at=after_t0(),
        closed=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(clock=clocks(), now=instants, holidays=holiday_sets)
def test_property_no_deadline_is_due_before_t0(clock, now, holidays):
    for deadline in case_deadlines(clock, now=now, standards=STANDARDS, holidays=holidays):
        assert deadline.due_at >= clock.t0
        assert deadline.due_at.tzinfo is UTC
        assert deadline.overdue == (deadline.done_at is None and now > deadline.due_at)


@settings(max_examples=200, deadline=None)
@given(clock=clocks(), now=instants, holidays=holiday_sets)
def test_property_the_same_inputs_give_the_same_result(clock, now, holidays):
    first = case_deadlines(clock, now=now, standards=STANDARDS, holidays=holidays)
    second = case_deadlines(
        replace(clock),
        now=now,
        standards=load_standards(dl.STANDARDS_FILE),  # read again, not the cached object
        holidays=frozenset(set(holidays)),
    )
    assert first == second


def _due(clock: CaseClock, now: datetime, holidays) -> dict[str, datetime]:
    result = case_deadlines(clock, now=now, standards=STANDARDS, holidays=holidays)
    return {deadline.kind: deadline.due_at for deadline in result}


@settings(max_examples=300, deadline=None)
@given(
    clock=clocks(),
    levels=st.lists(st.sampled_from([1, 2, 3]), min_size=2, max_size=2, unique=True),
    holidays=holiday_sets,
)
def test_property_a_higher_triage_level_is_never_later(clock, levels, holidays):
    high, low = max(levels), min(levels)
    clock = replace(clock, current_level=None, emergency_active=False, closed=False)
    due_high = _due(replace(clock, triage_level=high), clock.t0, holidays)
    due_low = _due(replace(clock, triage_level=low), clock.t0, holidays)
    assert due_high.keys() == due_low.keys()
    for kind, due_at in due_high.items():
        assert due_at <= due_low[kind], kind


@settings(max_examples=300, deadline=None)
@given(
    clock=clocks(),
    levels=st.lists(st.sampled_from([1, 2, 3]), min_size=2, max_size=2, unique=True),
    holidays=holiday_sets,
)
def test_property_a_higher_current_level_is_never_later(clock, levels, holidays):
    high, low = max(levels), min(levels)
    clock = replace(clock, emergency_active=False, closed=False)
    due_high = _due(replace(clock, current_level=high), clock.t0, holidays)
    due_low = _due(replace(clock, current_level=low), clock.t0, holidays)
    assert due_high.keys() == due_low.keys()
    for kind, due_at in due_high.items():
        assert due_at <= due_low[kind], kind


@settings(max_examples=200, deadline=None)
@given(clock=clocks(), holidays=holiday_sets)
def test_property_an_emergency_never_makes_a_deadline_later(clock, holidays):
    clock = replace(clock, closed=False)
    calm = _due(replace(clock, emergency_active=False), clock.t0, holidays)
    emergency = _due(replace(clock, emergency_active=True), clock.t0, holidays)
    for kind, due_at in calm.items():
        assert emergency[kind] <= due_at, kind


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2027, 12, 1),
        timezones=st.just(CASABLANCA),
        allow_imaginary=False,
    ),
    amount=st.integers(min_value=1, max_value=40),
    unit=st.sampled_from(["h", "d", "wd", "M"]),
    holidays=holiday_sets,
)
def test_property_add_duration_moves_forward_in_utc(start, amount, unit, holidays):
    due = add_duration(start, f"{amount}{unit}", holidays=holidays)
    assert due > start
    assert due.tzinfo is UTC
    assert add_duration(start, f"{amount}{unit}", holidays=holidays) == due
    if unit == "wd":
        landed = due.astimezone(CASABLANCA)
        assert dl.is_working_day(landed.date(), holidays)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2027, 12, 31),
        timezones=st.just(UTC),
    )
)
def test_property_end_of_day_is_the_last_instant_of_the_local_day(start):
    due = add_duration(start, "end_of_day", holidays=NO_HOLIDAYS)
    # A local day lasts 25 hours when the clock goes back for Ramadan (hypothesis found it).
    assert start <= due < start + timedelta(hours=25)
    assert due.astimezone(CASABLANCA).date() == start.astimezone(CASABLANCA).date()
    assert (due + timedelta(microseconds=1)).astimezone(CASABLANCA).time() == datetime.min.time()


# --- Judicial track and birthdays -----------------------------------------------------------------


def test_prosecutor_report_is_due_at_the_end_of_the_local_day():
    assert prosecutor_report_due(local(2026, 10, 5, 17, 20)) == local(
        2026, 10, 5, 23, 59, 59, 999999
    )
    # 23:30 UTC on 5 Oct is already 6 Oct in Casablanca.
    assert prosecutor_report_due(utc(2026, 10, 5, 23, 30)) == local(2026, 10, 6, 23, 59, 59, 999999)
    # During Ramadan (UTC+0).
    assert prosecutor_report_due(local(2026, 3, 1, 9)) == utc(2026, 3, 1, 23, 59, 59, 999999)


def test_protection_request_is_due_in_seven_days():
    assert protection_request_due(local(2026, 10, 5, 10)) == local(2026, 10, 12, 10)


def test_supervised_liberty_reports_every_three_months_from_the_start():
    # Counted from the start each time: 31 Jan → 30 Apr, 31 Jul, 31 Oct (no drift to the 30th).
    dues = supervised_liberty_report_dues(date(2026, 1, 31), None, date(2026, 12, 31))
    assert dues == [date(2026, 4, 30), date(2026, 7, 31), date(2026, 10, 31)]


def test_supervised_liberty_stops_at_the_earlier_of_end_and_majority():
    start = date(2026, 2, 10)
    assert supervised_liberty_report_dues(start, date(2026, 11, 10), date(2030, 1, 1)) == [
        date(2026, 5, 10),
        date(2026, 8, 10),
        date(2026, 11, 10),  # a due date on the end date is kept: the closing report
    ]
    assert supervised_liberty_report_dues(start, date(2027, 12, 31), date(2026, 9, 1)) == [
        date(2026, 5, 10),
        date(2026, 8, 10),
    ]
    assert supervised_liberty_report_dues(start, date(2026, 5, 9), None) == []


def test_supervised_liberty_needs_a_limit():
    with pytest.raises(ValueError, match="end date or an 18th birthday"):
        supervised_liberty_report_dues(date(2026, 2, 10), None, None)


@pytest.mark.parametrize(
    ("received", "today", "late"),
    [
        (date(2026, 3, 10), date(2026, 6, 1), False),
        (date(2026, 3, 16), date(2026, 6, 1), False),  # due + 15 days: still on time
        (date(2026, 3, 17), date(2026, 6, 1), True),
        (None, date(2026, 3, 16), False),
        (None, date(2026, 3, 17), True),
        (None, date(2026, 2, 20), False),  # before it is even due
    ],
)
def test_a_supervised_liberty_report_is_late_fifteen_days_after_its_due_date(received, today, late):
    assert ls_report_late(date(2026, 3, 1), received, today) is late


def test_measure_alerts_thirty_days_before_end_and_review():
    assert measure_alert_dates(date(2026, 12, 31), date(2026, 9, 30)) == [
        date(2026, 8, 31),
        date(2026, 12, 1),
    ]
    assert measure_alert_dates(date(2026, 12, 31), None) == [date(2026, 12, 1)]
    assert measure_alert_dates(None, None) == []
    assert measure_alert_dates(date(2026, 12, 31), date(2026, 12, 31)) == [date(2026, 12, 1)]


def test_birthday_reassessments_ninety_days_before_sixteen_and_eighteen():
    assert birthday_reassessment_dates(date(2010, 5, 20)) == [date(2026, 2, 19), date(2028, 2, 20)]


def test_a_birth_year_alone_gives_the_benefit_of_the_doubt():
    assert birthday_reassessment_dates(date(2010, 1, 1), benefit_of_doubt_year_only=True) == [
        date(2026, 10, 2),
        date(2028, 10, 2),
    ]
    assert birthday_on(date(2010, 6, 1), 18, benefit_of_doubt_year_only=True) == date(2028, 12, 31)


def test_a_child_born_on_29_february_has_birthdays_on_1_march_in_common_years():
    assert birthday_on(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert birthday_on(date(2008, 2, 29), 16) == date(2024, 2, 29)
    assert birthday_reassessment_dates(date(2008, 2, 29)) == [date(2023, 12, 1), date(2025, 12, 1)]


# --- The standards file ------------------------------------------------------------------------------


def test_the_shipped_standards_match_assessment_section_7_1():
    level3, level2, level1 = STANDARDS.level(3), STANDARDS.level(2), STANDARDS.level(1)
    assert STANDARDS.version == 1
    assert STANDARDS.level(0) is None
    assert (level3.assign, level3.first_contact, level3.full_assessment, level3.case_plan) == (
        "1h",
        "24h",
        "72h",
        "7d",
    )
    assert (level2.assign, level2.first_contact, level2.full_assessment, level2.case_plan) == (
        "3h",
        "72h",
        "7d",
        "14d",
    )
    assert (level1.assign, level1.first_contact, level1.full_assessment, level1.case_plan) == (
        "1wd",
        "7d",
        "14d",
        "30d",
    )
    assert (level3.follow_up, level2.follow_up, level1.follow_up) == ("7d", "14d", "1M")
    assert (level3.reassess, level2.reassess, level1.reassess) == ("1M", "3M", "3M")
    # §8: a trigger is due within the full-assessment time of the level.
    for level in (level3, level2, level1):
        assert level.reassessment_trigger == level.full_assessment
    judicial = STANDARDS.judicial
    assert judicial.report_to_prosecutor == "end_of_day"
    assert judicial.judicial_protection_request == "7d"
    assert (judicial.ls_report_every, judicial.ls_report_late_after) == ("3M", "15d")
    assert judicial.measure_alert_before == "30d"
    assert (judicial.birthday_reassessment_before, judicial.birthdays) == ("90d", (16, 18))


def test_the_shipped_files_are_read_once_and_equal_a_fresh_read():
    assert load_standards() is load_standards()
    assert load_standards() == load_standards(dl.STANDARDS_FILE)
    assert load_holidays() is load_holidays()
    assert load_holidays() == load_holidays(dl.HOLIDAYS_FILE)


def test_the_reassessment_trigger_due_time_is_the_full_assessment_time_of_the_level():
    assert [STANDARDS.reassessment_trigger_due(level) for level in (3, 2, 1)] == [
        "72h",
        "7d",
        "14d",
    ]
    with pytest.raises(ValueError, match="level 0"):
        STANDARDS.reassessment_trigger_due(0)
    with pytest.raises(ValueError, match="unknown level"):
        STANDARDS.reassessment_trigger_due(4)


def test_the_deadline_kinds_are_the_task_type_codes():
    assert dl.DEADLINE_KINDS == KINDS


def _shipped_standards() -> dict:
    return yaml.safe_load(dl.STANDARDS_FILE.read_text(encoding="utf-8"))


def _write(tmp_dir: Path, data, name="standards.yaml") -> Path:
    path = tmp_dir / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def test_an_unknown_unit_is_refused_with_its_key_and_line(tmp_path):
    text = dl.STANDARDS_FILE.read_text(encoding="utf-8").replace(
        "full_assessment: 7d ", "full_assessment: 7x "
    )
    line = _line_of(text, "full_assessment: 7x")
    with pytest.raises(DeadlineDataError) as error:
        load_standards(_write(tmp_path, text))
    message = str(error.value)
    assert "levels.2.full_assessment" in message
    assert "'7x'" in message
    assert f"(line {line})" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["levels"].pop(2), "levels: level 2 is missing"),
        (lambda d: d["levels"].update({4: {}}), "levels.4: unknown level"),
        (lambda d: d["levels"].update({0: {"assign": "1h"}}), "levels.0: level 0 must be empty"),
        (lambda d: d["levels"][2].update({"case_plan": "5d"}), "levels.2.case_plan"),
        (lambda d: d["levels"][1].update({"first_contact": "2d"}), "levels.1.first_contact"),
        (lambda d: d["levels"][3].update({"follow_up": "1M"}), "levels.3.follow_up"),
        (lambda d: d["levels"][2].update({"reassess": "3wd"}), "levels.2.reassess"),
        (lambda d: d["levels"][1].pop("reassess"), "levels.1: missing key 'reassess'"),
        (lambda d: d["levels"][1].update({"asign": "1h"}), "levels.1.asign: unknown key"),
        (lambda d: d["levels"][3].update({"assign": "end_of_day"}), "levels.3.assign"),
        (
            lambda d: d["judicial"].update({"measure_alert_before": "30wd"}),
            "judicial.measure_alert_before",
        ),
        (
            lambda d: d["judicial"].update({"ls_report_every": "3 months"}),
            "judicial.ls_report_every",
        ),
        (lambda d: d["judicial"].update({"birthdays": [18, 16]}), "judicial.birthdays"),
        (lambda d: d["judicial"].pop("report_to_prosecutor"), "missing key 'report_to_prosecutor'"),
        (lambda d: d.update({"version": "one"}), "version: must be a whole number"),
    ],
)
def test_an_inconsistent_standards_file_is_refused_naming_the_key(tmp_path, change, expected):
    data = _shipped_standards()
    change(data)
    with pytest.raises(DeadlineDataError) as error:
        load_standards(_write(tmp_path, data))
    assert expected in str(error.value)
    assert "standards.yaml" in str(error.value)
    assert "(line " in str(error.value)


def test_a_duplicate_key_is_refused(tmp_path):
    text = dl.STANDARDS_FILE.read_text(encoding="utf-8").replace(
        "    case_plan: 14d", "    case_plan: 14d\n    case_plan: 3d"
    )
    with pytest.raises(DeadlineDataError, match=r"levels\.2\.case_plan: duplicate key"):
        load_standards(_write(tmp_path, text))


@settings(max_examples=60, deadline=None)
@given(
    level=st.sampled_from([1, 2, 3]),
    key=st.sampled_from(dl.LEVEL_KEYS),
    bad=st.sampled_from(["7x", "7", "d7", "1.5d", "-3h", "0d", "one week", "7 d", "7D", "3y"]),
)
def test_property_a_bad_unit_anywhere_is_refused_naming_the_key(level, key, bad):
    data = _shipped_standards()
    data["levels"][level][key] = bad
    with tempfile.TemporaryDirectory() as tmp, pytest.raises(DeadlineDataError) as error:
        load_standards(_write(Path(tmp), data))
    assert f"levels.{level}.{key}:" in str(error.value)


# --- The holiday calendar --------------------------------------------------------------------------


def test_the_calendar_holds_the_civil_holidays_of_each_year():
    for year in (2025, 2026, 2027):
        for month, day in [
            (1, 1),
            (1, 11),
            (1, 14),
            (5, 1),
            (7, 30),
            (8, 14),
            (8, 20),
            (8, 21),
            (10, 31),
            (11, 6),
            (11, 18),
        ]:
            assert date(year, month, day) in HOLIDAYS


def test_the_calendar_holds_two_days_of_each_eid_and_of_mawlid():
    assert {date(2025, 3, 31), date(2025, 4, 1)} <= HOLIDAYS  # Eid al-Fitr 1446
    assert {date(2025, 6, 7), date(2025, 6, 8)} <= HOLIDAYS  # Eid al-Adha 1446
    assert date(2025, 6, 27) in HOLIDAYS  # 1 Muharram 1447
    assert {date(2025, 9, 5), date(2025, 9, 6)} <= HOLIDAYS  # Mawlid 1447
    for year in (2025, 2026, 2027):
        assert len([d for d in HOLIDAYS if d.year == year]) == 11 + 7
    assert not [d for d in HOLIDAYS if d.year not in (2025, 2026, 2027)]


def test_fixed_holidays_start_in_their_since_year(tmp_path):
    text = dl.HOLIDAYS_FILE.read_text(encoding="utf-8").replace(
        "years: [2025, 2026, 2027]", "years: [2024, 2025, 2026, 2027]"
    )
    holidays = load_holidays(_write(tmp_path, text, "holidays.yaml"))
    assert date(2024, 1, 14) in holidays  # Amazigh new year, since 2024
    assert date(2024, 10, 31) not in holidays  # Eid al-Wahda, since 2025
    assert date(2025, 10, 31) in holidays


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "{date: 2026-05-27, name: eid_al_adha, status: provisional}",
            "{date: 2028-05-27, name: eid_al_adha, status: provisional}",
            "movable.9.date: 2028-05-27 is outside the years",
        ),
        (
            "{date: 2026-05-27, name: eid_al_adha, status: provisional}",
            "{date: 2026-05-27, name: eid_al_adha, status: maybe}",
            "movable.9.status",
        ),
        (
            "{date: 2026-05-27, name: eid_al_adha, status: provisional}",
            "{date: 27/05/2026, name: eid_al_adha, status: provisional}",
            "movable.9.date: expected a date",
        ),
        (
            "{month: 11, day: 6, name: green_march}",
            "{month: 11, day: 31, name: green_march}",
            "fixed.9: not a valid month and day",
        ),
        (
            "{month: 11, day: 6, name: green_march}",
            "{month: 11, day: 6, nom: green_march}",
            "fixed.9",
        ),
    ],
)
def test_an_inconsistent_holiday_file_is_refused_naming_the_entry(tmp_path, old, new, expected):
    text = dl.HOLIDAYS_FILE.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(DeadlineDataError) as error:
        load_holidays(_write(tmp_path, text.replace(old, new), "holidays.yaml"))
    assert expected in str(error.value)
    assert "(line " in str(error.value)
