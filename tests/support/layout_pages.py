"""Prose pages of the layout set: 1, 2 and 3 columns, spanning titles, quotes, captions.

Reading-order conventions (the truth follows them; a layout that reads otherwise
loses Kendall tau): header left then right, title, byline, then the columns left
to right, each top to bottom; a pull quote or a caption inside a column is read
where it stands in that column; a figure caption spanning the columns is read
after everything above it and before everything below it (the columns above a
spanning element are finished first, as in recursive XY-cut); footers last.
"""

from __future__ import annotations

from tests.support.layout_compose import A4, Frame, Insert, Sheet
from tests.support.layout_text import CAPTIONS, PULL_QUOTES, TITLES, Prose

MARGIN = 54.0
BODY = A4[0] - 2 * MARGIN


def header(sheet: Sheet, left: str, right: str) -> None:
    """A running head across the top: left part, then right part."""
    sheet.new_paragraph()
    sheet.cell(MARGIN, 30, BODY / 2, left, "sans", 8)
    sheet.cell(MARGIN + BODY / 2, 30, BODY / 2, right, "sans", 8, "R")


def footer(sheet: Sheet, text: str, right: str | None = None, font: str = "sans") -> None:
    """A footer: centred text, or left text and right text."""
    sheet.new_paragraph()
    y = A4[1] - 40
    if right is None:
        sheet.cell(MARGIN, y, BODY, text, font, 8, "C")
    else:
        sheet.cell(MARGIN, y, BODY / 2, text, "sans", 8)
        sheet.cell(MARGIN + BODY / 2, y, BODY / 2, right, "sans", 8, "R")


def title(sheet: Sheet, text: str, top: float, size: float = 20, byline: str | None = None
          ) -> float:
    """A title across the page (centred), with an optional byline; returns the y below."""
    sheet.new_paragraph()
    sheet.cell(MARGIN, top, BODY, text, "bold", size, "C")
    y = top + 1.6 * size
    if byline:
        sheet.new_paragraph()
        sheet.cell(MARGIN, y, BODY, byline, "serif", 9, "C")
        y += 22
    return y + 8


def columns(n: int, top: float, bottom: float, gap: float = 18.0) -> list[Frame]:
    """``n`` equal columns between ``top`` and ``bottom``."""
    width = (BODY - (n - 1) * gap) / n
    return [Frame(MARGIN + k * (width + gap), top, width, bottom) for k in range(n)]


def pull_quote(text: str, frame: Frame, top: float) -> Insert:
    """A quote in a column, larger and between two rules, read where it stands."""

    def draw(sheet: Sheet) -> None:
        sheet.new_paragraph()
        sheet.pdf.line(frame.x, top, frame.x + frame.width, top)
        lines = sheet.wrap(text, "bold", 12, frame.width - 8)
        for k, line in enumerate(lines):
            sheet.cell(frame.x, top + 10 + 16 * k, frame.width, line, "bold", 12, "C")
        rule = top + 14 + 16 * len(lines)
        sheet.pdf.line(frame.x, rule, frame.x + frame.width, rule)

    return draw


def figure(x: float, top: float, width: float, height: float, caption: str) -> Insert:
    """A picture with its caption (wrapped to the picture's width) below it."""

    def draw(sheet: Sheet) -> None:
        sheet.rect(x, top, width, height)
        sheet.new_paragraph()
        for k, line in enumerate(sheet.wrap(caption, "sans", 8, width)):
            sheet.line(x, top + height + 6 + 11 * k, line, "sans", 8)

    return draw


def split(frame: Frame, at: float, resume: float) -> tuple[Frame, Frame]:
    """A column cut at ``at``, going on at ``resume`` (room for something in between)."""
    return Frame(frame.x, frame.top, frame.width, at), Frame(frame.x, resume, frame.width,
                                                             frame.bottom)


def one_column(variant: int) -> Sheet:
    """Title, a few paragraphs across the page, a footer; variant 1 adds a header."""
    sheet, prose = Sheet(), Prose(variant * 3)
    if variant == 1:
        header(sheet, "The Naturalist's Quarterly", "Spring Number")
    y = title(sheet, TITLES[variant % len(TITLES)], 70, 18)
    body: list[Frame | Insert] = [Frame(MARGIN, y, BODY, A4[1] - 120)]
    if variant == 2:
        body = [Frame(MARGIN, y, BODY, y + 150), figure(MARGIN + 60, y + 160, BODY - 120, 170,
                                                          CAPTIONS[0]),
                Frame(MARGIN, y + 370, BODY, A4[1] - 120)]
    sheet.flow(body, [prose.take() for _ in range(4)], "serif", 11)
    footer(sheet, f"— {10 + variant} —")
    return sheet


def two_columns(variant: int) -> Sheet:
    """Spanning title over two columns; a caption in column 1 or a pull quote in column 2."""
    sheet, prose = Sheet(), Prose(2 + variant * 4)
    if variant in (1, 3):
        header(sheet, "Essays in Natural History", "Volume IV")
    y = title(sheet, TITLES[(variant + 1) % len(TITLES)], 70, 20, "by a Correspondent")
    left, right = columns(2, y, y + 520)
    frames: list[Frame | Insert] = [left, right]
    if variant == 1:
        upper, lower = split(left, y + 300, y + 430)
        frames = [upper, figure(left.x, y + 305, left.width, 90, CAPTIONS[1]), lower, right]
    elif variant == 2:
        upper, lower = split(right, y + 200, y + 280)
        frames = [left, upper, pull_quote(PULL_QUOTES[0], right, y + 205), lower]
    sheet.flow(frames, [prose.take() for _ in range(7)], "serif", 10)
    if variant == 2:
        footer(sheet, "Vol. 3", "Page 17")
    else:
        footer(sheet, str(40 + variant))
    return sheet


def three_columns(variant: int) -> Sheet:
    """A magazine page: title and byline across three columns; quote, figure, caption."""
    sheet, prose = Sheet(), Prose(5 + variant * 3)
    if variant == 2:
        header(sheet, "THE MONTHLY MISCELLANY", "June")
    y = title(sheet, TITLES[(variant + 3) % len(TITLES)], 70, 22, "BY A TRAVELLER ON THE RIVER")
    cols = columns(3, y, y + 420, 14)
    frames: list[Frame | Insert] = list(cols)
    if variant == 1:
        upper, lower = split(cols[1], y + 160, y + 235)
        frames = [cols[0], upper, pull_quote(PULL_QUOTES[1], cols[1], y + 165), lower, cols[2]]
    elif variant == 2:
        top = Frame(cols[2].x, y + 150, cols[2].width, cols[2].bottom)
        frames = [cols[0], cols[1], figure(cols[2].x, y, cols[2].width, 100, CAPTIONS[2]), top]
    sheet.flow(frames, [prose.take() for _ in range(9)], "serif", 9)
    if variant == 1:
        figure(MARGIN, y + 440, BODY, 120, CAPTIONS[variant % len(CAPTIONS)])(sheet)
    footer(sheet, str(93 + variant))
    return sheet


def sections(variant: int) -> Sheet:
    """Two columns, a figure and caption across the page, two more columns below it."""
    sheet, prose = Sheet(), Prose(7 + variant * 5)
    y = title(sheet, TITLES[(variant + 4) % len(TITLES)], 60, 18)
    upper = columns(2, y, y + 230)
    lower = columns(2, y + 400, y + 640)
    sheet.flow(upper, [prose.take() for _ in range(3)], "serif", 10)
    figure(MARGIN + 40, y + 245, BODY - 80, 110, CAPTIONS[(variant + 1) % len(CAPTIONS)])(sheet)
    sheet.flow(lower, [prose.take() for _ in range(3)], "serif", 10)
    footer(sheet, "Printed for the Society", f"Page {5 + variant}")
    return sheet
