"""The service's structure step on its own: failures degrade a page, huge tables are cut.

The runner here has stub models where a failure is wanted (a real runner thread all
the same); cells and words are hand-made so the cut can be checked exactly.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import anyio
import numpy as np

from app.domain import DecodedPage, Line, RegionKind
from app.engine.structure.runner import StructureModels, StructureRunner
from app.engine.structure.table_cells import build_grid
from app.service.opened import lay_out
from app.service.structure import FAILED, fill_table, read_structure
from tests.layout.test_regions import LINES, line

PAGE = np.full((1800, 1000, 3), 255, dtype=np.uint8)


class Failing:
    name = "failing"
    file = None

    def __call__(self, image: Any) -> Any:
        raise RuntimeError("model exploded")


async def _in_thread(func: Any, *args: Any) -> Any:
    return await anyio.to_thread.run_sync(func, *args)


def test_a_failing_model_degrades_the_page_to_lines_with_a_warning() -> None:
    runner = StructureRunner([StructureModels(Failing(), Failing())],  # type: ignore[arg-type]
                             max_queue=4)
    try:
        found = asyncio.run(read_structure(runner, PAGE, LINES, True, time.monotonic() + 5,
                                           100, _in_thread))
    finally:
        runner.close()
    assert found.regions == () and found.tables == ()
    assert found.warnings == (FAILED,)
    page = lay_out(DecodedPage(0, 1000, 1800, image=PAGE), tuple(LINES), 0, 0.5, found)
    assert page.warnings == (FAILED,)
    assert len(page.lines) == len(LINES) and all(b.kind is None for b in page.layout.blocks)


def _grid(rows: int, cols: int) -> tuple[Any, list[Line]]:
    tokens = ["<tbody>"] + ["<tr>", *["<td></td>"] * cols, "</tr>"] * rows + ["</tbody>"]
    boxes = [(c * 100.0, r * 40.0, c * 100.0 + 90, r * 40.0 + 30)
             for r in range(rows) for c in range(cols)]
    lines = [line(f"r{r}c{c}", (c * 100 + 5, r * 40 + 5, c * 100 + 60, r * 40 + 25))
             for r in range(rows) for c in range(cols)]
    return build_grid(tokens, boxes), lines


def test_a_huge_table_is_cut_at_whole_rows_and_flagged() -> None:
    structure, lines = _grid(30, 4)
    table = fill_table(structure, (0, 0), (0, 0, 400, 1200), lines, max_cells=50)
    assert table.truncated and table.rows == 12  # cell 50 falls in row 12: rows 0-11 kept
    assert len(table.cells) == 48 and max(c.row for c in table.cells) == 11
    assert table.html.count("<tr>") == 12
    whole = fill_table(structure, (0, 0), (0, 0, 400, 1200), lines, max_cells=500)
    assert not whole.truncated and whole.rows == 30 and len(whole.cells) == 120


def test_cells_move_to_page_pixels_and_take_their_words() -> None:
    structure, lines = _grid(2, 2)
    moved = [line(ln.text, (ln.bbox[0] + 300, ln.bbox[1] + 500, ln.bbox[2] + 300,
                            ln.bbox[3] + 500)) for ln in lines]
    table = fill_table(structure, (300, 500), (300, 500, 500, 580), moved, max_cells=100)
    assert [c.text for c in table.cells] == ["r0c0", "r0c1", "r1c0", "r1c1"]
    assert table.cells[3].bbox == (400.0, 540.0, 490.0, 570.0)
    assert RegionKind.TABLE.in_flow and not RegionKind.FOOTER.in_flow


class Fixed:
    """A layout model that always finds the same regions."""

    name = "fixed"
    file = None

    def __init__(self, regions: tuple[Any, ...]) -> None:
        self.regions = regions

    def __call__(self, image: Any) -> Any:
        return self.regions


def test_a_title_of_many_lines_is_read_as_text() -> None:
    from app.engine.structure.layout_model import Region as Found

    body = [line(f"body line {k}", (100, 200 + 40 * k, 900, 230 + 40 * k)) for k in range(6)]
    head = [line("Short title", (100, 100, 500, 150))]
    layout = Fixed((Found("title", (90, 190, 910, 450), 0.84),
                    Found("title", (90, 90, 510, 160), 0.52)))
    runner = StructureRunner([StructureModels(layout, Failing())],  # type: ignore[arg-type]
                             max_queue=4)
    try:
        found = asyncio.run(read_structure(runner, PAGE, head + body, False,
                                           time.monotonic() + 5, 100, _in_thread))
    finally:
        runner.close()
    assert [r.kind for r in found.regions] == [RegionKind.TEXT, RegionKind.TITLE]
    assert found.warnings == () and found.classified
