"""The layout stage alone, on hand-made pages: reading order, blocks, paragraphs."""

from __future__ import annotations

import pytest

from app.domain import Document, Line, MediaKind, Page, PageLayout, Source
from app.formats.text import document_text, join_lines
from app.layout import analyze

H = 20  # line box height in pixels
PITCH = 24  # baseline to baseline


def ln(text: str, x0: float, y0: float, x1: float, y1: float | None = None) -> Line:
    y1 = y0 + H if y1 is None else y1
    return Line(text, 0.95, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)))


def column(name: str, x0: float, x1: float, top: float, count: int) -> list[Line]:
    return [ln(f"{name}{k}", x0, top + k * PITCH, x1) for k in range(count)]


def order(layout: PageLayout) -> list[str]:
    return [line.text for line in layout.lines]


def shuffled(lines: list[Line]) -> list[Line]:
    # Detector order is not reading order: feed lines bottom-up, right to left.
    return sorted(lines, key=lambda line: (-line.bbox[1], -line.bbox[0]))


def test_two_columns_are_read_one_after_the_other() -> None:
    lines = column("L", 50, 390, 100, 10) + column("R", 410, 750, 100, 10)
    layout = analyze(shuffled(lines), 800, 1000)
    assert order(layout) == [f"L{k}" for k in range(10)] + [f"R{k}" for k in range(10)]
    assert len(layout.blocks) == 2


def test_double_spaced_columns_are_not_cut_into_rows() -> None:
    # Every gap between lines is about a line high: columns, not rows, still decide.
    lines = [ln(f"L{k}", 50, 100 + 2 * PITCH * k, 390) for k in range(8)]
    lines += [ln(f"R{k}", 410, 100 + 2 * PITCH * k, 750) for k in range(8)]
    layout = analyze(shuffled(lines), 800, 1000)
    assert order(layout) == [f"L{k}" for k in range(8)] + [f"R{k}" for k in range(8)]
    assert len(layout.blocks) == 2


def test_figure_inside_a_column_does_not_end_it() -> None:
    # Column L is interrupted by a figure (no text) below the end of column R: the
    # blank band runs across the page, yet L continues below it.
    upper = column("L", 50, 390, 100, 8) + column("R", 410, 750, 100, 10)
    caption = ln("Figure 1. A caption", 50, 100 + 15 * PITCH, 390)
    lower = [ln(f"L{k}", 50, 100 + 8 * PITCH + k * PITCH, 390) for k in range(9, 13)]
    layout = analyze(shuffled([*upper, caption, *lower]), 800, 1000)
    texts = order(layout)
    assert texts.index("L12") < texts.index("R0")
    assert texts.index("L7") < texts.index("Figure 1. A caption") < texts.index("L9")


def test_stacked_two_column_sections_are_read_section_by_section() -> None:
    first = column("A", 50, 390, 100, 5) + column("B", 410, 750, 100, 5)
    second = column("C", 50, 390, 100 + 8 * PITCH, 5) + column("D", 410, 750, 100 + 8 * PITCH, 5)
    layout = analyze(shuffled(first + second), 800, 1000)
    assert order(layout) == [f"{c}{k}" for c in "ABCD" for k in range(5)]


def test_three_columns_with_title_above_and_footer_below() -> None:
    title = ln("Title", 60, 40, 740, 80)  # close above the columns: no wide gap
    columns = column("A", 50, 290, 88, 12) + column("B", 300, 540, 88, 12)
    columns += column("C", 550, 790, 88, 12)
    footer = ln("Footer", 300, 500, 540)
    layout = analyze(shuffled([title, *columns, footer]), 800, 600)
    expected = ["Title"] + [f"{c}{k}" for c in "ABC" for k in range(12)] + ["Footer"]
    assert order(layout) == expected


def test_pull_quote_between_columns_does_not_break_their_flow() -> None:
    left = column("L", 50, 390, 100, 12)
    right = column("R", 410, 750, 100, 12)
    # A pull quote set across the gutter, with column text beside it.
    quote = ln("Quote", 300, 100 + 5 * PITCH, 500)
    left = [line for line in left if line.text not in {"L5"}]
    right = [line for line in right if line.text not in {"R5"}]
    narrowed = [ln("L5", 50, 100 + 5 * PITCH, 290), ln("R5", 510, 100 + 5 * PITCH, 750)]
    layout = analyze(shuffled([*left, *right, quote, *narrowed]), 800, 1000)
    texts = order(layout)
    assert texts.index("L11") < texts.index("R0"), "left column first, whole"
    assert [t for t in texts if t.startswith("L")] == [f"L{k}" for k in range(12)]
    assert [t for t in texts if t.startswith("R")] == [f"R{k}" for k in range(12)]
    assert "Quote" in texts


def test_receipt_rows_stay_together() -> None:
    rows = [("Coffee", "3.50"), ("Cake", "4.00"), ("TOTAL", "12.50"), ("CASH", "20.00")]
    lines = []
    for k, (label, amount) in enumerate(rows):
        y = 100 + k * PITCH
        lines += [ln(label, 40, y, 40 + 14 * len(label)), ln(amount, 300, y - 3, 360)]
    layout = analyze(shuffled(lines), 400, 300)
    assert order(layout) == [t for row in rows for t in row]


def test_vertical_text_reads_columns_top_down_right_to_left() -> None:
    # Three vertical lines of text: the rightmost is read first.
    lines = [Line(text, 0.9, ((x, 50), (x + 30, 50), (x + 30, 400), (x, 400)))
             for text, x in (("一二三四五", 300), ("六七八九十", 250), ("甲乙丙丁戊", 200))]
    layout = analyze(lines[::-1], 400, 500)
    assert order(layout) == ["一二三四五", "六七八九十", "甲乙丙丁戊"]


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_turned_page_is_ordered_upright_and_keeps_its_coordinates(rotation: int) -> None:
    upright = column("L", 50, 390, 100, 6) + column("R", 410, 750, 100, 6)
    width, height = 800, 400

    def turn(x: float, y: float) -> tuple[float, float]:
        # Where a point of the upright page lies on the page as sent.
        if rotation == 90:
            return (y, height - x)
        if rotation == 180:
            return (width - x, height - y)
        return (width - y, x)

    sent = [Line(line.text, line.score, tuple(turn(*p) for p in line.polygon)) for line in upright]
    sent_w, sent_h = (height, width) if rotation in (90, 270) else (width, height)
    layout = analyze(shuffled(sent), sent_w, sent_h, rotation)
    assert order(layout) == [f"L{k}" for k in range(6)] + [f"R{k}" for k in range(6)]
    assert set(layout.lines) == set(sent)  # polygons untouched


def test_paragraphs_from_indentation_gaps_and_headings() -> None:
    lines = [ln("A Heading", 50, 40, 500, 80)]
    top = 100
    body = [
        (50, "first paragraph starts here and runs"),
        (50, "across the full width of the column"),
        (50, "ends."),
        (80, "Second paragraph is indented and"),
        (50, "continues here flush with the margin"),
        (50, "to the right edge of the column ok"),
    ]
    for k, (x0, text) in enumerate(body):
        x1 = 200 if text == "ends." else 500
        lines.append(ln(text, x0, top + k * PITCH, x1))
    third = top + len(body) * PITCH + 30  # a blank line above
    lines += [ln("Third after a gap, running on", 50, third, 500),
              ln("to its own second line here", 50, third + PITCH, 500)]
    layout = analyze(shuffled(lines), 600, 400)
    paragraphs = [p for block in layout.blocks for p in block.paragraphs]
    texts = [[layout.lines[i].text for i in p.lines] for p in paragraphs]
    assert texts[0] == ["A Heading"] and paragraphs[0].heading
    assert [t[0] for t in texts[1:]] == [body[0][1], body[3][1], "Third after a gap, running on"]
    assert not any(p.heading for p in paragraphs[1:])


def test_every_line_is_in_exactly_one_paragraph() -> None:
    lines = column("L", 50, 390, 100, 9) + column("R", 410, 750, 100, 7) + [ln("x", 10, 5, 30)]
    layout = analyze(shuffled(lines), 800, 1000)
    seen = [i for b in layout.blocks for p in b.paragraphs for i in p.lines]
    assert seen == list(range(len(lines)))
    assert [b.index for b in layout.blocks] == list(range(len(layout.blocks)))


def test_empty_page() -> None:
    assert analyze([], 100, 100) == PageLayout((), ())


def test_text_output_paragraphs_and_hyphenation() -> None:
    lines = [ln("The quick brown fox jum-", 50, 100, 500), ln("ped over the lazy dog,", 50, 124, 500),
             ln("twice.", 50, 148, 150), ln("Next one starts here", 80, 172, 500),
             ln("and ends here.", 50, 196, 500)]
    layout = analyze(lines, 600, 400)
    page = Page(0, 600, 400, Source.OCR, layout)
    document = Document(MediaKind.PNG, 2, [page, page])
    as_lines = document_text(document, "lines")
    assert as_lines.split("\f")[0] == (
        "The quick brown fox jum-\nped over the lazy dog,\ntwice.\n\n"
        "Next one starts here\nand ends here."
    )
    as_paragraphs = document_text(document, "paragraphs")
    assert as_paragraphs == (
        "The quick brown fox jumped over the lazy dog, twice.\nNext one starts here and ends here."
        "\f"
        "The quick brown fox jumped over the lazy dog, twice.\nNext one starts here and ends here."
        "\n"
    )


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["co-", "operate"], "cooperate"),
        (["well-", "Known"], "well- Known"),  # a capital after the hyphen: a real hyphen
        (["1990-", "1995"], "1990- 1995"),
        (["中文", "句子"], "中文句子"),
        (["a", "", "b"], "a b"),
    ],
)
def test_join_lines(lines: list[str], joined: str) -> None:
    assert join_lines(lines) == joined
