"""Skew straightened in geometry: hand-made tilted lines, no engine, no pixels."""

from __future__ import annotations

import math

import pytest

from app.domain import Line
from app.layout import analyze
from app.layout.skew import Straightener, estimate
from tests.layout.test_layout import column, order, shuffled


def tilted(lines: list[Line], degrees: float, centre: tuple[float, float]) -> list[Line]:
    """``lines`` turned ``degrees`` counter-clockwise around ``centre`` (y down), corners
    kept in order: what the detector gives on a tilted scan."""
    a = math.radians(degrees)
    cx, cy = centre

    def turn(p: tuple[float, float]) -> tuple[float, float]:
        x, y = p[0] - cx, p[1] - cy
        return (cx + x * math.cos(a) + y * math.sin(a), cy - x * math.sin(a) + y * math.cos(a))

    return [Line(ln.text, ln.score, tuple(turn(p) for p in ln.polygon)) for ln in lines]


@pytest.mark.parametrize("degrees", [-10, -6, -3, -1, 1, 3, 6, 10])
def test_tilted_columns_are_read_one_after_the_other(degrees: float) -> None:
    # Narrow gutter, tight lines: at 6 degrees a 340 px line rises 36 px, over a line pitch.
    upright = column("L", 50, 390, 300, 20) + column("R", 420, 760, 300, 20)
    lines = tilted(upright, degrees, (400, 500))
    layout = analyze(shuffled(lines), 800, 1000)
    assert order(layout) == [f"L{k}" for k in range(20)] + [f"R{k}" for k in range(20)]
    assert layout.skew == pytest.approx(degrees, abs=0.01)
    for block in layout.blocks:  # boxes on the page as sent: around their tilted lines
        members = [layout.lines[i] for p in block.paragraphs for i in p.lines]
        for line in members:
            assert block.bbox[0] <= line.bbox[0] + 1e-6 and line.bbox[2] <= block.bbox[2] + 1e-6
            assert block.bbox[1] <= line.bbox[1] + 1e-6 and line.bbox[3] <= block.bbox[3] + 1e-6


def test_too_few_or_too_steep_lines_give_no_skew() -> None:
    two = tilted(column("L", 50, 390, 100, 2), 4, (400, 500))
    assert estimate([ln.polygon for ln in two]) == 0.0
    steep = tilted(column("L", 50, 390, 100, 8), 30, (400, 500))
    assert estimate([ln.polygon for ln in steep]) == 0.0
    words = tilted([ln for ln in column("W", 50, 80, 100, 8)], 4, (400, 500))  # short: no
    assert estimate([ln.polygon for ln in words]) == 0.0


def test_straightened_box_turns_back_around_its_corners() -> None:
    straight = Straightener(5.0, (100, 100))
    box = straight.straight_box([(150, 90), (200, 80), (200, 100), (150, 110)])
    back = straight.box_back(box)
    assert back[0] <= 150 and back[1] <= 80 and back[2] >= 200 and back[3] >= 110
