"""Exports of the figures: CSV (safe against formula injection), formatted XLSX, the annual
provincial report as PDF (Arabic or French, with its charts) and DHIS2 aggregate data
(dataValueSets JSON and ADX XML, mapped by `data/dhis2.yaml`).

Every export reads through `selectors.figures`, so it carries exactly what the reader may see:
suppressed for aggregate-only readers. Running, auditing and storing an export is the job of
`services.export_run`; this module only turns figures into bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree as ET

import yaml
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from himaya.indicators import dashboards, selectors
from himaya.indicators.aggregates import NATIONAL
from himaya.indicators.periods import Period
from himaya.indicators.registry import INDICATORS, Indicator
from himaya.indicators.suppression import HIDDEN

DATA_DIR = Path(__file__).resolve().parent / "data"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "indicators" / "pdf"


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    unit: str
    measure: str
    period: str
    territory: str
    disaggregation: str
    category: str
    value: object


def rows(
    user, period: Period, territory: str, *, progress: Callable[[int], None] | None = None
) -> list[Row]:
    """Every computed indicator with each of its disaggregations (total first)."""
    computed = [i for i in INDICATORS.values() if i.computed]
    found: list[Row] = []
    for index, indicator in enumerate(computed):
        for breakdown in indicator.breakdowns if not period.month else [""]:
            result = selectors.figures(user, indicator, period, territory, breakdown)
            for row in result.rows if not breakdown else result.rows[1:]:
                dims = row["dimensions"]
                found.append(
                    Row(
                        code=indicator.code,
                        name=str(indicator.name),
                        unit=indicator.unit,
                        measure=indicator.measure,
                        period=period.key,
                        territory=territory,
                        disaggregation=breakdown,
                        category="|".join(f"{k}={v}" for k, v in dims.items()),
                        value=row["value"],
                    )
                )
        if progress:
            progress(int(100 * (index + 1) / len(computed)))
    return found


def _headers() -> list[str]:
    return [
        _("Indicator"), _("Name"), _("Unit"), _("Measure"), _("Period"), _("Territory"),
        _("Disaggregation"), _("Category"), _("Value"),
    ]  # fmt: skip


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(found: list[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(h) for h in _headers()])
    for row in found:
        writer.writerow([csv_safe(v) for v in _values(row)])
    # UTF-8 with a byte-order mark: spreadsheets then read Arabic names correctly.
    return buffer.getvalue().encode("utf-8-sig")


def _values(row: Row) -> list:
    return [row.code, row.name, row.unit, row.measure, row.period, row.territory,
            row.disaggregation, row.category, row.value]  # fmt: skip


def to_xlsx(found: list[Row], *, title: str, purpose: str, suppressed: bool) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = _("Indicators")[:31]
    sheet.append(_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0D6EFD")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in found:
        # Text cells are stored as strings (never formulas): openpyxl writes a leading "="
        # as a formula, so the same guard as the CSV applies.
        sheet.append([csv_safe(v) for v in _values(row)])
        value_cell = sheet.cell(row=sheet.max_row, column=9)
        if row.measure == "proportion" and isinstance(row.value, int | float):
            value_cell.number_format = '0.0" %"'
        elif isinstance(row.value, float):
            value_cell.number_format = "0.0"
        if row.value == HIDDEN:
            value_cell.alignment = Alignment(horizontal="right")
    for index, width in enumerate((9, 48, 10, 11, 9, 12, 18, 34, 10), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    about = book.create_sheet(_("About")[:31])
    about.append([_("Title"), title])
    about.append([_("Purpose"), purpose])
    about.append([_("Generated at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    about.append(
        [
            _("Suppression"),
            _("Counts from 1 to 4 are shown as <5, with complementary suppression.")
            if suppressed
            else _("Exact figures."),
        ]
    )
    about.append([_("Totals"), _("Totals count distinct units; categories may add up to more.")])
    for cell in about["A"]:
        cell.font = Font(bold=True)
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- DHIS2 ----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def dhis2_mapping() -> dict:
    return yaml.safe_load((DATA_DIR / "dhis2.yaml").read_text(encoding="utf-8"))


def dhis2_period(period: Period) -> str:
    if period.month:
        return f"{period.year}{period.month:02d}"
    if period.quarter:
        return f"{period.year}Q{period.quarter}"
    return str(period.year)


def adx_period(period: Period) -> str:
    length = "P1M" if period.month else "P3M" if period.quarter else "P1Y"
    return f"{period.first_day.isoformat()}/{length}"


def org_unit(territory: str) -> str:
    units = dhis2_mapping()["org_units"]
    return units["national"] if territory == NATIONAL else units["prefix"] + territory


@dataclass(frozen=True)
class DataValue:
    data_element: str
    org_unit: str
    options: tuple[tuple[str, str], ...]  # (category code, option code)
    value: object


def dhis2_values(user, period: Period, territories: list[str]) -> list[DataValue]:
    """The mapped figures of `territories`. Suppressed or empty values are left out: DHIS2
    takes numbers only, and a missing value is not a zero."""
    mapping = dhis2_mapping()
    categories = mapping["categories"]
    values: list[DataValue] = []
    for code, target in mapping["data_elements"].items():
        indicator = INDICATORS.get(code)
        if indicator is None or not indicator.computed:
            continue
        by = target.get("by", [])
        breakdown = ",".join(sorted(by, key=list(indicator.dims).index)) if by else ""
        if period.month:
            breakdown = ""  # months keep their totals only
        for territory in territories:
            result = selectors.figures(user, indicator, period, territory, breakdown)
            cells = result.rows[1:] if breakdown else result.rows[:1]
            for row in cells:
                options = tuple(
                    (categories[name]["code"], categories[name]["options"][value])
                    for name, value in row["dimensions"].items()
                )
                values.extend(
                    _data_values(indicator, target, org_unit(territory), options, row, result)
                )
    return values


def _data_values(indicator: Indicator, target: dict, unit: str, options, row, result):
    value = row["value"]
    if value in (HIDDEN, None):
        return []
    if "value" in target:
        return [DataValue(target["value"], unit, options, value)]
    # a proportion: export its numerator and denominator, read from the exact cell only when
    # the percentage itself is shown
    from himaya.indicators.models import AggregateCell

    key = "|".join(f"{k}={v}" for k, v in row["dimensions"].items())
    cell = AggregateCell.objects.filter(
        indicator=indicator.code, period=result.period.key, territory=result.territory,
        breakdown=result.breakdown if key else "", dims=key,
    ).first()  # fmt: skip
    if cell is None:
        return []
    return [
        DataValue(target["numerator"], unit, options, cell.numerator),
        DataValue(target["denominator"], unit, options, cell.denominator or 0),
    ]


def to_dhis2_json(values: list[DataValue], period: Period) -> bytes:
    mapping = dhis2_mapping()
    payload = {
        "dataSet": mapping["data_set"],
        "period": dhis2_period(period),
        "completeDate": timezone.localdate().isoformat(),
        "dataValues": [
            {
                "dataElement": v.data_element,
                "period": dhis2_period(period),
                "orgUnit": v.org_unit,
                "categoryOptionCombo": "_".join(o for _c, o in v.options) or "default",
                "value": str(v.value),
            }
            for v in values
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")


ADX_NS = "urn:ihe:qrph:adx:2015"


def to_adx(values: list[DataValue], period: Period) -> bytes:
    ET.register_namespace("", ADX_NS)
    root = ET.Element(f"{{{ADX_NS}}}adx", {"exported": timezone.now().isoformat()})
    groups: dict[str, ET.Element] = {}
    for v in values:
        group = groups.get(v.org_unit)
        if group is None:
            group = ET.SubElement(
                root,
                f"{{{ADX_NS}}}group",
                {
                    "orgUnit": v.org_unit,
                    "period": adx_period(period),
                    "dataSet": dhis2_mapping()["data_set"],
                },
            )
            groups[v.org_unit] = group
        attributes = {"dataElement": v.data_element, "value": str(v.value)}
        attributes.update(dict(v.options))
        ET.SubElement(group, f"{{{ADX_NS}}}dataValue", attributes)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- the annual provincial report (PDF) -----------------------------------------------------------


def annual_report_pdf(user, year: int, territory: str, *, language: str) -> bytes:
    """The annual child-protection report of a territory for year Y compared with Y−1
    (indicators.md §7): every computed indicator, its charts with their tables, and the list
    of indicators awaiting their data. Suppressed for aggregate-only readers."""
    import weasyprint

    if language not in ("ar", "fr", "en"):
        raise ValueError(f"Unsupported report language: {language!r}")
    period = Period(year)
    with translation.override(language):
        context = {
            "language": language,
            "direction": "rtl" if language == "ar" else "ltr",
            "year": year,
            "previous": year - 1,
            "territory": selectors.territory_name(territory),
            "groups": dashboards.GROUPS,
            **dashboards.dashboard(user, period, territory),
            "pending": [i for i in INDICATORS.values() if not i.computed],
            "suppressed": selectors.aggregate_only(user),
            "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "generated_by": user.get_username(),
        }
        html = render_to_string("indicators/pdf/annual_report.html", context)
    document = weasyprint.HTML(
        string=html,
        base_url=TEMPLATE_DIR.as_uri() + "/",
        # local files (the stylesheet) and the charts' data: URIs only — never the network
        url_fetcher=weasyprint.URLFetcher(allowed_protocols={"file", "data"}),
    )
    return document.write_pdf()
