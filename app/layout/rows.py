"""Rows: boxes grouped by vertical overlap, rows top to bottom, left to right.

Detectors return boxes in an order of their own (PP-OCR sorts by the top-left
corner with a small tolerance, which splits a row whose boxes are slightly
skewed). Grouping by vertical overlap keeps a row together whatever its skew:
a receipt's ``TOTAL ... 12.50`` stays one row however far apart its two boxes are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.domain import BBox

ROW_OVERLAP = 0.5
"""Share of the smaller height two boxes must overlap vertically to be one row."""
RECENT_ROWS = 4
"""Rows a line is compared with: scanning them all made a 500-line page quadratic."""


@dataclass
class _Row:
    top: float
    bottom: float
    members: list[int] = field(default_factory=list)

    def overlap_ratio(self, top: float, bottom: float) -> float:
        overlap = min(self.bottom, bottom) - max(self.top, top)
        smaller = min(self.bottom - self.top, bottom - top)
        return overlap / smaller if smaller > 0 else 0.0

    def add(self, index: int, top: float, bottom: float) -> None:
        n = len(self.members)
        # The row's span follows the mean of its members, so one tall box
        # cannot swallow the rows above and below it.
        self.top = (self.top * n + top) / (n + 1)
        self.bottom = (self.bottom * n + bottom) / (n + 1)
        self.members.append(index)


def rows(boxes: Sequence[BBox], members: Sequence[int]) -> list[list[int]]:
    """``members`` (indices into ``boxes``) as rows, top to bottom, each left to right."""
    found: list[_Row] = []
    for i in sorted(members, key=lambda i: (boxes[i][1] + boxes[i][3]) / 2):
        _, top, _, bottom = boxes[i]
        # Lines come by their centre, so only the last few rows can still overlap.
        recent = found[-RECENT_ROWS:]
        best = max(recent, key=lambda r: r.overlap_ratio(top, bottom), default=None)
        if best is not None and best.overlap_ratio(top, bottom) >= ROW_OVERLAP:
            best.add(i, top, bottom)
        else:
            row = _Row(top, bottom)
            row.add(i, top, bottom)
            found.append(row)
    found.sort(key=lambda r: (r.top + r.bottom) / 2)
    return [sorted(r.members, key=lambda i: boxes[i][0]) for r in found]


def row_order(boxes: Sequence[BBox], members: Sequence[int]) -> list[int]:
    """``members`` in row order: rows top to bottom, left to right within a row."""
    return [i for row in rows(boxes, members) for i in row]
