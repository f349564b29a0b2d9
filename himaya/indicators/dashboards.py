"""What the dashboards show, built from `AggregateCell` only (through `selectors`), for one
period and territory: the headline figures of every indicator with last year's, the figures of
the territories inside it, and charts with their tables. National, regional and provincial
dashboards are this one view at three territories."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himaya.core import codes
from himaya.indicators import charts, selectors
from himaya.indicators.aggregates import NATIONAL
from himaya.indicators.models import AggregateCell
from himaya.indicators.periods import Period
from himaya.indicators.registry import DIMENSIONS, INDICATORS, Indicator
from himaya.indicators.suppression import HIDDEN, hide_ratio, suppress

GROUPS = {
    "inputs": gettext_lazy("Inputs and coverage"),
    "timeliness": gettext_lazy("Timeliness"),
    "quality": gettext_lazy("Process quality"),
    "judicial": gettext_lazy("Judicial interface"),
    "outcomes": gettext_lazy("Outcomes"),
    "gaps": gettext_lazy("Service gaps"),
    "programme": gettext_lazy("Programme (DTIPE)"),
}
DIMENSION_CODE_LISTS = {
    "concern": "concern_category",
    "migrant_status": "migrant_status",
    "reporter_type": "reporter_type",
    "waiver_reason": "waiver_reason",
    "measure_type": "judicial_measure_type",
    "closure_reason": "closure_reason",
    "sex": "sex",
    "age_band": "age_band",
}


# Values that are groupings of ours rather than codes of a list.
VALUE_LABELS = {
    ("channel", "2511"): gettext_lazy("ONDE 2511 (line and portal)"),
    ("channel", "school"): gettext_lazy("School"),
    ("channel", "health"): gettext_lazy("Health"),
    ("channel", "police_gendarmerie"): gettext_lazy("Police and gendarmerie"),
    ("channel", "parquet"): gettext_lazy("Public prosecutor"),
    ("channel", "upe_association"): gettext_lazy("UPE or association"),
    ("channel", "samu_social"): gettext_lazy("SAMU social"),
    ("channel", "self_family"): gettext_lazy("Child or family (walk-in)"),
    ("channel", "other"): gettext_lazy("Other"),
    ("nationality", "moroccan"): gettext_lazy("Moroccan"),
    ("nationality", "foreign"): gettext_lazy("Foreign"),
    ("nationality", "stateless"): gettext_lazy("Stateless"),
    ("nationality", "unknown"): gettext_lazy("Unknown"),
    ("disability", "yes"): gettext_lazy("Yes"),
    ("disability", "no"): gettext_lazy("No"),
    ("disability", "unknown"): gettext_lazy("Unknown"),
    ("org_type", "cape"): gettext_lazy("CAPE"),
    ("org_type", "upe"): gettext_lazy("UPE"),
    ("org_type", "other"): gettext_lazy("Other"),
    ("record_type", "case_plan"): gettext_lazy("Case plan"),
    ("record_type", "closure"): gettext_lazy("Closure"),
    ("concern", "none"): gettext_lazy("None recorded"),
    ("waiver_reason", "none"): gettext_lazy("Not waived"),
}


def dimension_label(name: str, value: str) -> str:
    if (name, value) in VALUE_LABELS:
        return str(VALUE_LABELS[(name, value)])
    if name == "level":
        return _("Level %(level)s") % {"level": value}
    list_name = DIMENSION_CODE_LISTS.get(name)
    if list_name and codes.get(list_name, value):
        return codes.label(list_name, value)
    if name == "task_type" and codes.get("task_type", value):
        return codes.label("task_type", value)
    return value


def display(indicator: Indicator, value) -> str:
    if value is None:
        return "—"
    if value == HIDDEN:
        return HIDDEN
    if indicator.measure == "proportion":
        return f"{value} %"
    if indicator.measure == "median":
        return _("%(days)s days") % {"days": value}
    return str(value)


@dataclass
class Headline:
    indicator: Indicator
    value: object
    previous: object
    rate: object = None


@dataclass
class Chart:
    title: str
    uri: str
    caption: str
    columns: list[str]
    rows: list[tuple[str, list[str]]] = field(default_factory=list)


def _ratio_value(indicator, cell, hidden: bool):
    if cell is None:
        return 0 if indicator.measure in ("count", "sum", "rate") else None
    if indicator.measure in ("count", "sum", "rate"):
        value = cell.numerator
        return HIDDEN if hidden and 1 <= value <= 4 else value
    if hidden and indicator.suppressed:
        numerator = cell.numerator if indicator.measure == "proportion" else None
        if hide_ratio(numerator, cell.denominator):
            return HIDDEN
    if indicator.measure == "proportion":
        return round(100 * cell.numerator / cell.denominator, 1) if cell.denominator else None
    return cell.value


def headlines(user, period: Period, territory: str) -> dict[str, list[Headline]]:
    """The total of every computed indicator for the period and the same period a year
    earlier (one query), grouped as in indicators.md."""
    aggregate_only = selectors.aggregate_only(user)
    previous = period.previous_year()
    cells = {
        (c.indicator, c.period): c
        for c in AggregateCell.objects.filter(
            territory=territory, breakdown="", period__in=[period.key, previous.key]
        )
    }
    population = selectors._population(territory)
    grouped: dict[str, list[Headline]] = {key: [] for key in GROUPS}
    for indicator in INDICATORS.values():
        if not indicator.computed:
            continue
        hide = aggregate_only and indicator.suppressed
        now = _ratio_value(indicator, cells.get((indicator.code, period.key)), hide)
        before = _ratio_value(indicator, cells.get((indicator.code, previous.key)), hide)
        rate = None
        if indicator.measure == "rate" and population:
            rate = HIDDEN if now == HIDDEN else round(now / population * 10000, 1)
        grouped[indicator.group].append(
            Headline(indicator, display(indicator, now), display(indicator, before), rate)
        )
    return grouped


def inner_territories(territory: str) -> list[tuple[str, str]]:
    from himaya.core.models import Province, Region

    if territory == NATIONAL:
        return [(r.code, r.name) for r in Region.objects.order_by("code")]
    if "." not in territory:
        return [(p.code, p.name) for p in Province.objects.filter(region_id=territory, parent=None)]
    return [(p.code, p.name) for p in Province.objects.filter(parent_id=territory)]


def comparison(user, period: Period, territory: str, codes_: tuple[str, ...]) -> dict:
    """The chosen indicators for each territory inside `territory` (one query), with the
    territory's own total as the last row; suppressed down each column (with its total)."""
    inner = inner_territories(territory)
    keys = [code for code, _name in inner] + [territory]
    cells = {
        (c.indicator, c.territory): c
        for c in AggregateCell.objects.filter(
            indicator__in=codes_, period=period.key, territory__in=keys, breakdown=""
        )
    }
    aggregate_only = selectors.aggregate_only(user)
    columns = {}
    for code in codes_:
        indicator = INDICATORS[code]
        counts = {k: (cells[(code, k)].numerator if (code, k) in cells else 0) for k in keys}
        hidden = suppress(counts, [keys]) if aggregate_only and indicator.suppressed else set()
        columns[code] = {k: HIDDEN if k in hidden else counts[k] for k in keys}
    names = dict(inner)
    names[territory] = _("Total")
    return {
        "indicators": [INDICATORS[c] for c in codes_],
        "rows": [(names[k], [columns[c][k] for c in codes_]) for k in keys],
    }


def breakdown_chart(user, period: Period, territory: str, code: str, by: str, title: str) -> Chart:
    indicator = INDICATORS[code]
    result = selectors.figures(user, indicator, period, territory, by)
    names = by.split(",")
    if len(names) == 1:
        labels = [dimension_label(by, r["dimensions"][by]) for r in result.rows[1:]]
        values = [r["value"] for r in result.rows[1:]]
        uri = charts.bar_chart(title, labels, {str(indicator.name): values})
        rows = [(label, [display(indicator, v)]) for label, v in zip(labels, values, strict=True)]
        rows.append((_("Total (distinct units)"), [display(indicator, result.total)]))
        return Chart(title, uri, str(indicator.name), [str(DIMENSIONS[by].label), _("Value")], rows)
    first, second = names
    first_values = DIMENSIONS[first].values()
    second_values = DIMENSIONS[second].values()
    grid = {tuple(r["dimensions"].values()): r["value"] for r in result.rows[1:]}
    series = {
        dimension_label(second, s): [grid.get((f, s)) for f in first_values] for s in second_values
    }
    labels = [dimension_label(first, f) for f in first_values]
    uri = charts.bar_chart(title, labels, series)
    rows = [
        (label, [display(indicator, grid.get((f, s))) for s in second_values])
        for label, f in zip(labels, first_values, strict=True)
    ]
    rows.append((_("Total (distinct units)"), [display(indicator, result.total)]))
    columns = [str(DIMENSIONS[first].label), *(dimension_label(second, s) for s in second_values)]
    return Chart(title, uri, str(indicator.name), columns, rows)


def dashboard(user, period: Period, territory: str) -> dict:
    if period.month:  # months keep their totals only: the charts show the quarter's
        chart_period = Period(period.year, quarter=(period.month - 1) // 3 + 1)
    else:
        chart_period = period
    return {
        "headlines": headlines(user, period, territory),
        "comparison": comparison(user, period, territory, ("IN01", "IN02", "IN04", "OV01")),
        "charts": [
            breakdown_chart(
                user, chart_period, territory, "IN01", "channel", _("Reports received by channel")
            ),
            breakdown_chart(
                user,
                chart_period,
                territory,
                "IN04",
                "age_band,sex",
                _("Children served by age band and sex"),
            ),
            breakdown_chart(
                user,
                chart_period,
                territory,
                "OV01",
                "level",
                _("Overdue work by level (on the last day of the period)"),
            ),
        ],
    }


def delays(user, year: int, territory: str) -> dict:
    """Month by month: median days report → full assessment (TM05A) and report → case plan
    (TM05B), assessments in time (TM04) and the share of level-3 and level-2 cases seen in
    time (TM01–TM03)."""
    months = [Period(year, month=m) for m in range(1, 13)]
    codes_ = ("TM05A", "TM05B", "TM04", "TM01", "TM02", "TM03")
    cells = {
        (c.indicator, c.period): c
        for c in AggregateCell.objects.filter(
            indicator__in=codes_, territory=territory, breakdown="",
            period__in=[m.key for m in months],
        )
    }  # fmt: skip
    hide = selectors.aggregate_only(user)
    table = []
    for month in months:
        table.append(
            (
                month.key,
                [display(INDICATORS[c], _ratio_value(INDICATORS[c], cells.get((c, month.key)), hide))
                 for c in codes_],
            )
        )  # fmt: skip
    series = {
        str(INDICATORS[c].name): [_ratio_value(INDICATORS[c], cells.get((c, m.key)), hide)
                                  for m in months]
        for c in ("TM05A", "TM05B")
    }  # fmt: skip
    uri = charts.bar_chart(
        _("Median days from report to assessment and to case plan"), [m.key for m in months],
        series,
    )  # fmt: skip
    return {
        "indicators": [INDICATORS[c] for c in codes_],
        "table": table,
        "chart": Chart(
            _("Median days from report to assessment and to case plan"), uri, "", [], []
        ),
        "pending": [i for c in codes_ if (i := INDICATORS[c]).pending],
    }
