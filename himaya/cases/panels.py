"""Sections other apps add to the case page (care arrangements, assessments, referrals...).

A panel is a function `(request, case, bound) -> dict | None` registered by its app's
`AppConfig.ready()`: it returns the template of its section and that template's context, or
None when the user may not see it. The case page (`views._case_page`) renders every panel after
reading the case through its selector, so a panel reads only records of a case the user may
already see — and `cases` imports none of the apps that extend its page.

`bound` holds the submitted form of a failed action ("<panel>:<action>" keys), shown with its
errors in place of the blank one (see `views.run_case_action`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Panel = Callable[..., "PanelContent | None"]
_PANELS: list[tuple[int, Panel]] = []


@dataclass
class PanelContent:
    template: str
    context: dict


def register(panel: Panel, *, order: int = 50) -> Panel:
    if all(p is not panel for _o, p in _PANELS):
        _PANELS.append((order, panel))
        _PANELS.sort(key=lambda item: item[0])
    return panel


def render(request, case, bound: dict) -> list[PanelContent]:
    return [content for _order, panel in _PANELS if (content := panel(request, case, bound))]
