"""Skew: the small tilt of a scanned page, measured from its lines and straightened in geometry.

Flatbed and phone scans come a few degrees off square. Ordering works on
axis-aligned boxes, and a tilted line's box grows by its length times the tilt:
on a two-column page turned 6 degrees each line's box reached into the lines
above and below and across the gutter, and the ordered CER went from 0.00 to
0.75 (10 degrees: 0.70). Nothing here touches pixels: the lines' corner points
are turned straight around the page centre, layout orders the straightened
boxes, and the boxes it reports are turned back onto the page as read.

The angle comes from the detector's polygons, which are rotated rectangles
along each line: the direction of each long line (its top and bottom edges
averaged), their median weighted by length.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from app.domain import BBox, Point

MIN_LINES: Final = 3
"""Fewer long lines than this give no angle worth trusting: 0 is reported."""
ELONGATION: Final = 3.0
"""A line this many times longer than thick gives a direction (a word or a digit does not)."""
MAX_SKEW: Final = 20.0
"""Degrees: steeper lines are no scan's tilt (diagonal text, a stamp): 0 is reported."""
MIN_SKEW: Final = 0.05
"""Degrees: below this the tilt moves no box by a pixel across a page (0.05 degrees
over 2000 pixels is 1.7 pixels): reported as 0 and nothing is turned."""


def estimate(polygons: Sequence[Sequence[Point]]) -> float:
    """The page's skew in degrees, counter-clockwise as a reader sees it (lines rising to
    the right are positive); 0 when the lines do not tell."""
    angles: list[tuple[float, float]] = []
    for polygon in polygons:
        if len(polygon) != 4:
            continue
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = polygon
        dx, dy = (x1 - x0 + x2 - x3) / 2, (y1 - y0 + y2 - y3) / 2
        length = math.hypot(dx, dy)
        thickness = (math.hypot(x3 - x0, y3 - y0) + math.hypot(x2 - x1, y2 - y1)) / 2
        if dx <= 0 or length < ELONGATION * max(thickness, 1.0):
            continue
        angles.append((-math.degrees(math.atan2(dy, dx)), length))
    if len(angles) < MIN_LINES:
        return 0.0
    angle = _weighted_median(angles)
    if abs(angle) < MIN_SKEW or abs(angle) > MAX_SKEW:
        return 0.0
    return angle


def _weighted_median(values: list[tuple[float, float]]) -> float:
    values.sort()
    half, seen = sum(w for _, w in values) / 2, 0.0
    for value, weight in values:
        seen += weight
        if seen >= half:
            return value
    return values[-1][0]


class Straightener:
    """Turns points by ``-skew`` around ``centre`` (straight) and boxes back (as read)."""

    def __init__(self, skew: float, centre: Point) -> None:
        self.skew = skew
        radians = math.radians(skew)
        self._cos, self._sin = math.cos(radians), math.sin(radians)
        self._centre = centre

    def _turn(self, point: Point, sign: float) -> Point:
        # y points down: turning the picture counter-clockwise by a is (x, y) ->
        # (x cos a + y sin a, -x sin a + y cos a) around the centre.
        cx, cy = self._centre
        x, y = point[0] - cx, point[1] - cy
        s = sign * self._sin
        return (cx + x * self._cos + y * s, cy - x * s + y * self._cos)

    def straight_box(self, points: Sequence[Point]) -> BBox:
        """The axis-aligned box of ``points`` on the straightened page."""
        return _aabb([self._turn(p, -1.0) for p in points])

    def box_back(self, box: BBox) -> BBox:
        """A straightened box as the axis-aligned box of its corners on the page as read."""
        x0, y0, x1, y1 = box
        return _aabb([self._turn(p, 1.0) for p in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))])


def _aabb(points: Sequence[Point]) -> BBox:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))
