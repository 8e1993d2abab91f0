"""Blocks in reading order: recursive cuts along whitespace (XY-cut), column-aware.

A region is cut where blank space runs across it: first along wide horizontal
gaps (titles, headers, footers and sections stand apart), then down the gutter
between columns, and both halves are cut again. What cannot be cut is a block,
read row by row (so a table or a receipt keeps ``TOTAL ... 12.50`` together).

Two refinements make this work on real pages:

* A gutter may be crossed by a few boxes that span both columns (a title set
  close above the columns, a pull quote). A spanning box with nothing beside it
  separates the columns above from those below; one with column text beside it
  is an insert, read after the columns around it.
* Only text columns are split: both sides' lines must be long (median width of
  several line heights). Tables and receipts have short cells on at least one
  side and are read by rows instead.

Measured on the corpus's three-column magazine page (tess_unlv_8071_093.3B.tif):
line boxes overlap their neighbours by a few pixels, the narrowest gutter is
0.34 line heights wide and the title sits 0.9 line heights below the columns,
which set TRIM, MIN_GUTTER and H_GAP below.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import Final

from app.domain import BBox

H_GAP: Final = 0.75
"""Blank height, in median line heights, that separates blocks stacked vertically
(single spacing leaves about 0.3 once boxes are trimmed; a blank line about 1.2)..."""
SPACING_LOOKAHEAD: Final = 32
"""Boxes looked at below each one to find the next line of its column."""
SPACING_FACTOR: Final = 2.0
"""...or twice the page's own line spacing, where that is more: in double-spaced
text every gap between lines is about 1.0, and must not cut columns into rows."""
TRIM: Final = 0.2
"""Boxes are shrunk by this share of the median line height at top and bottom:
detectors pad line boxes, so neighbouring lines overlap by a few pixels."""
MIN_GUTTER: Final = 0.25
"""Narrowest gutter between two columns, in median line heights."""
COLUMN_WIDTH: Final = 4.0
"""Median line width, in line heights, of a side that may be split off as a column."""
MAX_CROSSING: Final = 0.1
"""Share of a region's boxes that may span a gutter (titles, pull quotes)."""
SPAN_REACH: Final = 1.0
"""A spanning box reaches this many line heights into both columns."""


@dataclass(frozen=True, slots=True)
class _Split:
    left: list[int]
    right: list[int]
    crossing: list[int]
    start: float
    end: float

    @property
    def width(self) -> float:
        return self.end - self.start


class BlockFinder:
    """Cuts one page's boxes (in the reading frame: text runs left to right) into blocks."""

    def __init__(self, boxes: Sequence[BBox]) -> None:
        self.boxes = boxes
        self.line_height = median(b[3] - b[1] for b in boxes) if boxes else 1.0
        spacing = _line_spacing(boxes) + 2 * TRIM * self.line_height
        self.block_gap = max(H_GAP * self.line_height, SPACING_FACTOR * spacing)

    def blocks(self, members: list[int]) -> list[list[int]]:
        """``members`` cut into blocks, in reading order (members of a block unordered)."""
        if len(members) <= 1:
            return [members] if members else []
        slices = self._rejoin_continuations(self._horizontal_slices(members))
        if len(slices) > 1:
            return [block for part in slices for block in self.blocks(part)]
        split = self._vertical_split(members)
        if split is None:
            return [members]
        if not split.crossing:
            return self.blocks(split.left) + self.blocks(split.right)
        return self._around_spanning(members, split)

    def _horizontal_slices(self, members: list[int]) -> list[list[int]]:
        """Cut where a blank band at least ``block_gap`` high runs across."""
        trim = TRIM * self.line_height
        order = sorted(members, key=lambda i: self.boxes[i][1])
        slices: list[list[int]] = [[order[0]]]
        bottom = self.boxes[order[0]][3] - trim
        for i in order[1:]:
            top = self.boxes[i][1] + trim
            if top - bottom >= self.block_gap:
                slices.append([])
            slices[-1].append(i)
            bottom = max(bottom, self.boxes[i][3] - trim)
        return slices

    def _rejoin_continuations(self, slices: list[list[int]]) -> list[list[int]]:
        """Put back a slice that only continues one column of the columns above it.

        A figure inside a column leaves a blank band across the page once the other
        column has ended: cutting there would read the rest of the first column
        after the second. A slice with text on both sides of the gutter is a new
        section and stays apart.
        """
        joined = [slices[0]]
        for part in slices[1:]:
            split = self._vertical_split(joined[-1])
            boxes = self.boxes
            one_side = split is not None and not split.crossing and (
                all(boxes[i][2] <= split.start for i in part)
                or all(boxes[i][0] >= split.end for i in part)
            )
            if one_side and self._splits_cleanly(joined[-1] + part):
                joined[-1] = joined[-1] + part
            else:
                joined.append(part)
        return joined

    def _splits_cleanly(self, members: list[int]) -> bool:
        split = self._vertical_split(members)
        return split is not None and not split.crossing

    def _vertical_split(self, members: list[int]) -> _Split | None:
        """The best gutter between two text columns, or None."""
        best: _Split | None = None
        for start, end in self._gaps(members, int(MAX_CROSSING * len(members))):
            split = self._split_at(members, start, end)
            if split is None:
                continue
            if best is None or (len(split.crossing), -split.width) < (
                len(best.crossing), -best.width
            ):
                best = split
        return best

    def _gaps(self, members: list[int], allowed: int) -> list[tuple[float, float]]:
        """Candidate gutters: in each x-range covered by at most ``allowed`` boxes, the
        widest stretch (at least MIN_GUTTER wide) crossed by the fewest boxes.

        The fewest first: a clean gutter is never widened into the ragged line ends
        beside it, and a title crossing the gutter is tolerated only where it must be.
        """
        events = sorted(
            [(self.boxes[i][0], 1) for i in members] + [(self.boxes[i][2], -1) for i in members]
        )
        segments: list[tuple[float, float, int]] = []  # (x0, x1, boxes covering)
        depth = 0
        for (x, step), (nxt, _) in itertools.pairwise(events):
            depth += step
            if nxt > x:
                segments.append((x, nxt, depth))
        gaps: list[tuple[float, float]] = []
        run: list[tuple[float, float, int]] = []
        for segment in [*segments, (0.0, 0.0, allowed + 1)]:
            if segment[2] <= allowed:
                run.append(segment)
                continue
            if run:
                gap = self._least_crossed(run)
                if gap is not None:
                    gaps.append(gap)
            run = []
        return gaps

    def _least_crossed(self, run: list[tuple[float, float, int]]) -> tuple[float, float] | None:
        minimum = MIN_GUTTER * self.line_height
        for level in sorted({depth for _, _, depth in run}):
            widest: tuple[float, float] | None = None
            start: float | None = None
            for x0, _x1, depth in [*run, (run[-1][1], run[-1][1], level + 1)]:
                if depth <= level:
                    start = x0 if start is None else start
                    continue
                if start is not None and x0 - start >= minimum and (
                    widest is None or x0 - start > widest[1] - widest[0]
                ):
                    widest = (start, x0)
                start = None
            if widest is not None:
                return widest
        return None

    def _split_at(self, members: list[int], start: float, end: float) -> _Split | None:
        boxes, reach = self.boxes, SPAN_REACH * self.line_height
        left = [i for i in members if boxes[i][2] <= start]
        right = [i for i in members if boxes[i][0] >= end]
        crossing = [i for i in members if boxes[i][2] > start and boxes[i][0] < end]
        if not left or not right:
            return None
        if any(boxes[i][0] > start - reach or boxes[i][2] < end + reach for i in crossing):
            return None  # not spanning both columns: a long line of one of them
        if not (self._is_column(left) and self._is_column(right)):
            return None
        return _Split(left, right, crossing, start, end)

    def _is_column(self, members: list[int]) -> bool:
        widths = [self.boxes[i][2] - self.boxes[i][0] for i in members]
        return median(widths) >= COLUMN_WIDTH * self.line_height

    def _around_spanning(self, members: list[int], split: _Split) -> list[list[int]]:
        """Columns read band by band between separators; inserts after their band."""
        boxes = self.boxes
        columns = split.left + split.right
        separators: list[int] = []
        inserts: list[int] = []
        for c in split.crossing:
            beside = any(_overlap_y(boxes[c], boxes[i]) for i in columns)
            (inserts if beside else separators).append(c)
        separators.sort(key=lambda i: boxes[i][1])
        result: list[list[int]] = []
        rest = columns + inserts
        for sep in separators:
            above = [i for i in rest if _center_y(boxes[i]) < _center_y(boxes[sep])]
            rest = [i for i in rest if i not in set(above)]
            result += self._band(above, inserts)
            result.append([sep])
        return result + self._band(rest, inserts)

    def _band(self, members: list[int], inserts: list[int]) -> list[list[int]]:
        flowing = [i for i in members if i not in inserts]
        placed = [[i] for i in members if i in inserts]
        return self.blocks(flowing) + sorted(placed, key=lambda b: self.boxes[b[0]][1])


def _overlap_y(a: BBox, b: BBox) -> bool:
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap > 0.5 * min(a[3] - a[1], b[3] - b[1])


def _center_y(box: BBox) -> float:
    return (box[1] + box[3]) / 2


def _line_spacing(boxes: Sequence[BBox]) -> float:
    """Median blank height between a line and the next one below it in its column."""
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][1])
    gaps = []
    for k, i in enumerate(order):
        # The next line of a column is among the next few boxes down: bounded work.
        for j in order[k + 1 : k + 1 + SPACING_LOOKAHEAD]:
            if boxes[j][1] <= boxes[i][1]:
                continue  # on the same row, not below
            if min(boxes[i][2], boxes[j][2]) > max(boxes[i][0], boxes[j][0]):
                gaps.append(boxes[j][1] - boxes[i][3])
                break
    return max(median(gaps), 0.0) if gaps else 0.0
