"""Pure-python side of table structure: tokens to a grid, words to cells, cells to HTML.

No model and no numpy here, so the service (and its tests) can use it for tables
whose structure came from anywhere.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

BBox = tuple[float, float, float, float]
_SPAN = re.compile(r'\s*(rowspan|colspan)="(\d+)"')


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: top-left grid position, spans, and its box in the crop's pixels."""

    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: BBox


@dataclass(frozen=True, slots=True)
class TableStructure:
    """A table's grid as the model read it."""

    rows: int
    cols: int
    cells: tuple[Cell, ...]
    html_tokens: tuple[str, ...]
    header_rows: int = 0
    """Rows inside ``<thead>`` (the model marks a header it recognises)."""
    truncated: bool = False
    """The decoder hit its step limit before ``eos``: rows past that point are missing."""


@dataclass(frozen=True, slots=True)
class FilledCell:
    """A cell with the text of the words that fell in it."""

    cell: Cell
    text: str


@dataclass(frozen=True, slots=True)
class FilledTable:
    """Cells with text and the table as HTML (``rowspan``/``colspan`` where spanned)."""

    structure: TableStructure
    cells: tuple[FilledCell, ...]
    html: str


class WordLike(Protocol):
    """What ``assign_words`` needs of a word (``app.domain.Word`` fits)."""

    @property
    def text(self) -> str: ...
    @property
    def bbox(self) -> BBox: ...


def build_grid(tokens: Sequence[str], boxes: Sequence[BBox],
               truncated: bool = False) -> TableStructure:
    """Place the cells of structure ``tokens`` on a grid; the n-th cell takes ``boxes[n]``.

    Spans push later cells of the rows they cover to the right, as in HTML.
    A span reaching past the last row is cut there (the model can over-predict).
    """
    taken: set[tuple[int, int]] = set()
    placed: list[tuple[int, int, int, int]] = []
    row, col, header_rows, in_head = -1, 0, 0, False
    pending: list[int] | None = None  # [rowspan, colspan] of an open "<td"
    for piece in tokens:
        if piece == "<thead>":
            in_head = True
        elif piece == "</thead>":
            in_head = False
        elif piece == "<tr>":
            row, col = row + 1, 0
            header_rows += in_head
        elif piece == "<td":
            pending = [1, 1]
        elif pending is not None and (match := _SPAN.fullmatch(piece)):
            pending[0 if match.group(1) == "rowspan" else 1] = max(1, int(match.group(2)))
        elif piece in (">", "<td></td>"):
            spans = pending or [1, 1]
            pending = None
            row = max(row, 0)  # a cell before any <tr> opens the first row
            while (row, col) in taken:
                col += 1
            placed.append((row, col, spans[0], spans[1]))
            taken.update((row + r, col + c) for r in range(spans[0]) for c in range(spans[1]))
            col += spans[1]
    rows = row + 1
    cells = []
    for index, (r, c, rowspan, colspan) in enumerate(placed):
        bbox = boxes[index] if index < len(boxes) else (0.0, 0.0, 0.0, 0.0)
        cells.append(Cell(r, c, min(rowspan, rows - r), colspan, bbox))
    cols = max((c.col + c.colspan for c in cells), default=0)
    return TableStructure(rows, cols, tuple(cells), tuple(tokens), header_rows, truncated)


def assign_words(structure: TableStructure, words: Sequence[WordLike]) -> FilledTable:
    """Put each word in the cell its box overlaps most (nearest cell when none) and
    build the HTML ``<table>``. Word and cell boxes must be in the same pixels."""
    bins: list[list[WordLike]] = [[] for _ in structure.cells]
    if structure.cells:
        for word in words:
            bins[_best_cell(structure.cells, word.bbox)].append(word)
    filled = tuple(FilledCell(cell, _reading_text(found))
                   for cell, found in zip(structure.cells, bins, strict=True))
    return FilledTable(structure, filled, to_html(filled, structure.header_rows))


def to_html(cells: Sequence[FilledCell], header_rows: int = 0) -> str:
    """``<table>`` HTML, row by row; header rows in ``<thead>``, the rest in ``<tbody>``."""
    by_row: dict[int, list[FilledCell]] = {}
    for item in cells:
        by_row.setdefault(item.cell.row, []).append(item)
    last = max(by_row, default=-1)
    parts = ["<table>"]
    for start, stop, tag in ((0, header_rows, "thead"), (header_rows, last + 1, "tbody")):
        if start >= stop:
            continue
        parts.append(f"<{tag}>")
        for row in range(start, stop):
            parts.append("<tr>")
            for item in sorted(by_row.get(row, []), key=lambda f: f.cell.col):
                attrs = "".join(f' {name}="{value}"' for name, value in
                                (("rowspan", item.cell.rowspan), ("colspan", item.cell.colspan))
                                if value > 1)
                parts.append(f"<td{attrs}>{html.escape(item.text)}</td>")
            parts.append("</tr>")
        parts.append(f"</{tag}>")
    parts.append("</table>")
    return "".join(parts)


def _best_cell(cells: Sequence[Cell], box: BBox) -> int:
    def overlap(cell: Cell) -> float:
        b = cell.bbox
        w = min(box[2], b[2]) - max(box[0], b[0])
        h = min(box[3], b[3]) - max(box[1], b[1])
        return max(w, 0.0) * max(h, 0.0)

    scores = [overlap(c) for c in cells]
    best = max(range(len(cells)), key=scores.__getitem__)
    if scores[best] > 0:
        return best
    # Cell boxes from SLANet are loose; a word between two boxes goes to the nearer one.
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2

    def distance(cell: Cell) -> float:
        b = cell.bbox
        dx = max(b[0] - cx, 0.0, cx - b[2])
        dy = max(b[1] - cy, 0.0, cy - b[3])
        return dx * dx + dy * dy

    return min(range(len(cells)), key=lambda i: distance(cells[i]))


def _reading_text(words: Sequence[WordLike]) -> str:
    """Words in reading order: lines by vertical overlap, left to right within a line."""
    lines: list[list[WordLike]] = []
    for word in sorted(words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        top, bottom = word.bbox[1], word.bbox[3]
        if lines:
            ref = lines[-1][0].bbox
            shared = min(bottom, ref[3]) - max(top, ref[1])
            if shared > 0.5 * min(bottom - top, ref[3] - ref[1]):
                lines[-1].append(word)
                continue
        lines.append([word])
    return " ".join(" ".join(w.text for w in sorted(line, key=lambda w: w.bbox[0]))
                    for line in lines)
