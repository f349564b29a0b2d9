"""Small-cell suppression for aggregate-only readers (indicators.md §1.6).

Primary: a count from 1 to 4 is hidden ("<5"); zero is shown. A proportion, median or mean is
hidden when its numerator is 1–4 or it rests on fewer than 5 records.
Complementary: in every line (a row or column shown with its total, the total included) that
has exactly one hidden entry, the smallest other non-zero entry is hidden too, repeated until
no line has a single hidden entry — so no hidden count can be recovered by subtraction.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

HIDDEN = "<5"


def is_small(count: int | None) -> bool:
    return count is not None and 1 <= count <= 4


def hide_ratio(numerator: int | None, denominator: int | None) -> bool:
    """Whether a proportion, median or mean must be hidden (rule 2)."""
    return is_small(numerator) or (denominator is not None and denominator < 5)


def suppress(counts: Mapping[Hashable, int], lines: Iterable[Iterable[Hashable]]) -> set[Hashable]:
    """The entries of `counts` to hide: primary cells plus complementary ones over `lines`
    (each line lists the entries of a row or column and its total)."""
    hidden = {key for key, value in counts.items() if is_small(value)}
    lines = [list(line) for line in lines]
    changed = True
    while changed:
        changed = False
        for line in lines:
            inside = [key for key in line if key in hidden]
            if len(inside) != 1:
                continue
            candidates = [key for key in line if key not in hidden and counts[key] > 0]
            if candidates:
                hidden.add(min(candidates, key=lambda key: (counts[key], str(key))))
                changed = True
    return hidden
