"""A page's structure: regions from the layout model, tables read into cells.

Runs on the structure runner's threads (the models) and the service's thread
pool (crops, word assignment); the coroutine only hands things along. Any
failure other than the request's deadline degrades the page to plain lines
with a warning: structure is an addition, never a reason to lose a page.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from app.domain import BBox, Line, Pixels, Region, RegionKind, Table, TableCell
from app.engine.structure.runner import StructureRunner
from app.engine.structure.table_cells import TableStructure, assign_words
from app.errors import RequestTimeout
from app.formats.base import line_words

logger = logging.getLogger("app.service")
InThread = Callable[..., Awaitable[Any]]

MARGIN: Final = 8
"""Pixels around a table region in its crop: SLANet-1m does not mind the margin (TEDS
0.992-0.995 from 0 to 30 px), and a few pixels keep the outer words whole."""
FORMULA_LINES: Final = 3
"""CDLA calls compact ruled tables ``equation`` (0 of 10 bordered pages called ``table``,
docs/structure-models.md): a formula region holding this many lines or more is tried as
a table and kept as one when SLANet finds at least 2 rows and 2 columns."""
MAX_TITLE_LINES: Final = 3
"""A ``title`` region holding more lines is read as ``text``: CDLA called the six-line
body paragraph of the corpus's tess_phototest.tif a title (score 0.84)."""
STRUCTURE_DPI: Final = 120
"""Resolution a PDF's text-layer page is rendered at for the models alone. The layout
model sees every page as 608 x 800 and SLANet a table as 488 px at most, so 120 dpi
(an A4 page 992 x 1403, a 16 cm table 756 px) loses them nothing; the words come from the
text layer, exact. Measured on 8 fpdf2 table PDFs (tests/service/structure_pages.py:
bordered, wide, long, ruled booktabs; 2 seeds each): TEDS 0.976-1.000 at 120 dpi."""
FAILED: Final = "structure: the layout or table model failed on this page; lines as read"


@dataclass(frozen=True, slots=True)
class PageStructure:
    """What the models made of one page (empty when they did not run)."""

    regions: tuple[Region, ...] = ()
    tables: tuple[Table, ...] = ()
    warnings: tuple[str, ...] = ()
    classified: bool = False
    """The layout model ran: blocks get kinds (``text`` where it found no region)."""


async def read_structure(
    runner: StructureRunner, image: Pixels, lines: Sequence[Line], tables: bool,
    deadline: float, max_cells: int, in_thread: InThread, width: int | None = None,
) -> PageStructure:
    """The page's regions and, with ``tables``, its tables (cells in page pixels).

    ``width``: the page's width in pixels when ``image`` was rendered smaller (a PDF
    text-layer page rendered for the models alone); boxes are scaled to the page.
    """
    scale = (width / image.shape[1]) if width else 1.0
    try:
        found = await runner.layout(image, deadline)
        # Geometry and crops run in the service's threads: the loop only hands along.
        regions, candidates = await in_thread(_classify, found, lines, scale, tables)
        read: list[Table] = []
        for n, inside in candidates:
            region = regions[n]
            crop, origin = await in_thread(_crop, image, _scaled(region.bbox, 1 / scale))
            structure = await runner.table(crop, deadline)
            if region.kind is not RegionKind.TABLE and (
                    structure.rows < 2 or structure.cols < 2):
                continue  # a real formula (or a one-line box): leave it as lines
            regions[n] = replace(region, kind=RegionKind.TABLE)
            read.append(await in_thread(fill_table, structure, origin, region.bbox,
                                        inside, max_cells, scale))
        return PageStructure(tuple(regions), tuple(read), classified=True)
    except RequestTimeout:
        raise
    except Exception as exc:  # a page without structure beats no page: degrade, say so
        logger.warning("structure failed on a page: %s", type(exc).__name__)
        return PageStructure(warnings=(FAILED,))


def lines_in(box: BBox, lines: Sequence[Line]) -> list[Line]:
    """Lines whose centre lies inside ``box``."""
    x0, y0, x1, y1 = box
    inside = []
    for line in lines:
        b = line.bbox
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        if x0 <= cx <= x1 and y0 <= cy <= y1:
            inside.append(line)
    return inside


def fill_table(structure: TableStructure, origin: tuple[int, int], bbox: BBox,
               lines: Sequence[Line], max_cells: int, scale: float = 1.0) -> Table:
    """Cells moved to page pixels (crop ``origin``, then ``scale``), cut at ``max_cells``
    (whole rows), words put in them."""
    dx, dy = origin
    cells = tuple(replace(c, bbox=_scaled((c.bbox[0] + dx, c.bbox[1] + dy, c.bbox[2] + dx,
                                           c.bbox[3] + dy), scale)) for c in structure.cells)
    truncated = structure.truncated
    rows = structure.rows
    if len(cells) > max_cells:
        rows = cells[max_cells].row  # the limit falls in this row: keep the rows above
        cells = tuple(c for c in cells if c.row < rows)
        cells = tuple(replace(c, rowspan=min(c.rowspan, rows - c.row)) for c in cells)
        truncated = True
    moved = replace(structure, rows=rows, cells=cells, truncated=truncated)
    words = [w for line in lines for w in line_words(line)]
    filled = assign_words(moved, words)
    return Table(
        bbox=bbox, rows=rows, cols=moved.cols,
        cells=tuple(TableCell(f.cell.row, f.cell.col, f.cell.rowspan, f.cell.colspan,
                              f.cell.bbox, f.text) for f in filled.cells),
        html=filled.html, header_rows=min(structure.header_rows, rows), truncated=truncated)


def _classify(found: Sequence[Any], lines: Sequence[Line], scale: float, tables: bool
              ) -> tuple[list[Region], list[tuple[int, list[Line]]]]:
    """The model's regions in page pixels and kinds, and (index, lines inside) of those to
    try as tables."""
    regions = [_checked(Region(RegionKind(r.kind), _scaled(r.bbox, scale), r.score), lines)
               for r in found]
    candidates = []
    if tables:
        for n, region in enumerate(regions):
            inside = lines_in(region.bbox, lines)
            if _candidate(region, inside):
                candidates.append((n, inside))
    return regions, candidates


def _scaled(box: BBox, scale: float) -> BBox:
    if scale == 1.0:
        return box
    return (box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale)


def _checked(region: Region, lines: Sequence[Line]) -> Region:
    if region.kind is RegionKind.TITLE and len(lines_in(region.bbox, lines)) > MAX_TITLE_LINES:
        return replace(region, kind=RegionKind.TEXT)
    return region


def _candidate(region: Region, inside: Sequence[Line]) -> bool:
    if region.kind is RegionKind.TABLE:
        return True
    return region.kind is RegionKind.FORMULA and len(inside) >= FORMULA_LINES


def _crop(image: Pixels, box: BBox) -> tuple[Pixels, tuple[int, int]]:
    height, width = image.shape[:2]
    x0 = max(0, int(box[0]) - MARGIN)
    y0 = max(0, int(box[1]) - MARGIN)
    x1 = min(width, int(box[2] + 0.5) + MARGIN)
    y1 = min(height, int(box[3] + 0.5) + MARGIN)
    if x1 - x0 < 2 or y1 - y0 < 2:
        raise ValueError("empty table region")
    return image[y0:y1, x0:x1].copy(), (x0, y0)
