"""Layout: one page's lines → blocks → paragraphs → lines in reading order.

The stage knows nothing of where lines came from (OCR or a PDF text layer): it
sees boxes and text. It works on the upright page (see ``frames``), finds
blocks and their reading order (``blocks``), splits each block into paragraphs
(``paragraphs``), and hands back the lines in that order with the original
coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain import BBox, Block, Line, PageLayout, Paragraph
from app.layout.blocks import ordered_blocks
from app.layout.frames import box_from_upright, upright_box
from app.layout.paragraphs import split_paragraphs

__all__ = ["analyze"]


def analyze(lines: Sequence[Line], width: int, height: int, rotation: int = 0) -> PageLayout:
    """Order ``lines`` for reading and group them into blocks and paragraphs.

    ``rotation`` is the clockwise turn that made the page readable (auto-rotate);
    coordinates in and out are those of the page as sent.
    """
    if not lines:
        return PageLayout((), ())
    boxes = [upright_box(ln.polygon, rotation, width, height) for ln in lines]
    texts = [ln.text for ln in lines]
    ordered: list[Line] = []
    blocks: list[Block] = []
    for members in ordered_blocks(boxes, texts):
        paragraphs: list[Paragraph] = []
        for group, heading in split_paragraphs(boxes, members, texts):
            start = len(ordered)
            ordered.extend(lines[i] for i in group)
            box = box_from_upright(_union(boxes, group), rotation, width, height)
            paragraphs.append(Paragraph(len(paragraphs), box, tuple(range(start, len(ordered))),
                                        heading))
        box = box_from_upright(_union(boxes, members), rotation, width, height)
        blocks.append(Block(len(blocks), box, tuple(paragraphs)))
    return PageLayout(tuple(ordered), tuple(blocks))


def _union(boxes: Sequence[BBox], members: Sequence[int]) -> BBox:
    return (
        min(boxes[i][0] for i in members),
        min(boxes[i][1] for i in members),
        max(boxes[i][2] for i in members),
        max(boxes[i][3] for i in members),
    )
