"""Reading order: lines grouped into rows by vertical overlap, rows top to bottom,
left to right within a row.

Detectors return boxes in an order of their own (PP-OCR sorts by the top-left
corner with a small tolerance, which splits a row whose boxes are slightly
skewed). Grouping by vertical overlap keeps a row together whatever its skew.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.engine.types import RecognizedLine

ROW_OVERLAP = 0.5
"""Share of the smaller height two boxes must overlap vertically to be one row."""


@dataclass
class _Row:
    top: float
    bottom: float
    members: list[RecognizedLine] = field(default_factory=list)

    def overlap_ratio(self, top: float, bottom: float) -> float:
        overlap = min(self.bottom, bottom) - max(self.top, top)
        smaller = min(self.bottom - self.top, bottom - top)
        return overlap / smaller if smaller > 0 else 0.0

    def add(self, line: RecognizedLine) -> None:
        _, top, _, bottom = line.bbox
        n = len(self.members)
        # The row's span follows the mean of its members, so one tall box
        # cannot swallow the rows above and below it.
        self.top = (self.top * n + top) / (n + 1)
        self.bottom = (self.bottom * n + bottom) / (n + 1)
        self.members.append(line)


def sort_reading_order(lines: Sequence[RecognizedLine]) -> list[RecognizedLine]:
    """Return ``lines`` in reading order (rows top to bottom, left to right)."""
    rows: list[_Row] = []
    for line in sorted(lines, key=lambda ln: (ln.bbox[1] + ln.bbox[3]) / 2):
        _, top, _, bottom = line.bbox
        best = max(rows, key=lambda r: r.overlap_ratio(top, bottom), default=None)
        if best is not None and best.overlap_ratio(top, bottom) >= ROW_OVERLAP:
            best.add(line)
        else:
            row = _Row(top, bottom)
            row.add(line)
            rows.append(row)
    rows.sort(key=lambda r: (r.top + r.bottom) / 2)
    return [ln for row in rows for ln in sorted(row.members, key=lambda ln: ln.bbox[0])]
