"""Synthetic tables and pages drawn with Pillow, with their truth (HTML, boxes, words).

Table kinds (issue 21): ``bordered`` (every rule drawn, header row),
``borderless`` (only a rule under the header, booktabs style), ``spans-bordered``
and ``spans-borderless`` (a two-level header with ``colspan`` and a first column
with ``rowspan``), ``long`` (borderless, 6 columns, 20 to 30 body rows),
``plain`` (no rule at all, two-word row labels, some empty cells), ``wide``
(ruled, 8 to 10 columns in a small font), ``shaded`` (office style: white text on a
dark blue header, light blue bands on every other row, no rules) and ``cjk`` (ruled,
Chinese labels in Droid Sans Fallback, Debian's fonts-droid-fallback). ``scan`` degrades
any image as a cheap office scanner would (a slight turn, blur, noise, JPEG). Every
table is drawn from a seed, so tests and the bench see the same images; no fonts
beyond Debian's DejaVu are needed.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
CJK_FONT = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
KINDS = ("bordered", "borderless", "spans-bordered", "spans-borderless", "long", "plain", "wide",
         "shaded", "cjk")
CJK_WORDS = ("地区", "销售额", "成本", "利润", "合计", "北方", "南方", "产品", "数量", "增长率",
             "库存", "收入")
WORDS = ("north", "south", "east", "west", "total", "sales", "costs", "margin", "units",
         "region", "product", "alpha", "beta", "gamma", "delta", "revenue", "stock")
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class TruthWord:
    text: str
    bbox: Box


@dataclass(frozen=True)
class DrawnTable:
    kind: str
    image: np.ndarray  # RGB uint8: the table with a white margin, or a whole page
    html: str  # truth, <table> with <thead>/<tbody>
    rows: int
    cols: int
    bbox: Box  # the table's outer box in the image
    words: tuple[TruthWord, ...]  # every word and its box (stands in for OCR)


def spec(kind: str, seed: int) -> tuple[list[list[tuple[str, int, int]]], int, int]:
    """Rows of (text, rowspan, colspan) in HTML order, header row count, column count."""
    rng = random.Random(f"{kind}-{seed}")
    cols = rng.randint(3, 5)
    body = rng.randint(4, 7)
    if kind == "long":
        cols, body = 6, rng.randint(20, 30)
    if kind == "wide":
        cols = rng.randint(8, 10)
    def word() -> str:
        return rng.choice(CJK_WORDS) if kind == "cjk" else rng.choice(WORDS).capitalize()
    def number() -> str:
        return f"{rng.randint(1, 99_999):,}" if rng.random() < 0.7 else f"{rng.uniform(0, 99):.1f}%"
    if kind == "plain":
        rows = [[("", 1, 1)] + [(word(), 1, 1) for _ in range(cols - 1)]]
        rows += [[(f"{word()} {word().lower()}", 1, 1)]
                 + [(number() if rng.random() > 0.15 else "", 1, 1) for _ in range(cols - 1)]
                 for _ in range(body)]
        return rows, 1, cols
    if not kind.startswith("spans"):
        rows = [[(word(), 1, 1) for _ in range(cols)]]
        rows += [[(word(), 1, 1)] + [(number(), 1, 1) for _ in range(cols - 1)]
                 for _ in range(body)]
        return rows, 1, cols
    # Two header rows: "Item" spans both, the other columns are grouped in pairs.
    cols = max(cols, 4) | 1  # 1 + pairs
    groups = (cols - 1) // 2
    top = [("Item", 2, 1)] + [(f"{word()} {2020 + g}", 1, 2) for g in range(groups)]
    sub = [(label, 1, 1) for _ in range(groups) for label in ("Qty", "Value")]
    rows = [top, sub]
    r = 0
    while r < body:
        span = min(rng.choice((1, 2, 3)), body - r)
        for k in range(span):
            first = [(word(), span, 1)] if k == 0 else []
            rows.append(first + [(number(), 1, 1) for _ in range(cols - 1)])
        r += span
    return rows, 2, cols


def draw_table(kind: str, seed: int, scale: float = 1.0) -> DrawnTable:
    """A table of ``kind`` alone on a white margin."""
    rows, head, cols = spec(kind, seed)
    scale *= 0.8 if kind == "wide" else 1.0
    return _render(kind, rows, head, cols, scale, canvas=None, origin=(30, 30))


def scan(drawn: DrawnTable, seed: int) -> DrawnTable:
    """The same table as a poor scan: turned 0.3 to 0.8 degrees, blurred, noisy, JPEG q55.

    Word boxes are kept: the turn moves them by a few pixels at most.
    """
    import io

    from PIL import ImageFilter

    rng = random.Random(f"scan-{seed}")
    image = Image.fromarray(drawn.image)
    angle = rng.choice((-1, 1)) * rng.uniform(0.3, 0.8)
    image = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor="white")
    image = image.filter(ImageFilter.GaussianBlur(0.8))
    noisy = np.asarray(image).astype(np.int16)
    noise = np.random.default_rng(seed).normal(0, 10, noisy.shape)
    image = Image.fromarray(np.clip(noisy + noise, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=55)
    pixels = np.asarray(Image.open(buffer).convert("RGB")).copy()
    return DrawnTable(drawn.kind, pixels, drawn.html, drawn.rows, drawn.cols, drawn.bbox,
                      drawn.words)


def draw_page(kind: str, seed: int) -> DrawnTable:
    """An A4 page at 150 dpi: title, paragraphs, the table, a caption under it."""
    page = Image.new("RGB", (1240, 1754), "white")
    pen = ImageDraw.Draw(page)
    rng = random.Random(f"page-{kind}-{seed}")
    pen.text((110, 100), "Annual report of the " + rng.choice(WORDS) + " division",
             font=ImageFont.truetype(BOLD, 40), fill="black")
    body = ImageFont.truetype(FONT, 22)
    y = 190
    for _ in range(10):
        line = " ".join(rng.choice(WORDS) for _ in range(12))
        pen.text((110, y), line, font=body, fill="black")
        y += 34
    rows, head, cols = spec(kind, seed)
    room = page.height - (y + 40) - 260  # keep the caption and closing lines on the page
    scale = min(0.9 if kind == "wide" else 1.3, room / (40 * len(rows)))
    table = _render(kind, rows, head, cols, scale, canvas=page, origin=(110, y + 40))
    bottom = int(table.bbox[3])
    pen.text((110, bottom + 20), f"Table {seed + 1}: figures by {rng.choice(WORDS)}",
             font=body, fill="black")
    for k in range(4):
        line = " ".join(rng.choice(WORDS) for _ in range(12))
        pen.text((110, bottom + 90 + 34 * k), line, font=body, fill="black")
    return DrawnTable(kind, np.asarray(page).copy(), table.html, table.rows, table.cols,
                      table.bbox, table.words)


def draw_two_column_page(kind: str, seed: int) -> DrawnTable:
    """A two-column A4 page at 150 dpi; the table sits in the right column between paragraphs."""
    page = Image.new("RGB", (1240, 1754), "white")
    pen = ImageDraw.Draw(page)
    rng = random.Random(f"two-{kind}-{seed}")
    body = ImageFont.truetype(FONT, 20)
    pen.text((90, 90), "Field notes on the " + rng.choice(WORDS) + " survey",
             font=ImageFont.truetype(BOLD, 38), fill="black")
    for k in range(40):  # left column, full height
        pen.text((90, 180 + 32 * k), " ".join(rng.choice(WORDS) for _ in range(6)),
                 font=body, fill="black")
    for k in range(8):
        pen.text((660, 180 + 32 * k), " ".join(rng.choice(WORDS) for _ in range(6)),
                 font=body, fill="black")
    if kind.startswith("spans"):
        raise ValueError("two-column pages cut tables to 3 columns: spans would break")
    rows, head, _ = spec(kind, seed)
    rows = [row[:3] for row in rows]  # narrow enough for one column
    table = _render(kind, rows, head, 3, 0.95, canvas=page, origin=(660, 460))
    bottom = int(table.bbox[3])
    for k in range((1600 - bottom) // 32):
        pen.text((660, bottom + 30 + 32 * k), " ".join(rng.choice(WORDS) for _ in range(6)),
                 font=body, fill="black")
    return DrawnTable(kind, np.asarray(page).copy(), table.html, table.rows, 3, table.bbox,
                      table.words)


def _render(kind: str, rows: list[list[tuple[str, int, int]]], head: int, cols: int,
            scale: float, canvas: Image.Image | None, origin: tuple[int, int]) -> DrawnTable:
    font = ImageFont.truetype(FONT, round(18 * scale))
    bold = ImageFont.truetype(BOLD, round(18 * scale))
    cjk = ImageFont.truetype(CJK_FONT, round(18 * scale))  # Droid has no Latin digits
    pad, line_h = round(12 * scale), round(40 * scale)
    # Grid positions as HTML lays them out.
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, rs, cs, text))
            taken.update((r + i, c + j) for i in range(rs) for j in range(cs))
            c += cs
    widths = [round(90 * scale)] * cols
    for _r, c, _rs, cs, text in placed:
        if cs == 1:
            face = cjk if not text.isascii() else font
            widths[c] = max(widths[c], round(face.getlength(text)) + 2 * pad)
    xs = [0]
    for w in widths:
        xs.append(xs[-1] + w)
    n_rows = len(rows)
    width, height = xs[-1], n_rows * line_h
    if canvas is None:
        canvas = Image.new("RGB", (width + 2 * origin[0], height + 2 * origin[1]), "white")
    pen = ImageDraw.Draw(canvas)
    ox, oy = origin
    bordered = kind in ("bordered", "spans-bordered", "wide", "cjk")
    if kind == "shaded":
        for r in range(n_rows):
            fill = "#1f3864" if r < head else ("#dde7f3" if r % 2 == 0 else None)
            if fill:
                pen.rectangle((ox, oy + r * line_h, ox + width, oy + (r + 1) * line_h), fill=fill)
    words = []
    for r, c, rs, cs, text in placed:
        x0, y0 = ox + xs[c], oy + r * line_h
        x1, y1 = ox + xs[c + cs], oy + (r + rs) * line_h
        if bordered:
            pen.rectangle((x0, y0, x1, y1), outline="black", width=max(1, round(scale)))
        face = cjk if not text.isascii() else bold if r < head else font
        tx = x0 + pad if c == 0 else x1 - pad - face.getlength(text)  # numbers right-aligned
        if r < head:
            tx = (x0 + x1 - face.getlength(text)) / 2
        ty = (y0 + y1) / 2 - face.size * 0.6
        ink = "white" if kind == "shaded" and r < head else "black"
        pen.text((tx, ty), text, font=face, fill=ink)
        cursor = tx
        for part in text.split():
            left, top, right, bottom = face.getbbox(part)
            words.append(TruthWord(part, (cursor + left, ty + top, cursor + right, ty + bottom)))
            cursor += face.getlength(part + " ")
    if kind in ("borderless", "spans-borderless", "long"):  # booktabs: top, header, bottom
        for y, w in ((oy, 2), (oy + head * line_h, 1), (oy + height, 2)):
            pen.line((ox, y, ox + width, y), fill="black", width=max(1, round(w * scale)))
    return DrawnTable(kind, np.asarray(canvas).copy(), _html(rows, head), n_rows, cols,
                      (ox, oy, ox + width, oy + height), tuple(words))


def _html(rows: list[list[tuple[str, int, int]]], head: int) -> str:
    def tr(row: list[tuple[str, int, int]]) -> str:
        cells = []
        for text, rs, cs in row:
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            cells.append(f"<td{attrs}>{html.escape(text)}</td>")
        return "<tr>" + "".join(cells) + "</tr>"
    return ("<table><thead>" + "".join(tr(r) for r in rows[:head]) + "</thead><tbody>"
            + "".join(tr(r) for r in rows[head:]) + "</tbody></table>")
