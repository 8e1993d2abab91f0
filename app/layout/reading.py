"""One page's lines → blocks → paragraphs → lines in reading order.

The stage knows nothing of where lines came from (OCR or a PDF text layer): it
sees boxes and text. It works on the upright page (``frames``: pages turned by
auto-rotate are turned back; vertical text is turned so it runs left to right),
straightens a scan's tilt in geometry (``skew``: the lines' corners are turned, never
the pixels), cuts the page into blocks in reading order (``blocks``), reads each block row by
row (``rows``), splits it into paragraphs (``paragraphs``), and hands back the
lines in that order with their original coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

from app.domain import BBox, Block, Line, PageLayout, Paragraph
from app.layout.blocks import BlockFinder
from app.layout.frames import box_from_upright, reading_frame, to_upright
from app.layout.paragraphs import split_paragraphs
from app.layout.rows import rows
from app.layout.skew import Straightener, estimate


def page_skew(lines: Sequence[Line], width: int, height: int, rotation: int = 0) -> float:
    """The page's tilt in degrees, as ``analyze`` reports it (``PageLayout.skew``), without
    ordering anything: for callers that decide on the tilt before they lay out."""
    return round(estimate(_upright_points(lines, width, height, rotation)), 2) if lines else 0.0


def _upright_points(
    lines: Sequence[Line], width: int, height: int, rotation: int
) -> list[list[tuple[float, float]]]:
    return [[to_upright(p, rotation, width, height) for p in ln.polygon] for ln in lines]


def analyze(lines: Sequence[Line], width: int, height: int, rotation: int = 0) -> PageLayout:
    """Order ``lines`` for reading and group them into blocks and paragraphs.

    ``rotation`` is the clockwise turn that made the page readable (auto-rotate);
    coordinates in and out are those of the page as sent. The page's tilt is measured
    on the upright page and straightened for ordering (``PageLayout.skew``); block and
    paragraph boxes are turned back onto the page as sent.
    """
    if not lines:
        return PageLayout((), ())
    points = _upright_points(lines, width, height, rotation)
    upright_width = height if rotation in (90, 270) else width
    upright_height = width if rotation in (90, 270) else height
    straight = Straightener(estimate(points), (upright_width / 2, upright_height / 2))
    upright = [straight.straight_box(p) for p in points]
    frame = reading_frame(upright, [ln.text for ln in lines], upright_width)
    body_height = median(b[3] - b[1] for b in frame)

    def back(box: BBox) -> BBox:
        return box_from_upright(straight.box_back(box), rotation, width, height)

    ordered: list[Line] = []
    blocks: list[Block] = []
    for members in BlockFinder(frame).blocks(list(range(len(lines)))):
        paragraphs: list[Paragraph] = []
        for group, heading in split_paragraphs(frame, rows(frame, members), body_height):
            start = len(ordered)
            ordered.extend(lines[i] for i in group)
            box = back(_union(upright, group))
            paragraphs.append(
                Paragraph(len(paragraphs), box, tuple(range(start, len(ordered))), heading)
            )
        blocks.append(Block(len(blocks), back(_union(upright, members)), tuple(paragraphs)))
    return PageLayout(tuple(ordered), tuple(blocks), round(straight.skew, 2))


def _union(boxes: Sequence[BBox], members: Sequence[int]) -> BBox:
    return (
        min(boxes[i][0] for i in members),
        min(boxes[i][1] for i in members),
        max(boxes[i][2] for i in members),
        max(boxes[i][3] for i in members),
    )
