"""Charts as SVG images made on the server by pygal (ADR 0008): the same image goes into the
page (an <img> with a data: URI, allowed by our CSP, no script) and into the PDF report
(WeasyPrint draws SVG). Every chart is shown next to a table of the same figures."""

from __future__ import annotations

import pygal
from pygal.style import Style

from himaya.indicators.suppression import HIDDEN

STYLE = Style(
    background="white",
    plot_background="white",
    font_family="DejaVu Sans, Noto Sans Arabic, sans-serif",
    colors=("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384"),
    label_font_size=11,
    major_label_font_size=11,
    value_font_size=10,
    title_font_size=14,
)


def bar_chart(title: str, labels: list[str], series: dict[str, list]) -> str:
    """A bar chart as a data: URI. A suppressed value ("<5") or a missing one is left out of
    the drawing (a gap), never drawn as zero or as its hidden value."""
    chart = pygal.Bar(
        style=STYLE, width=640, height=320, js=[], title=title, x_label_rotation=20,
        show_legend=len(series) > 1, print_values=True, print_zeroes=True, legend_at_bottom=True,
    )  # fmt: skip
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, [None if v in (HIDDEN, None) else v for v in values])
    return chart.render_data_uri()
