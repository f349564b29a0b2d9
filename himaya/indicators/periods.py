"""Periods of the indicators (indicators.md §1.1): calendar month, quarter and year in the
Africa/Casablanca time zone, start inclusive and end exclusive."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Africa/Casablanca")
PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int | None = None
    month: int | None = None

    @property
    def key(self) -> str:
        if self.month:
            return f"{self.year}-{self.month:02d}"
        if self.quarter:
            return f"{self.year}-Q{self.quarter}"
        return str(self.year)

    @property
    def kind(self) -> str:
        return "month" if self.month else "quarter" if self.quarter else "year"

    @property
    def first_day(self) -> date:
        if self.month:
            return date(self.year, self.month, 1)
        if self.quarter:
            return date(self.year, 3 * self.quarter - 2, 1)
        return date(self.year, 1, 1)

    @property
    def end_day(self) -> date:
        """The first day after the period (exclusive end)."""
        if self.month:
            return _month_after(self.year, self.month)
        if self.quarter:
            return _month_after(self.year, 3 * self.quarter)
        return date(self.year + 1, 1, 1)

    @property
    def last_day(self) -> date:
        return self.end_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, datetime.min.time(), tzinfo=TZ)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.end_day, datetime.min.time(), tzinfo=TZ)

    def previous_year(self) -> Period:
        return Period(self.year - 1, self.quarter, self.month)

    def __str__(self) -> str:
        return self.key


def _month_after(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def parse_period(text: str) -> Period:
    """ "2026", "2026-Q3" or "2026-11"; anything else raises PeriodError."""
    match = PERIOD_RE.match(text or "")
    if not match or not 2000 <= int(match["year"]) <= 2100:
        raise PeriodError(text)
    return Period(
        int(match["year"]),
        int(match["quarter"]) if match["quarter"] else None,
        int(match["month"]) if match["month"] else None,
    )


def periods_of_year(year: int) -> list[Period]:
    return [
        Period(year),
        *(Period(year, quarter=q) for q in range(1, 5)),
        *(Period(year, month=m) for m in range(1, 13)),
    ]


def keys_containing(moment: datetime) -> tuple[str, str, str]:
    """The year, quarter and month keys of the periods containing `moment` (local time)."""
    local = moment.astimezone(TZ)
    return (
        str(local.year),
        f"{local.year}-Q{(local.month - 1) // 3 + 1}",
        f"{local.year}-{local.month:02d}",
    )
