"""Pages read turned: boxes moved into the upright frame for layout, and back.

Auto-rotate reports the clockwise turn that made a page readable, while line
polygons stay on the page as the client sent it. Reading order is a property of
the upright page, so layout works there and hands back the original coordinates.
"""

from __future__ import annotations

from app.domain import BBox, Point, map_back


def to_upright(point: Point, clockwise: int, width: float, height: float) -> Point:
    """A point of the page as sent, on the page turned by ``clockwise`` degrees."""
    x, y = point
    if clockwise == 90:
        return (height - y, x)
    if clockwise == 180:
        return (width - x, height - y)
    if clockwise == 270:
        return (y, width - x)
    return (x, y)


def box_from_upright(box: BBox, clockwise: int, width: float, height: float) -> BBox:
    """An upright box as an axis-aligned box on the page as sent."""
    corners = [map_back(p, clockwise, width, height)
               for p in ((box[0], box[1]), (box[2], box[3]))]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return (min(xs), min(ys), max(xs), max(ys))


VERTICAL_SHARE = 0.5
"""Share of multi-character lines standing upright that makes a page vertical text."""
TALL_RATIO = 1.5
"""A line box this many times taller than wide runs top to bottom."""


def is_vertical_text(boxes: list[BBox], texts: list[str]) -> bool:
    """Whether the page is set in vertical lines (CJK columns read right to left)."""
    candidates = [b for b, t in zip(boxes, texts, strict=True) if len(t.strip()) >= 2]
    if not candidates:
        return False
    tall = sum(1 for b in candidates if b[3] - b[1] > TALL_RATIO * (b[2] - b[0]))
    return tall > VERTICAL_SHARE * len(candidates)


def reading_frame(boxes: list[BBox], texts: list[str], width: float) -> list[BBox]:
    """Boxes turned so that text runs left to right and lines follow top to bottom.

    Vertical text (columns top to bottom, the next column to the left) is turned a
    quarter counter-clockwise: the top of a column goes left, the rightmost column
    goes to the top. Horizontal text is returned as is.
    """
    if not is_vertical_text(boxes, texts):
        return boxes
    return [(y0, width - x1, y1, width - x0) for x0, y0, x1, y1 in boxes]
