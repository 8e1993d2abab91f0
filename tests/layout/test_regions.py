"""Reading order over typed regions (app.layout.regions) on hand-made lines and regions."""

from __future__ import annotations

from app.domain import BBox, Line, Region, RegionKind, Table, TableCell
from app.layout import analyze, analyze_regions


def line(text: str, box: BBox) -> Line:
    x0, y0, x1, y1 = box
    return Line(text, 0.99, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)))


# A page: running header, title, body, a figure with a label inside, its caption, a
# two-by-two table, footnote-like footer. Listed out of order on purpose.
LINES = [
    line("Page 7 of 9", (500, 1700, 700, 1730)),
    line("Cell B2", (400, 1000, 520, 1030)),
    line("Axis label", (300, 650, 460, 680)),
    line("Quarterly report", (100, 80, 600, 130)),
    line("Body text goes on here", (100, 200, 900, 230)),
    line("Figure 1: growth", (100, 860, 500, 890)),
    line("ACME Corp internal", (100, 20, 500, 45)),
    line("Cell A1", (100, 950, 220, 980)),
    line("Cell B1", (400, 950, 520, 980)),
    line("Cell A2", (100, 1000, 220, 1030)),
    line("More body text after", (100, 240, 900, 270)),
]
REGIONS = [
    Region(RegionKind.HEADER, (90, 10, 510, 50), 0.9),
    Region(RegionKind.TITLE, (90, 70, 610, 140), 0.8),
    Region(RegionKind.TEXT, (90, 190, 910, 280), 0.9),
    Region(RegionKind.FIGURE, (90, 300, 910, 840), 0.9),
    Region(RegionKind.CAPTION, (90, 850, 510, 900), 0.7),
    Region(RegionKind.TABLE, (90, 940, 530, 1040), 0.9),
    Region(RegionKind.FOOTER, (490, 1690, 710, 1740), 0.9),
]
TABLE = Table((90, 940, 530, 1040), 2, 2, (
    TableCell(0, 0, 1, 1, (100, 950, 220, 980), "Cell A1"),
    TableCell(0, 1, 1, 1, (400, 950, 520, 980), "Cell B1"),
    TableCell(1, 0, 1, 1, (100, 1000, 220, 1030), "Cell A2"),
    TableCell(1, 1, 1, 1, (400, 1000, 520, 1030), "Cell B2")), "<table></table>")


def test_blocks_follow_regions_with_kinds_in_reading_order() -> None:
    layout = analyze_regions(LINES, 1000, 1800, REGIONS, [TABLE])
    kinds = [b.kind.value if b.kind else None for b in layout.blocks]
    assert kinds == ["header", "title", "text", "figure", "caption", "table", "footer"]
    texts = [ln.text for ln in layout.lines]
    assert texts[:3] == ["ACME Corp internal", "Quarterly report", "Body text goes on here"]
    assert texts[-1] == "Page 7 of 9"
    assert texts.index("Cell A1") < texts.index("Cell B1") < texts.index("Cell A2")
    assert sorted(texts) == sorted(ln.text for ln in LINES)  # no line lost or doubled


def test_caption_points_at_its_figure_and_table_block_at_its_table() -> None:
    layout = analyze_regions(LINES, 1000, 1800, REGIONS, [TABLE])
    by_kind = {b.kind: b for b in layout.blocks}
    assert by_kind[RegionKind.CAPTION].caption_of == by_kind[RegionKind.FIGURE].index
    assert by_kind[RegionKind.TABLE].table == 0
    assert by_kind[RegionKind.FIGURE].table is None
    figure = by_kind[RegionKind.FIGURE]
    assert [layout.lines[i].text for p in figure.paragraphs for i in p.lines] == ["Axis label"]


def test_paragraph_indices_point_at_their_own_lines() -> None:
    layout = analyze_regions(LINES, 1000, 1800, REGIONS, [TABLE])
    seen = [i for b in layout.blocks for p in b.paragraphs for i in p.lines]
    assert seen == list(range(len(LINES)))


def test_lines_outside_every_region_keep_the_plain_blocks() -> None:
    regions = [r for r in REGIONS if r.kind is not RegionKind.TEXT]
    layout = analyze_regions(LINES, 1000, 1800, regions, [TABLE])
    plain = analyze([LINES[4], LINES[10]], 1000, 1800)
    text_blocks = [b for b in layout.blocks if b.kind is RegionKind.TEXT]
    assert len(text_blocks) == len(plain.blocks) == 1
    assert [layout.lines[i].text for i in text_blocks[0].paragraphs[0].lines] == \
        [ln.text for ln in plain.lines]


def test_a_far_caption_links_to_nothing() -> None:
    regions = [Region(RegionKind.FIGURE, (90, 300, 910, 400), 0.9),
               Region(RegionKind.CAPTION, (90, 1500, 510, 1530), 0.9)]
    lines = [line("inside", (100, 320, 300, 350)), line("Figure 2", (100, 1500, 400, 1530))]
    layout = analyze_regions(lines, 1000, 1800, regions, [])
    assert [b.caption_of for b in layout.blocks] == [None, None]


def test_headings_are_judged_against_the_whole_page() -> None:
    plain = analyze(LINES, 1000, 1800)
    assert any(p.heading for b in plain.blocks for p in b.paragraphs)
    regions = [Region(RegionKind.TEXT, (90, 70, 610, 140), 0.6)]  # the title called text
    layout = analyze_regions(LINES, 1000, 1800, regions, [])
    (title,) = [b for b in layout.blocks if layout.lines[b.paragraphs[0].lines[0]].text
                == "Quarterly report"]
    assert title.kind is RegionKind.TEXT and title.paragraphs[0].heading
