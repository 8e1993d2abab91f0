"""Tables in the text formats: a grid of cell texts, tab-separated rows, Markdown tables.

Plain text gives one line per row with a tab between cells (what a spreadsheet pastes);
Markdown gives a GitHub pipe table when no cell spans, else the table's HTML (a pipe
table cannot say ``rowspan``/``colspan``, and GitHub renders inline HTML tables).
"""

from __future__ import annotations

import re
from typing import Final

from app.domain import Table

_PIPE_CELL: Final = re.compile(r"([\\|])")


def grid(table: Table) -> list[list[str]]:
    """Cell texts by row and column; a spanning cell's text in its top-left slot only."""
    rows = [["" for _ in range(table.cols)] for _ in range(table.rows)]
    for cell in table.cells:
        if cell.row < table.rows and cell.col < table.cols:
            rows[cell.row][cell.col] = cell.text
    return rows


def tab_rows(table: Table) -> list[str]:
    """One line per row, cells separated by a tab (tabs and newlines in text as spaces)."""
    return ["\t".join(" ".join(text.split()) for text in row) for row in grid(table)]


def markdown_table(table: Table) -> str:
    """A pipe table (header: the model's header rows, else the first row), or HTML with
    spans when any cell spans rows or columns."""
    if table.spanned or not table.cells:
        return table.html
    rows = [[_PIPE_CELL.sub(r"\\\1", " ".join(text.split())) for text in row]
            for row in grid(table)]
    head = max(1, table.header_rows)
    if head > 1:  # a pipe table has one header row: fold the others into it
        rows = [[" ".join(filter(None, col)) for col in zip(*rows[:head], strict=True)],
                *rows[head:]]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * table.cols]
    lines.extend("| " + " | ".join(row) + " |" for row in rows[1:])
    return "\n".join(lines)
