"""The reassessment history of a case for its page: a table and a server-rendered SVG chart
of the level's evolution (no script, so it works under the strict CSP and prints)."""

from __future__ import annotations

from dataclasses import dataclass

from himaya.assessment import selectors
from himaya.assessment.models import Assessment

WIDTH, HEIGHT, MARGIN = 560, 150, 28


@dataclass
class Point:
    x: float
    y: float
    assessment: Assessment


def case_history(case) -> dict:
    """Rows oldest first, and the chart's geometry (x by order of completion, y by the final
    level of each assessment, on the scale of the highest instrument level seen)."""
    rows = selectors.case_assessments(case)
    top = max(
        [max(r["level"] for r in a.instrument_version.definition["levels"]) for a in rows] or [3]
    )
    step = (WIDTH - 2 * MARGIN) / max(len(rows) - 1, 1)

    def y(level: int) -> float:
        return round(HEIGHT - MARGIN - level * (HEIGHT - 2 * MARGIN) / top, 1)

    points = [Point(round(MARGIN + i * step, 1), y(a.level_final), a) for i, a in enumerate(rows)]
    return {
        "rows": list(reversed(rows)),  # newest first in the table
        "points": points,
        "polyline": " ".join(f"{p.x},{p.y}" for p in points),
        "gridlines": [{"level": level, "y": y(level)} for level in range(top + 1)],
        "width": WIDTH,
        "height": HEIGHT,
        "margin": MARGIN,
    }
