"""Reading order over typed regions: each region's lines become one block of its kind.

Lines are placed in the region holding their centre (the smallest one when regions
nest); lines in no region keep the blocks the plain layout gives them. Regions are
ordered by where their lines fall in today's column-aware reading order (the XY-cut
of ``blocks`` over every line), so a two-column page still reads column by column.
Running headers come first and footnotes and footers last, flagged by their kind
and out of the main flow; a caption points at the figure or table next to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from app.domain import BBox, Block, Line, PageLayout, Paragraph, Region, RegionKind, Table
from app.layout.reading import analyze
from app.layout.rows import row_order

_PLACE: Final = {RegionKind.HEADER: 0, RegionKind.FOOTNOTE: 2, RegionKind.FOOTER: 3}
"""Where out-of-flow kinds go: headers before the flow (1), footnotes then footers after."""
CAPTION_REACH: Final = 3.0
"""A caption is linked to a figure or table at most this many caption heights away."""


def analyze_regions(
    lines: Sequence[Line], width: int, height: int, regions: Sequence[Region],
    tables: Sequence[Table],
) -> PageLayout:
    """``lines`` in reading order, one block per region (with its kind), the rest as text."""
    if not lines:
        return PageLayout((), ())
    plain = analyze(lines, width, height)
    owner = [_owner(line.bbox, regions) for line in plain.lines]
    # Heading is judged against the whole page's body text: a region alone cannot tell.
    headings = {id(plain.lines[i]) for b in plain.blocks for p in b.paragraphs if p.heading
                for i in p.lines}
    # A group is a region's lines (region index) or a plain block's leftovers (-1 - index).
    groups: dict[int, list[int]] = {}
    for block in plain.blocks:
        for paragraph in block.paragraphs:
            for n in paragraph.lines:
                region = owner[n]
                groups.setdefault(-1 - block.index if region is None else region, []).append(n)

    def kind_of(key: int) -> RegionKind:
        return regions[key].kind if key >= 0 else RegionKind.TEXT

    ordered_groups = sorted(groups.items(),
                            key=lambda kv: (_PLACE.get(kind_of(kv[0]), 1), min(kv[1])))
    out_lines: list[Line] = []
    blocks: list[Block] = []
    for key, members in ordered_groups:
        group = [plain.lines[n] for n in members]
        if kind_of(key) is RegionKind.TABLE:
            # A table reads row by row, whatever gaps its columns leave.
            group = [group[i] for i in row_order([ln.bbox for ln in group], range(len(group)))]
            sub = PageLayout(tuple(group), (Block(0, _union([ln.bbox for ln in group]), (
                Paragraph(0, _union([ln.bbox for ln in group]), tuple(range(len(group)))),)),))
        else:
            sub = analyze(group, width, height)
        paragraphs: list[Paragraph] = []
        for sub_block in sub.blocks:
            for p in sub_block.paragraphs:
                start = len(out_lines) + p.lines[0]
                heading = kind_of(key) is RegionKind.TITLE or all(
                    id(sub.lines[i]) in headings for i in p.lines)
                paragraphs.append(Paragraph(len(paragraphs), p.bbox,
                                            tuple(range(start, start + len(p.lines))),
                                            heading))
        kind = kind_of(key)
        table = _table_of(regions[key], tables) if kind is RegionKind.TABLE else None
        out_lines.extend(sub.lines)
        # A region's block covers the region (a figure is more than its labels).
        boxes = [ln.bbox for ln in group] + ([regions[key].bbox] if key >= 0 else [])
        blocks.append(Block(len(blocks), _union(boxes), tuple(paragraphs), kind, table=table))
    return PageLayout(tuple(out_lines), tuple(_link_captions(blocks)), plain.skew)


def _owner(box: BBox, regions: Sequence[Region]) -> int | None:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    best, area = None, float("inf")
    for n, region in enumerate(regions):
        x0, y0, x1, y1 = region.bbox
        if x0 <= cx <= x1 and y0 <= cy <= y1 and (x1 - x0) * (y1 - y0) < area:
            best, area = n, (x1 - x0) * (y1 - y0)
    return best


def _table_of(region: Region, tables: Sequence[Table]) -> int | None:
    for n, table in enumerate(tables):
        if table.bbox == region.bbox:
            return n
    return None


def _link_captions(blocks: list[Block]) -> list[Block]:
    """Each caption points at the nearest figure or table above or below it."""
    targets = [b for b in blocks if b.kind in (RegionKind.FIGURE, RegionKind.TABLE)]
    linked = []
    for block in blocks:
        if block.kind is RegionKind.CAPTION and targets:
            height = max(block.bbox[3] - block.bbox[1], 1.0)
            gap, target = min((_gap(block.bbox, t.bbox), t.index) for t in targets)
            if gap <= CAPTION_REACH * height:
                block = Block(block.index, block.bbox, block.paragraphs, block.kind,
                              caption_of=target)
        linked.append(block)
    return linked


def _gap(a: BBox, b: BBox) -> float:
    """Distance between two boxes (0 when they touch); far when side by side only."""
    dx = max(b[0] - a[2], a[0] - b[2], 0.0)
    dy = max(b[1] - a[3], a[1] - b[3], 0.0)
    return dy + 10 * dx


def _union(boxes: Sequence[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))
