"""SLANet-1m on tables drawn from HTML-like specs: grid, spans, cells, TEDS."""

from __future__ import annotations

import dataclasses
import statistics

import numpy as np
import pytest
from PIL import Image

from app.engine.structure.table_cells import assign_words
from app.engine.structure.table_model import TableModel
from tests.engine.structure.conftest import Scorer
from tests.engine.structure.drawn_tables import KINDS, draw_table

SEEDS = (0, 1, 2)


@pytest.mark.parametrize("kind", KINDS)
def test_rows_and_cols_match_the_drawn_table(table_model: TableModel, teds: Scorer, kind: str) -> None:
    scores = []
    for seed in SEEDS:
        drawn = draw_table(kind, seed)
        structure = table_model(drawn.image)
        assert (structure.rows, structure.cols) == (drawn.rows, drawn.cols), seed
        filled = assign_words(structure, drawn.words)
        # Structure alone: spans may be off by one cell now and then, not more.
        assert teds(filled.html, drawn.html, structure_only=True) >= 0.85, (seed, filled.html)
        scores.append(teds(filled.html, drawn.html))
    assert statistics.fmean(scores) >= 0.9, scores


def test_spans_are_decoded_into_the_grid(table_model: TableModel) -> None:
    drawn = draw_table("spans-bordered", 0)
    structure = table_model(drawn.image)
    item = next(c for c in structure.cells if (c.row, c.col) == (0, 0))
    assert (item.rowspan, item.colspan) == (2, 1)  # "Item" spans both header rows
    groups = [c for c in structure.cells if c.row == 0 and c.col > 0]
    assert groups and all(c.colspan == 2 for c in groups)
    assert structure.header_rows == 2
    assert any('rowspan="2"' in t for t in structure.html_tokens)


def test_cell_boxes_are_in_crop_pixels(table_model: TableModel) -> None:
    drawn = draw_table("bordered", 1)
    structure = table_model(drawn.image)
    height, width = drawn.image.shape[:2]
    for cell in structure.cells:
        x0, y0, x1, y1 = cell.bbox
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
    # Each truth word's centre falls in the box of the cell that holds its text.
    filled = assign_words(structure, drawn.words)
    for word in drawn.words:
        cx, cy = (word.bbox[0] + word.bbox[2]) / 2, (word.bbox[1] + word.bbox[3]) / 2
        holders = [f.cell.bbox for f in filled.cells if word.text in f.text.split()]
        assert any(x0 - 15 <= cx <= x1 + 15 and y0 - 15 <= cy <= y1 + 15
                   for x0, y0, x1, y1 in holders), (word, holders)


def test_a_smaller_scan_of_the_same_table_gives_the_same_grid(table_model: TableModel) -> None:
    drawn = draw_table("borderless", 2)
    image = Image.fromarray(drawn.image)
    small = np.asarray(image.resize((image.width * 7 // 10, image.height * 7 // 10)))
    big, little = table_model(drawn.image), table_model(small)
    assert (little.rows, little.cols) == (big.rows, big.cols) == (drawn.rows, drawn.cols)
    assert [dataclasses.replace(c, bbox=(0, 0, 0, 0)) for c in little.cells] == \
        [dataclasses.replace(c, bbox=(0, 0, 0, 0)) for c in big.cells]


def test_input_must_be_rgb_uint8(table_model: TableModel) -> None:
    with pytest.raises(ValueError, match="RGB uint8"):
        table_model(np.zeros((40, 40), dtype=np.uint8))


def test_a_table_past_the_decoders_step_limit_is_flagged(table_model: TableModel) -> None:
    from tests.engine.structure.drawn_tables import _render

    rows = [[(f"h{c}", 1, 1) for c in range(8)]]
    rows += [[(str(r * c), 1, 1) for c in range(8)] for r in range(70)]
    drawn = _render("bordered", rows, 1, 8, 0.7, None, (20, 20))
    structure = table_model(drawn.image)
    assert structure.truncated
    assert structure.rows < drawn.rows
    assert not table_model(draw_table("long", 0).image).truncated
