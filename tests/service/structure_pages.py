"""Pages the structure tests draw: text only, a chart with labels, a table PDF with a text layer.

Seeded like tests/engine/structure/drawn_tables.py, so every run sees the same pages.
"""

from __future__ import annotations

import html
import io
import random

import numpy as np
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from tests.engine.structure.drawn_tables import BOLD, FONT, WORDS, spec


def png(pixels: np.ndarray) -> bytes:
    """An RGB array as PNG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def _paragraphs(pen: ImageDraw.ImageDraw, rng: random.Random, top: int, count: int) -> int:
    body = ImageFont.truetype(FONT, 22)
    for _ in range(count):
        pen.text((110, top), " ".join(rng.choice(WORDS) for _ in range(12)), font=body,
                 fill="black")
        top += 34
    return top


def text_page(seed: int = 0) -> np.ndarray:
    """An A4 page at 150 dpi: a title and three paragraphs, nothing else."""
    page = Image.new("RGB", (1240, 1754), "white")
    pen = ImageDraw.Draw(page)
    rng = random.Random(f"text-{seed}")
    pen.text((110, 100), "Notes on the " + rng.choice(WORDS) + " plan",
             font=ImageFont.truetype(BOLD, 40), fill="black")
    top = 190
    for _ in range(3):
        top = _paragraphs(pen, rng, top, 8) + 40
    return np.asarray(page).copy()


def figure_page(seed: int = 0) -> np.ndarray:
    """An A4 page: a paragraph, a bar chart whose axes and bars carry text labels, its
    caption, another paragraph. The chart's labels line up like a table's cells would."""
    page = Image.new("RGB", (1240, 1754), "white")
    pen = ImageDraw.Draw(page)
    rng = random.Random(f"figure-{seed}")
    top = _paragraphs(pen, rng, 120, 6) + 60
    small = ImageFont.truetype(FONT, 20)
    x0, y0, x1, y1 = 200, top, 1000, top + 600
    pen.line((x0, y0, x0, y1), fill="black", width=3)
    pen.line((x0, y1, x1, y1), fill="black", width=3)
    for k in range(5):
        value = rng.randint(150, 550)
        left = x0 + 40 + k * 150
        pen.rectangle((left, y1 - value, left + 90, y1), fill=(70, 110, 200))
        pen.text((left + 5, y1 + 12), rng.choice(WORDS), font=small, fill="black")
        pen.text((left + 10, y1 - value - 28), str(value), font=small, fill="black")
    for k in range(6):
        pen.text((x0 - 70, y1 - k * 100 - 10), str(k * 100), font=small, fill="black")
    pen.text((110, y1 + 70), f"Figure {seed + 1}: units sold by region", font=small,
             fill="black")
    _paragraphs(pen, rng, y1 + 140, 6)
    return np.asarray(page).copy()


def table_pdf(kind: str = "bordered", seed: int = 0) -> tuple[bytes, str, int, int]:
    """A one-page PDF with a text layer: a title, a paragraph and a ruled table
    (``drawn_tables.spec`` without spans). Returns (pdf, truth html, rows, cols)."""
    rows, head, cols = spec(kind, seed)
    rng = random.Random(f"pdf-{kind}-{seed}")
    pdf = FPDF(format="A4", unit="pt")
    pdf.add_font("DejaVu", "", FONT)
    pdf.add_font("DejaVu", "B", BOLD)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.text(60, 80, "Quarterly figures of the " + rng.choice(WORDS) + " unit")
    pdf.set_font("DejaVu", "", 10)
    for k in range(6):
        pdf.text(60, 120 + 15 * k, " ".join(rng.choice(WORDS) for _ in range(14)))
    width = 470 / cols
    top = 240
    for r, row in enumerate(rows):
        for c, (text, _, _) in enumerate(row):
            pdf.set_font("DejaVu", "B" if r < head else "", 10)
            pdf.rect(60 + c * width, top + r * 22, width, 22)
            pdf.text(64 + c * width, top + r * 22 + 15, text)
    parts = ["<table>"]
    for start, stop, tag in ((0, head, "thead"), (head, len(rows), "tbody")):
        parts.append(f"<{tag}>")
        for row in rows[start:stop]:
            parts.append("<tr>" + "".join(f"<td>{html.escape(t)}</td>" for t, _, _ in row)
                         + "</tr>")
        parts.append(f"</{tag}>")
    parts.append("</table>")
    return bytes(pdf.output()), "".join(parts), len(rows), cols
