"""Reading the figures: validation of the query, the reader's territorial scope, and
suppression for aggregate-only readers. Pages, API and exports all read through `figures()`,
which touches `AggregateCell` (and reference territories) only — never a case table.

Who sees what (indicators.md §1.6): every user holding `Perm.AGGREGATES_VIEW` may read the
figures of the territories their memberships cover (national, a region and its provinces, a
province and the prefectures of arrondissements inside it); a territory outside is "not found"
(404). Readers whose granting memberships give no access to case records (`cppe_member`,
`statistician`) are *aggregate-only*: their cells are suppressed. Supervisors, who work the
cases of their territory, read exact counts.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import gettext as _

from himaya.accounts.permissions import Perm, Reach, granting, reach_of
from himaya.indicators.aggregates import NATIONAL
from himaya.indicators.models import AggregateCell, ComputedPeriod
from himaya.indicators.periods import Period, PeriodError, parse_period
from himaya.indicators.registry import DIMENSIONS, INDICATORS, Indicator
from himaya.indicators.suppression import HIDDEN, hide_ratio, suppress


class QueryError(ValueError):
    """Bad input: an unknown indicator, period, territory or disaggregation (HTTP 400)."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


class NotComputed(QueryError):
    """The period is valid but its figures have not been computed (yet)."""


@dataclass
class Figures:
    indicator: Indicator
    period: Period
    territory: str
    breakdown: str
    suppressed: bool
    rows: list[dict] = field(default_factory=list)  # {"dimensions": {...}, "value": ...}

    @property
    def total(self):
        return self.rows[0]["value"] if self.rows else None


def aggregate_only(user) -> bool:
    """Whether every membership that grants the aggregates reaches no case record."""
    found = granting(user, Perm.AGGREGATES_VIEW)
    return bool(found) and all(reach_of(m.role) == Reach.NONE for m in found)


def territory_name(code: str) -> str:
    from himaya.core.models import Province, Region

    if code == NATIONAL:
        return _("Morocco (national)")
    model = Province if "." in code else Region
    found = model.objects.filter(code=code).first()
    return found.name if found else code


def default_territory(user) -> str:
    for membership in granting(user, Perm.AGGREGATES_VIEW):
        if membership.scope == "national":
            return NATIONAL
    for membership in granting(user, Perm.AGGREGATES_VIEW):
        if membership.scope == "region":
            return membership.scope_region_id
        if membership.scope in ("province", "commune") and membership.scope_province_id:
            return membership.scope_province_id
    raise Http404


def _covers(membership, territory: str, region_of: str | None, parent: str | None) -> bool:
    if membership.scope == "national":
        return True
    if membership.scope == "region":
        return territory == membership.scope_region_id or region_of == membership.scope_region_id
    if membership.scope == "province":
        return membership.scope_province_id in (territory, parent)
    return False


def resolve_territory(user, *, province: str = "", region: str = "") -> str:
    """The territory asked for (province wins over region; none → the reader's own), checked
    to exist (400) and to lie in the reader's scope (404)."""
    from himaya.core.models import Province, Region

    if province:
        found = Province.objects.filter(code=province).values_list("region_id", "parent_id").first()
        if found is None:
            raise QueryError(
                "province", _("Unknown province or prefecture code: %(code)s.") % {"code": province}
            )
        territory, region_of, parent = province, found[0], found[1]
    elif region:
        if region in (NATIONAL, "national"):
            territory, region_of, parent = NATIONAL, None, None
        elif not Region.objects.filter(code=region).exists():
            raise QueryError("region", _("Unknown region code: %(code)s.") % {"code": region})
        else:
            territory, region_of, parent = region, region, None
    else:
        return default_territory(user)
    if not any(
        _covers(m, territory, region_of, parent) for m in granting(user, Perm.AGGREGATES_VIEW)
    ):
        raise Http404
    return territory


def resolve_indicator(code: str) -> Indicator:
    indicator = INDICATORS.get((code or "").upper())
    if indicator is None:
        raise QueryError("code", _("Unknown indicator: %(code)s.") % {"code": code})
    if not indicator.computed:
        raise QueryError(
            "code",
            _("Indicator %(code)s is not computed in this version: it %(why)s.")
            % {"code": indicator.code, "why": indicator.pending},
        )
    return indicator


def resolve_period(text: str) -> Period:
    try:
        return parse_period(text)
    except PeriodError:
        raise QueryError(
            "period",
            _(
                "Unknown period %(period)s: use a year (2026), a quarter (2026-Q3) or a month (2026-11)."
            )
            % {"period": text},
        ) from None


def resolve_breakdown(indicator: Indicator, by: str) -> str:
    names = [name.strip() for name in (by or "").split(",") if name.strip()]
    for name in names:
        if name not in DIMENSIONS or name not in indicator.dims:
            raise QueryError(
                "by",
                _("Indicator %(code)s cannot be disaggregated by %(name)s; allowed: %(allowed)s.")
                % {
                    "code": indicator.code,
                    "name": name,
                    "allowed": ", ".join(indicator.dims) or "—",
                },
            )
    ordered = sorted(names, key=list(indicator.dims).index)
    breakdown = ",".join(ordered)
    if breakdown not in indicator.breakdowns:
        raise QueryError(
            "by",
            _("This combination of disaggregations is not available; use one of: %(allowed)s.")
            % {"allowed": "; ".join(b for b in indicator.breakdowns if b)},
        )
    return breakdown


def _population(territory: str) -> float | None:
    """Estimated child population: population 2024 × 0.31 (§1.7, interim national share)."""
    from django.db.models import Sum

    from himaya.core.models import Province, Region

    if territory == NATIONAL:
        total = Region.objects.aggregate(s=Sum("population_2024"))["s"]
    else:
        model = Province if "." in territory else Region
        total = (
            model.objects.filter(code=territory).values_list("population_2024", flat=True).first()
        )
    return total * 0.31 if total else None


def _value(indicator: Indicator, cell: AggregateCell | None, population: float | None):
    """The exact value of a cell (None when it cannot be computed)."""
    if cell is None:
        return 0 if indicator.measure in ("count", "sum", "rate") else None
    if indicator.measure in ("count", "sum"):
        return cell.numerator
    if indicator.measure == "rate":
        return cell.numerator
    if indicator.measure == "proportion":
        return round(100 * cell.numerator / cell.denominator, 1) if cell.denominator else None
    return cell.value


def figures(user, indicator: Indicator, period: Period, territory: str, breakdown: str) -> Figures:
    """The cells of one indicator for a period and territory, one row per combination of the
    disaggregation's values (zeros included) after the total, suppressed for aggregate-only
    readers. Two queries: the total and the disaggregated cells."""
    if breakdown and period.month:
        raise QueryError(
            "by",
            _("Disaggregations are kept by quarter and by year; a month shows its total only."),
        )
    cells = {
        c.dims: c
        for c in AggregateCell.objects.filter(
            indicator=indicator.code,
            period=period.key,
            territory=territory,
            breakdown__in=["", breakdown] if breakdown else [""],
        )
    }
    if "" not in cells and not ComputedPeriod.objects.filter(period=period.key).exists():
        raise NotComputed(
            "period",
            _("No figures have been computed for %(period)s yet.") % {"period": period.key},
        )
    result = Figures(
        indicator=indicator,
        period=period,
        territory=territory,
        breakdown=breakdown,
        suppressed=indicator.suppressed and aggregate_only(user),
    )
    population = _population(territory) if indicator.measure == "rate" else None
    keys = [""]
    combos: list[dict] = [{}]
    if breakdown:
        names = breakdown.split(",")
        grids: list[list[tuple[str, str]]] = [[]]
        for name in names:
            grids = [[*g, (name, v)] for g in grids for v in DIMENSIONS[name].values()]
        keys += ["|".join(f"{k}={v}" for k, v in g) for g in grids]
        combos += [dict(g) for g in grids]
    exact = {key: _value(indicator, cells.get(key), population) for key in keys}
    hidden: set = set()
    if result.suppressed:
        if indicator.measure in ("count", "rate"):
            counts = {key: exact[key] or 0 for key in keys}
            hidden = suppress(counts, _lines(breakdown, keys, combos))
        else:
            for key in keys:
                cell = cells.get(key)
                numerator = cell.numerator if cell and indicator.measure == "proportion" else None
                denominator = cell.denominator if cell else 0
                if hide_ratio(numerator, denominator):
                    hidden.add(key)
    for key, dims in zip(keys, combos, strict=True):
        value = HIDDEN if key in hidden else exact[key]
        row = {"dimensions": dims, "value": value}
        if indicator.measure == "rate":
            row["rate"] = (
                HIDDEN
                if key in hidden
                else round(exact[key] / population * 10000, 1)
                if population and not breakdown
                else None
            )
        result.rows.append(row)
    return result


def _lines(breakdown: str, keys: list[str], combos: list[dict]) -> list[list[str]]:
    """The lines checked by complementary suppression: the cells with the grand total; for two
    dimensions, also each row and each column (their margins are not shown, so this is
    stricter than needed, never weaker)."""
    if not breakdown:
        return []
    names = breakdown.split(",")
    cells = keys[1:]
    if len(names) == 1:
        return [["", *cells]]
    lines = [["", *cells]]
    for name in names:
        for value in DIMENSIONS[name].values():
            lines.append([k for k, d in zip(cells, combos[1:], strict=True) if d[name] == value])
    return lines


def cape_workload(user) -> dict:
    """The supervisor's view of their organisation(s): open cases per case manager (those
    with none included) and open tasks past due by current level. Reads the cases the user may
    see (`cases_visible_to`), so it is for roles with case access only."""
    from django.db.models import Count
    from django.utils import timezone

    from himaya.accounts.models import Membership
    from himaya.cases.models import Task
    from himaya.cases.selectors import cases_visible_to

    visible = cases_visible_to(user, Perm.CHILD_VIEW_SUMMARY).exclude(stage="closed")
    org_ids = {m.organisation_id for m in granting(user, Perm.CASE_ASSIGN)}
    per_worker = dict(
        visible.filter(organisation_id__in=org_ids)
        .values("case_manager_id")
        .annotate(n=Count("id"))
        .values_list("case_manager_id", "n")
    )
    workers = (
        Membership.objects.filter(organisation_id__in=org_ids, role="case_manager", active=True)
        .select_related("user")
        .order_by("user__username")
    )
    caseload = [(m.user.display_name, per_worker.get(m.user_id, 0)) for m in workers]
    counts = [n for _name, n in caseload]
    overdue = dict(
        Task.objects.filter(
            case__in=visible.filter(organisation_id__in=org_ids),
            status="open",
            due_at__lt=timezone.now(),
        )
        .values("case__risk_level")
        .annotate(n=Count("id"))
        .values_list("case__risk_level", "n")
    )
    unassigned = per_worker.get(None, 0)
    return {
        "caseload": caseload,
        "unassigned": unassigned,
        "mean": round(sum(counts) / len(counts), 1) if counts else None,
        "median": statistics.median(counts) if counts else None,
        "maximum": max(counts) if counts else None,
        "overdue": [(level, overdue.get(level, 0)) for level in (0, 1, 2, 3)],
    }
