"""The character error rate the benchmarks and tests score with."""


from __future__ import annotations

import pytest

from app.domain import Line
from app.layout.rows import row_order
from tests.support.cer import cer, substring_cer


def box(text: str, x0: float, y0: float, x1: float, y1: float, skew: float = 0) -> Line:
    poly = ((x0, y0), (x1, y0 + skew), (x1, y1 + skew), (x0, y1))
    return Line(text=text, score=0.9, polygon=poly)


def sort_reading_order(lines: list[Line]) -> list[Line]:
    return [lines[i] for i in row_order([ln.bbox for ln in lines], range(len(lines)))]




def test_cer_measures() -> None:
    assert cer("Hello world", "Hello world") == 0
    assert cer("Hel1o world", "Hello world") == pytest.approx(1 / 10)
    assert cer("", "abc") == 1
    assert substring_cer("world", "hello world!") == 0
    assert substring_cer("wor1d", "hello world!") == pytest.approx(1 / 5)
