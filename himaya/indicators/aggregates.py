"""Turn the registry's facts into `AggregateCell` rows: one pass per indicator over its facts,
for every period (year, quarters, months) and every territory (province or prefecture, the
prefecture containing it, its region, the nation).

Counts are distinct counts of units held in sets, so a child with cases in two provinces
counts once in the region and nationally (§1.2); multi-valued dimensions (any concern) put a
unit in every matching cell, and totals are never sums of categories (§1.5).

`rebuild()` recomputes every year that has data; `refresh()` recomputes only the years from
the earliest one touched since the last run (the watermark in `RefreshState`) to the current
year. Both write the same rows for a year, so a refresh followed by a rebuild changes nothing
(tested).
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from himaya.indicators.models import AggregateCell, ComputedPeriod, RefreshState
from himaya.indicators.periods import TZ, Period, keys_containing, periods_of_year
from himaya.indicators.registry import INDICATORS, Fact, Indicator, age_band

NATIONAL = "MA"
# Indicators whose figures for a past year change with the passing of time alone.
TIME_DEPENDENT = ("OC04A", "OC04B")
STATE_KEY = "aggregates"


def territory_chain() -> dict[str, tuple[str, ...]]:
    """Each province code → the territories it rolls up to, itself first (§1.4)."""
    from himaya.core.models import Province

    chain = {}
    for code, parent, region in Province.objects.values_list("code", "parent_id", "region_id"):
        chain[code] = tuple(t for t in (code, parent, region, NATIONAL) if t)
    return chain


def all_territories() -> list[str]:
    from himaya.core.models import Province, Region

    return [
        NATIONAL,
        *Region.objects.values_list("code", flat=True),
        *Province.objects.values_list("code", flat=True),
    ]


def dims_key(pairs: list[tuple[str, str]]) -> str:
    return "|".join(f"{k}={v}" for k, v in pairs)


def _reference_moment(period: Period) -> datetime:
    """The stock's reference instant: the last day of the period, 23:59:59 local time."""
    return period.end - timedelta(seconds=1)


def _in_period(indicator: Indicator, fact: Fact, period: Period) -> datetime | None:
    """The moment at which `fact` is evaluated for `period`, or None when it is not in it."""
    if indicator.mode == "event":
        return fact.at if fact.at is not None and period.start <= fact.at < period.end else None
    if indicator.mode == "stock":
        ref = _reference_moment(period)
        if fact.start is not None and fact.start <= ref and (fact.end is None or fact.end > ref):
            return ref
        return None
    # overlap: open at any moment of the period; dimensions on the later of start and period start
    if (
        fact.start is not None
        and fact.start < period.end
        and (fact.end is None or fact.end >= period.start)
    ):
        return max(fact.start, period.start)
    return None


def _choices(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _fact_keys(fact: Fact, breakdowns: list[str]) -> tuple[list, list]:
    """The cell keys of a fact that do not depend on the period, and the breakdowns that
    need its age band on the period's date (filled in per period)."""
    static, with_age = [], []
    for breakdown in breakdowns:
        if not breakdown:
            static.append(("", ""))
            continue
        names = breakdown.split(",")
        if "age_band" in names:
            with_age.append((breakdown, names))
            continue
        for combo in itertools.product(*(_choices(fact.dims.get(n, "unknown")) for n in names)):
            static.append((breakdown, dims_key(list(zip(names, combo, strict=True)))))
    return static, with_age


def _age_keys(fact: Fact, with_age: list, band: str) -> list:
    found = []
    for breakdown, names in with_age:
        choices = [
            (band,) if n == "age_band" else _choices(fact.dims.get(n, "unknown")) for n in names
        ]
        for combo in itertools.product(*choices):
            found.append((breakdown, dims_key(list(zip(names, combo, strict=True)))))
    return found


_TOTAL_ONLY = [("", "")]


class _Cell:
    __slots__ = ("misses", "units", "values", "wins")

    def __init__(self):
        self.units: set = set()
        self.wins: set = set()
        self.misses: set = set()
        self.values: dict = {}


def compute(indicator: Indicator, periods: list[Period], chain: dict) -> list[AggregateCell]:
    """The cells of `indicator` for `periods` (exact counts; suppression is applied on read).

    Units are numbered once (small ints hash fast) and each fact's period-independent cell
    keys are worked out once; only the age band is recomputed on each period's date."""
    facts = list(indicator.facts()) if indicator.facts else []
    numbers: dict = {}
    prepared = []
    for fact in facts:
        uid = numbers.setdefault(fact.unit, len(numbers))
        prepared.append((fact, uid, *_fact_keys(fact, indicator.breakdowns)))
    by_key = defaultdict(list)
    wanted = {p.key for p in periods}
    if indicator.mode == "event":
        for item in prepared:
            if item[0].at is not None:
                for key in keys_containing(item[0].at):
                    if key in wanted:
                        by_key[key].append(item)
    cells_out: list[AggregateCell] = []
    for period in periods:
        candidates = by_key.get(period.key, []) if indicator.mode == "event" else prepared
        cells: dict = {}
        for fact, uid, static, with_age in candidates:
            moment = _in_period(indicator, fact, period)
            if moment is None:
                continue
            territories = chain.get(fact.province_on(moment), (NATIONAL,))
            keys = static
            if period.month:
                # Months keep their totals only (trends); disaggregations are kept by quarter
                # and year, which is what the reports use — it divides the table by four.
                keys = _TOTAL_ONLY
            elif with_age:
                band = age_band(fact.birth, moment.astimezone(TZ).date())
                keys = static + _age_keys(fact, with_age, band)
            value = fact.value
            if indicator.elapsed and fact.start is not None:
                value = (moment.astimezone(TZ).date() - fact.start.astimezone(TZ).date()).days
            for breakdown, key in keys:
                for territory in territories:
                    cell = cells.get((territory, breakdown, key))
                    if cell is None:
                        cell = cells[(territory, breakdown, key)] = _Cell()
                    cell.units.add(uid)
                    (cell.wins if fact.num else cell.misses).add(uid)
                    if value is not None:
                        cell.values[uid] = value
        # Only non-empty cells are stored: in a period listed in `ComputedPeriod` an absent
        # cell reads 0, and a period not listed reads "not computed" — never 0.
        for (territory, breakdown, key), cell in cells.items():
            cells_out.append(_row(indicator, period, territory, breakdown, key, cell))
    return cells_out


def _row(indicator, period, territory, breakdown, key, cell: _Cell) -> AggregateCell:
    row = AggregateCell(
        indicator=indicator.code, period=period.key, territory=territory,
        breakdown=breakdown, dims=key,
    )  # fmt: skip
    wins = cell.wins - cell.misses if indicator.combine == "all" else cell.wins
    if indicator.measure in ("count", "rate"):
        row.numerator = len(wins)
    elif indicator.measure == "proportion":
        row.numerator, row.denominator = len(wins), len(cell.units)
    elif indicator.measure == "mean":
        row.numerator, row.denominator = len(wins), len(cell.misses)
        row.value = round(row.numerator / row.denominator, 1) if row.denominator else None
    elif indicator.measure == "median":
        values = list(cell.values.values())
        row.denominator = len(values)
        row.value = round(statistics.median(values), 1) if values else None
    elif indicator.measure == "sum":
        row.numerator = int(sum(cell.values.values()))
    return row


def _years_with_data() -> list[int]:
    from himaya.cases.models import Case, Report

    firsts = [
        Report.objects.aggregate(m=Min("received_at"))["m"],
        Case.objects.aggregate(m=Min("t0"))["m"],
        Case.objects.aggregate(m=Min("opened_at"))["m"],
    ]
    from himaya.indicators.models import ProgrammeRecord

    present = [f.astimezone(TZ).year for f in firsts if f is not None]
    first_record = ProgrammeRecord.objects.aggregate(m=Min("reference_date"))["m"]
    if first_record:
        present.append(first_record.year)
    this_year = timezone.now().astimezone(TZ).year
    return list(range(min(present), this_year + 1)) if present else [this_year]


def _periods(years: list[int]) -> list[Period]:
    now = timezone.now()
    return [p for year in years for p in periods_of_year(year) if p.start <= now]


def _write(years: list[int], codes: list[str] | None = None) -> int:
    chain = territory_chain()
    periods = _periods(years)
    keys = [p.key for p in periods]
    count = 0
    for indicator in INDICATORS.values():
        if not indicator.computed or (codes and indicator.code not in codes):
            continue
        rows = compute(indicator, periods, chain)
        with transaction.atomic():
            AggregateCell.objects.filter(indicator=indicator.code, period__in=keys).delete()
            AggregateCell.objects.bulk_create(rows, batch_size=5000)
        count += len(rows)
    with transaction.atomic():
        ComputedPeriod.objects.filter(period__in=keys).delete()
        ComputedPeriod.objects.bulk_create(ComputedPeriod(period=key) for key in keys)
    return count


def _record(started: float, at, periods: int, *, full: bool) -> RefreshState:
    state, _created = RefreshState.objects.update_or_create(
        key=STATE_KEY,
        defaults={
            "refreshed_at": at,
            "duration_ms": int((time.perf_counter() - started) * 1000),
            "periods": periods,
            "full": full,
        },
    )
    return state


def rebuild() -> RefreshState:
    """Recompute every period of every year with data, from scratch."""
    started, at = time.perf_counter(), timezone.now()
    years = _years_with_data()
    with transaction.atomic():
        AggregateCell.objects.all().delete()
        ComputedPeriod.objects.all().delete()
    _write(years)
    return _record(started, at, len(_periods(years)), full=True)


def dirty_since(watermark) -> int | None:
    """The earliest year whose figures may have changed since `watermark`: the first date
    (T0, opening, report) of every case or report touched since, through its timeline, its
    reports or its child. Every period date of a case lies on or after these dates."""
    from himaya.cases.models import Case, CaseEvent, Report

    touched = (
        Case.objects.filter(id__in=CaseEvent.objects.filter(at__gte=watermark).values("case_id"))
        | Case.objects.filter(updated_at__gte=watermark)
        | Case.objects.filter(child__updated_at__gte=watermark)
        # the records of the assessment, referrals and placements apps and the LS reports
        # (subqueries, not joins: one row per case however many records it has)
        | Case.objects.filter(id__in=_touched_cases(watermark))
    )
    firsts = [
        touched.aggregate(m=Min("t0"))["m"],
        touched.aggregate(m=Min("opened_at"))["m"],
        Report.objects.filter(updated_at__gte=watermark).aggregate(m=Min("received_at"))["m"],
    ]
    from himaya.accounts.models import Membership, Organisation
    from himaya.indicators.models import ProgrammeRecord

    if (
        Organisation.objects.filter(updated_at__gte=watermark).exists()
        or Membership.objects.filter(updated_at__gte=watermark).exists()
    ):
        firsts.append(datetime(_years_with_data()[0], 1, 1, tzinfo=TZ))
    firsts.append(
        ProgrammeRecord.objects.filter(created_at__gte=watermark).aggregate(
            m=Min("reference_date")
        )["m"]
    )
    years = [f.year if not isinstance(f, datetime) else f.astimezone(TZ).year for f in firsts if f]
    return min(years) if years else None


def _touched_cases(watermark):
    """The cases whose assessments, referrals, care arrangements, judicial measures or
    supervised-liberty reports changed since `watermark` (this module reads those apps; they
    never import it)."""
    from himaya.assessment.models import Assessment
    from himaya.cases.models import JudicialMeasure, SupervisedLibertyReport
    from himaya.placements.models import CareArrangement
    from himaya.referrals.models import Referral

    ids: set = set()
    for model in (Assessment, Referral, CareArrangement, JudicialMeasure, SupervisedLibertyReport):
        ids.update(
            model.objects.filter(updated_at__gte=watermark)
            .order_by()
            .values_list("case_id", flat=True)
            .distinct()
        )
    from himaya.placements.models import PlacementReview

    ids.update(
        PlacementReview.objects.filter(updated_at__gte=watermark)
        .order_by()
        .values_list("arrangement__case_id", flat=True)
        .distinct()
    )
    return list(ids)


def refresh() -> RefreshState:
    """Recompute the years that may have changed since the last refresh (all on first run)."""
    state = RefreshState.objects.filter(key=STATE_KEY).first()
    if state is None:
        return rebuild()
    started, at = time.perf_counter(), timezone.now()
    first = dirty_since(state.refreshed_at)
    this_year = at.astimezone(TZ).year
    # The current year always moves: stock indicators and deadlines fall due as time passes.
    first_year = _years_with_data()[0]
    years = [y for y in range(min(first or this_year, this_year), this_year + 1) if y >= first_year]
    _write(years)
    # Re-report cohorts (OC04) of last year become final as their window passes.
    if this_year - 1 not in years and this_year - 1 >= first_year:
        _write([this_year - 1], codes=list(TIME_DEPENDENT))
    return _record(started, at, len(_periods(years)), full=False)
