"""Small-cell and complementary suppression (indicators.md §1.6), as rules and as read."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from himaya.indicators.suppression import hide_ratio, suppress


def test_primary_cells_are_hidden_zero_is_shown():
    hidden = suppress({"t": 13, "a": 0, "b": 4, "c": 1, "d": 8}, [["t", "a", "b", "c", "d"]])
    assert hidden == {"b", "c"}  # two hidden: neither can be recovered from the total


def test_a_single_hidden_cell_takes_the_smallest_other_with_it():
    # 7 = 2 + 5: with only "2" hidden, 7 − 5 would reveal it
    assert suppress({"t": 7, "a": 2, "b": 5}, [["t", "a", "b"]]) == {"a", "b"}
    # the smallest non-zero other cell goes, not the zero
    assert suppress({"t": 15, "a": 3, "b": 0, "c": 5, "d": 7}, [["t", "a", "b", "c", "d"]]) == {
        "a",
        "c",
    }


def test_complementary_suppression_propagates_across_rows_and_columns():
    # 2 × 2 table with margins: hiding a (3) forces b in its row, then c in b's column, ...
    counts = {"T": 40, "r1": 13, "r2": 27, "k1": 13, "k2": 27, "a": 3, "b": 10, "c": 10, "d": 17}
    lines = [["r1", "a", "b"], ["r2", "c", "d"], ["k1", "a", "c"], ["k2", "b", "d"],
             ["T", "r1", "r2"], ["T", "k1", "k2"]]  # fmt: skip
    hidden = suppress(counts, lines)
    for line in lines:
        assert sum(key in hidden for key in line) != 1


def test_ratios_hide_small_numerators_and_small_bases():
    assert hide_ratio(3, 50)
    assert hide_ratio(0, 4)
    assert hide_ratio(None, 3)  # a median on 3 records
    assert not hide_ratio(0, 5)
    assert not hide_ratio(5, 9)


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=8))
def test_no_line_ever_keeps_a_single_hidden_cell(values):
    counts = {f"c{i}": v for i, v in enumerate(values)}
    counts["total"] = sum(values)
    line = ["total", *counts.keys() - {"total"}]
    hidden = suppress(counts, [line])
    assert {k for k, v in counts.items() if 1 <= v <= 4} <= hidden
    assert not any(counts[k] == 0 for k in hidden)
    assert sum(k in hidden for k in line) != 1


@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=12), min_size=2, max_size=4),
        min_size=2,
        max_size=4,
    ).filter(lambda rows: len({len(r) for r in rows}) == 1)
)
def test_two_way_tables_with_margins(rows):
    counts, lines = {}, []
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            counts[(i, j)] = value
        counts[("row", i)] = sum(row)
        lines.append([("row", i), *[(i, j) for j in range(len(row))]])
    for j in range(len(rows[0])):
        counts[("col", j)] = sum(row[j] for row in rows)
        lines.append([("col", j), *[(i, j) for i in range(len(rows))]])
    counts["T"] = sum(map(sum, rows))
    lines.append(["T", *[("row", i) for i in range(len(rows))]])
    lines.append(["T", *[("col", j) for j in range(len(rows[0]))]])
    hidden = suppress(counts, lines)
    for line in lines:
        assert sum(key in hidden for key in line) != 1
