"""Paragraphs inside a block, from line spacing, indentation and alignment.

A block's lines arrive in reading order, grouped into rows (a table row is one
row of several boxes). A new paragraph starts at a row when

* the blank space above it is clearly more than the block's usual line spacing;
* it is indented and its neighbours are not (a first-line indent; lines that
  wrap around a picture are indented one after another and stay together);
* the row above ended well short of the block's right edge (the last line of a
  paragraph), in blocks of running text;
* its text is markedly taller or smaller than the row above (a heading).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from statistics import median
from typing import Final

from app.domain import BBox

EXTRA_GAP: Final = 0.5
"""Blank space beyond the usual line spacing, in line heights, that ends a paragraph."""
INDENT: Final = 0.6
"""A first-line indent, in line heights (an em is about 0.8 of a detected line box)."""
FLUSH: Final = 0.3
"""Left edges within this many line heights of the margin count as flush."""
SHORT_LINE: Final = 0.6
"""A row ending before this share of the block's width ends its paragraph."""
SIZE_CHANGE: Final = 1.4
"""Line heights differing by this factor are different kinds of text."""
HEADING: Final = 1.4
"""A paragraph this many times taller than the page's body text is a heading."""


def split_paragraphs(
    boxes: Sequence[BBox], rows: list[list[int]], body_height: float
) -> list[tuple[list[int], bool]]:
    """Rows of one block (reading order) cut into paragraphs, each with its heading flag."""
    if not rows:
        return []
    spans = [_span(boxes, row) for row in rows]
    heights = [s[3] - s[1] for s in spans]
    height = median(heights)
    left = _percentile([s[0] for s in spans], 0.2)
    right = _percentile([s[2] for s in spans], 0.8)
    width = max(right - left, 1.0)
    gaps = [b[1] - a[3] for a, b in itertools.pairwise(spans)]
    usual_gap = median(gaps) if gaps else 0.0
    prose = len(rows) >= 3 and median(s[2] - s[0] for s in spans) >= 0.7 * width

    def indented(k: int) -> bool:
        return spans[k][0] - left > INDENT * height

    def flush(k: int) -> bool:
        return spans[k][0] - left < FLUSH * height

    groups: list[list[int]] = [list(rows[0])]
    for k in range(1, len(rows)):
        new = (
            gaps[k - 1] > usual_gap + EXTRA_GAP * height
            or (indented(k) and flush(k - 1) and (k + 1 == len(rows) or flush(k + 1)))
            or (prose and spans[k - 1][2] < left + SHORT_LINE * width and flush(k))
            or _size_changes(heights[k - 1], heights[k])
        )
        if new:
            groups.append([])
        groups[-1].extend(rows[k])
    return [(g, _is_heading(boxes, g, body_height)) for g in groups]


def _span(boxes: Sequence[BBox], row: list[int]) -> BBox:
    return (
        min(boxes[i][0] for i in row),
        min(boxes[i][1] for i in row),
        max(boxes[i][2] for i in row),
        max(boxes[i][3] for i in row),
    )


def _size_changes(a: float, b: float) -> bool:
    return max(a, b) > SIZE_CHANGE * max(min(a, b), 1e-6)


def _is_heading(boxes: Sequence[BBox], group: list[int], body_height: float) -> bool:
    return median(boxes[i][3] - boxes[i][1] for i in group) >= HEADING * body_height


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
