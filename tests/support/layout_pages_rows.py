"""Row-based and CJK pages of the layout set: an invoice table, a form, receipts, CJK.

Tables, forms and receipts are read row by row, each row left to right: a
label and its amount far apart on one row (``TOTAL ... 12.50``) are consecutive
in the truth, and a form with two fields per row is read across, not down.
Each row is one paragraph. Vertical CJK: columns top to bottom, read right to
left, each column one item.
"""

from __future__ import annotations

from tests.support.layout_compose import A4, Sheet
from tests.support.layout_pages import BODY, MARGIN, columns, footer, title
from tests.support.layout_text import CJK_PASSAGES, Prose

ITEMS = (
    ("Garden spade, ash handle", 2, 4.75), ("Seed drill, cast iron", 1, 18.40),
    ("Lamp oil, one gallon", 3, 1.15), ("Writing paper, quire", 5, 0.60),
    ("Oak barrel, hooped", 1, 6.25), ("Rope, hemp, 20 fathoms", 2, 3.10),
    ("Nails, wrought, per pound", 8, 0.22), ("Candles, beeswax, dozen", 2, 2.35),
)


def _row(sheet: Sheet, y: float, cells: list[tuple[float, float, str, str]], font: str = "sans",
         size: float = 10) -> None:
    """One row of cells (x, width, text, align), left to right: one paragraph."""
    sheet.new_paragraph()
    for x, width, text, align in cells:
        sheet.cell(x, y, width, text, font, size, align)


def invoice(variant: int) -> Sheet:
    """A table with a header row, item rows and label ... amount totals."""
    sheet = Sheet()
    y = title(sheet, "INVOICE No. 18" + str(51 + variant), 60, 18)
    _row(sheet, y, [(MARGIN, 250, "Bill to: Hawthorne & Sons, Salem", "L"),
                    (MARGIN + 250, BODY - 250, "Date: 12 March 1851", "R")])
    grid = [(MARGIN, 260, "L"), (MARGIN + 270, 50, "R"), (MARGIN + 330, 70, "R"),
            (MARGIN + 410, BODY - 410, "R")]
    y += 40
    header_cells = ["Description", "Qty", "Price", "Amount"]
    _row(sheet, y, [(x, w, t, a) for (x, w, a), t in zip(grid, header_cells, strict=True)],
         "bold")
    total = 0.0
    for k, (name, qty, price) in enumerate(ITEMS[variant:] + ITEMS[:variant]):
        amount = qty * price
        total += amount
        cells = [name, str(qty), f"{price:.2f}", f"{amount:.2f}"]
        _row(sheet, y + 22 * (k + 1),
             [(x, w, t, a) for (x, w, a), t in zip(grid, cells, strict=True)])
    y += 22 * (len(ITEMS) + 2)
    tax = round(total * 0.05, 2)
    for k, (label, value) in enumerate((("Subtotal", total), ("Tax 5%", tax),
                                        ("TOTAL DUE", total + tax))):
        _row(sheet, y + 20 * k, [(MARGIN + 280, 120, label, "L"),
                                  (MARGIN + 410, BODY - 410, f"{value:.2f}", "R")],
             "bold" if label.startswith("TOTAL") else "sans")
    footer(sheet, "Payment within thirty days. Thank you for your custom.")
    return sheet


def form(variant: int) -> Sheet:
    """An application form: two label/value fields per row, read across."""
    sheet = Sheet()
    y = title(sheet, "Application for a Reader's Ticket", 60, 16)
    fields = [("Surname", "Thoreau"), ("Given names", "Henry David"),
              ("Born", "12 July 1817"), ("Place", "Concord, Mass."),
              ("Occupation", "Surveyor"), ("Employer", "Self"),
              ("Address", "Walden Pond"), ("Reference", "R. W. Emerson"),
              ("Purpose", "Natural history"), ("Period", "One year"),
              ("Signature", "H. D. Thoreau"), ("Date", "4 July 1845")]
    half = BODY / 2
    for k in range(0, len(fields), 2):
        row_y = y + 30 * (k // 2)
        cells = []
        for j, (label, value) in enumerate(fields[k:k + 2]):
            x = MARGIN + j * half
            cells += [(x, 90, label + ":", "L"), (x + 95, half - 110, value, "L")]
        _row(sheet, row_y, cells, "sans", 11)
    footer(sheet, "Office use only: approved / refused")
    return sheet


def receipt(variant: int) -> Sheet:
    """A till receipt on a narrow roll: shop, date and time, items, TOTAL ... amount."""
    width = 226.0
    sheet = Sheet(size=(width, 560.0))
    margin, inner = 14.0, width - 28.0
    lines = ["GENERAL STORE & POST OFFICE", "14 Main Street, Hannibal"]
    for k, text in enumerate(lines):
        _row(sheet, 20 + 14 * k, [(margin, inner, text, "C")], "bold" if k == 0 else "sans", 9)
    _row(sheet, 60, [(margin, inner, f"0{variant + 3}/05/1876", "L"),
                     (margin, inner, f"1{variant}:42", "R")], "sans", 8)
    total = 0.0
    for k, (name, qty, price) in enumerate(ITEMS[variant * 2:variant * 2 + 6]):
        amount = qty * price
        total += amount
        _row(sheet, 84 + 16 * k, [(margin, inner - 50, f"{qty} x {name[:18]}", "L"),
                                  (margin, inner, f"{amount:.2f}", "R")], "sans", 8)
    y = 84 + 16 * 6 + 10
    for k, (label, value) in enumerate((("SUBTOTAL", total), ("CASH", 50.0),
                                        ("CHANGE", 50.0 - total))):
        _row(sheet, y + 16 * k, [(margin, inner, label, "L"),
                                 (margin, inner, f"{value:.2f}", "R")], "sans", 8)
    _row(sheet, y + 56, [(margin, inner, "TOTAL", "L"), (margin, inner, f"{total:.2f}", "R")],
         "bold", 11)
    _row(sheet, y + 90, [(margin, inner, "THANK YOU, CALL AGAIN", "C")], "sans", 8)
    return sheet


def vertical_cjk(variant: int) -> Sheet:
    """Vertical Chinese: columns top to bottom, right to left; variant 1 adds a heading."""
    sheet = Sheet()
    size, per_column = 18.0, 16
    text = "".join(CJK_PASSAGES[variant * 3:variant * 3 + 4])
    top = 80.0
    if variant == 1:
        sheet.cell(MARGIN, 50, BODY, "论语与道德经选读", "cjk", 22, "C")
        top = 110.0
    x = A4[0] - MARGIN - size
    sheet.new_paragraph()
    for start in range(0, len(text), per_column):
        sheet.column(x, top, text[start:start + per_column], size)
        x -= 1.8 * size
    footer(sheet, "一" if variant == 0 else "二", font="cjk")
    return sheet


def cjk_two_columns(variant: int) -> Sheet:
    """Horizontal Chinese in two columns under a spanning heading."""
    sheet = Sheet()
    sheet.cell(MARGIN, 60, BODY, "古文选读", "cjk", 22, "C")
    prose = Prose(variant * 2, CJK_PASSAGES)
    sheet.flow(columns(2, 110, 330, 24), [prose.take() for _ in range(8)], "cjk", 13,
               leading=1.5, indent=2.0)
    footer(sheet, "第" + "一二三"[variant] + "页", font="cjk")
    return sheet

