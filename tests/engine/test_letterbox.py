"""Letterboxing small crops and mapping their boxes back."""


from __future__ import annotations

import numpy as np

from app.domain import Line
from app.engine import letterbox
from app.layout.rows import row_order


def box(text: str, x0: float, y0: float, x1: float, y1: float, skew: float = 0) -> Line:
    poly = ((x0, y0), (x1, y0 + skew), (x1, y1 + skew), (x0, y1))
    return Line(text=text, score=0.9, polygon=poly)


def sort_reading_order(lines: list[Line]) -> list[Line]:
    return [lines[i] for i in row_order([ln.bbox for ln in lines], range(len(lines)))]




def test_letterbox_round_trip() -> None:
    strip = np.full((20, 400, 3), 250, dtype=np.uint8)
    padded, top = letterbox.pad(strip)
    assert padded.shape[0] > strip.shape[0] and top > 0
    assert (padded[0] == 250).all()
    moved = letterbox.unpad([box("t", 0, top + 2, 50, top + 18)], top, 20)
    assert moved[0].bbox[1] == 2 and moved[0].bbox[3] == 18
