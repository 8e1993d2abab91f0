"""Hand-made lines for tests of geometry: a text and its (optionally skewed) box."""

from __future__ import annotations

from app.domain import Line


def box(text: str, x0: float, y0: float, x1: float, y1: float, skew: float = 0) -> Line:
    """A line over (x0, y0)-(x1, y1), its right side lowered by ``skew`` pixels."""
    poly = ((x0, y0), (x1, y0 + skew), (x1, y1 + skew), (x0, y1))
    return Line(text=text, score=0.9, polygon=poly)
