"""Row order of lines: top to bottom, left to right."""

from __future__ import annotations

from app.domain import Line
from app.layout.rows import row_order
from tests.support.lines import box


def sort_reading_order(lines: list[Line]) -> list[Line]:
    return [lines[i] for i in row_order([ln.bbox for ln in lines], range(len(lines)))]


def test_rows_top_to_bottom_left_to_right() -> None:
    lines = [
        box("C", 10, 50, 100, 70),
        box("B", 300, 12, 400, 32, skew=6),  # skewed, still the first row
        box("A", 10, 10, 100, 30),
        box("D", 200, 52, 300, 72),
    ]
    assert [ln.text for ln in sort_reading_order(lines)] == ["A", "B", "C", "D"]


def test_tall_box_does_not_merge_rows() -> None:
    lines = [box("tall", 0, 0, 20, 100), box("r1", 30, 0, 90, 20), box("r2", 30, 80, 90, 100)]
    order = [ln.text for ln in sort_reading_order(lines)]
    assert order.index("r1") < order.index("r2")
