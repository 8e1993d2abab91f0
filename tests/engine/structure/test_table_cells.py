"""Tokens to grid and words to cells: pure python, no model."""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.structure.table_cells import TableStructure, assign_words, build_grid

SPANNED = ["<thead>", "<tr>", "<td", ' rowspan="2"', ">", "</td>", "<td", ' colspan="2"', ">",
           "</td>", "</tr>", "<tr>", "<td></td>", "<td></td>", "</tr>", "</thead>", "<tbody>",
           "<tr>", "<td></td>", "<td></td>", "<td></td>", "</tr>", "</tbody>"]


@dataclass(frozen=True)
class W:
    text: str
    bbox: tuple[float, float, float, float]


def boxes(n: int) -> list[tuple[float, float, float, float]]:
    return [(float(i), 0.0, i + 1.0, 1.0) for i in range(n)]


def test_spans_push_cells_right_like_html() -> None:
    grid = build_grid(SPANNED, boxes(7))
    assert (grid.rows, grid.cols, grid.header_rows) == (3, 3, 2)
    places = [(c.row, c.col, c.rowspan, c.colspan) for c in grid.cells]
    assert places == [(0, 0, 2, 1), (0, 1, 1, 2), (1, 1, 1, 1), (1, 2, 1, 1),
                      (2, 0, 1, 1), (2, 1, 1, 1), (2, 2, 1, 1)]
    assert [c.bbox[0] for c in grid.cells] == [0, 1, 2, 3, 4, 5, 6]


def test_a_rowspan_past_the_last_row_is_cut() -> None:
    grid = build_grid(["<tr>", "<td", ' rowspan="5"', ">", "</td>", "<td></td>", "</tr>"],
                      boxes(2))
    assert (grid.rows, grid.cols) == (1, 2)
    assert grid.cells[0].rowspan == 1


def test_no_cells_is_an_empty_grid() -> None:
    grid = build_grid([], [])
    assert (grid.rows, grid.cols, grid.cells) == (0, 0, ())
    assert assign_words(grid, [W("x", (0, 0, 1, 1))]).html == "<table></table>"


def test_words_go_to_the_cell_they_overlap_and_html_keeps_spans() -> None:
    grid = build_grid(SPANNED, [(0, 0, 10, 20), (10, 0, 30, 10), (10, 10, 20, 20),
                                (20, 10, 30, 20), (0, 20, 10, 30), (10, 20, 20, 30),
                                (20, 20, 30, 30)])
    words = [W("Total", (1, 2, 9, 8)), W("cost", (1, 11, 9, 18)), W("Q1", (12, 12, 18, 18)),
             W("a&b", (21, 21, 29, 29)), W("Group", (11, 1, 20, 9)), W("2024", (21, 1, 29, 9)),
             W("far", (40, 22, 45, 28))]  # outside every box: nearest cell (2, 2)
    filled = assign_words(grid, words)
    assert [f.text for f in filled.cells] == ["Total cost", "Group 2024", "Q1", "", "", "",
                                              "a&b far"]
    assert filled.html == (
        '<table><thead><tr><td rowspan="2">Total cost</td><td colspan="2">Group 2024</td></tr>'
        "<tr><td>Q1</td><td></td></tr></thead><tbody><tr><td></td><td></td>"
        "<td>a&amp;b far</td></tr></tbody></table>")


def test_structure_is_a_plain_value() -> None:
    grid = build_grid(SPANNED, boxes(7))
    assert isinstance(grid, TableStructure)
    assert grid == build_grid(list(SPANNED), boxes(7))
