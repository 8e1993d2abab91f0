"""Generated full pages with exact truth: the workload the corpus lacks (A4 scans).

The corpus images are mostly small (a line, a label, a 640x480 photo). Real
traffic is often full pages scanned at 200-300 dpi, where the detector's input
size decides most of the time. These pages are drawn here, deterministically
(fixed seed, Pillow's built-in font, so no system font is needed), with the
text they carry as truth:

* ``page_prose``: A4 at 200 dpi, one column of 12 pt prose;
* ``page_table``: A4 at 200 dpi, 10 pt rows of an invoice-like table (digits, codes);
* ``page_scan``: A4 at 200 dpi, 11 pt prose, turned by 0.6 degrees, grey paper,
  noise, saved as JPEG quality 75: what a cheap office scanner sends.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

A4_200DPI = (1654, 2339)
MARGIN = 150
_WORD_TEXT = (
    "the of and to in is that for it as was with be by on not he this are or his from at "
    "which but have an they you were her she there been one all we their has would when "
    "report service invoice order number total amount payment account customer delivery "
    "address street office market station quality system process result method window "
    "question history country company several between important following available "
    "example together although however through without because another different "
    "morning evening summer winter garden river mountain village harbour bridge letter "
    "paper record figure table section chapter volume price tax balance credit transfer"
)
WORDS = _WORD_TEXT.split()


@dataclass(frozen=True, slots=True)
class GeneratedPage:
    """One generated page: its file and the text drawn on it, line by line."""

    path: Path
    truth: str

    @property
    def name(self) -> str:
        """The file name."""
        return self.path.name


def _font(points: float, dpi: int = 200) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=round(points / 72 * dpi))


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
    if rng.random() < 0.4:
        words.insert(rng.randint(0, len(words)), str(rng.randint(2, 9999)))
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(".,;:.")


def _wrap(words: list[str], font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
          width: int) -> list[str]:
    lines: list[str] = []
    current: list[str] = []
    for word in words:
        trial = " ".join([*current, word])
        if current and font.getlength(trial) > width:
            lines.append(" ".join(current))
            current = [word]
        else:
            current.append(word)
    if current:
        lines.append(" ".join(current))
    return lines


def _draw_lines(lines: list[str], points: float, spacing: float,
                paper: int = 255) -> Image.Image:
    font = _font(points)
    page = Image.new("L", A4_200DPI, paper)
    draw = ImageDraw.Draw(page)
    step = round(points / 72 * 200 * spacing)
    y = MARGIN
    for line in lines:
        draw.text((MARGIN, y), line, fill=20, font=font)
        y += step
    return page


def _prose(rng: random.Random, points: float, spacing: float) -> list[str]:
    font = _font(points)
    width = A4_200DPI[0] - 2 * MARGIN
    step = round(points / 72 * 200 * spacing)
    capacity = (A4_200DPI[1] - 2 * MARGIN) // step
    lines: list[str] = []
    while len(lines) < capacity:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(3, 6))).split()
        lines.extend(_wrap(paragraph, font, width))
        if len(lines) < capacity:
            lines.append("")  # paragraph break
    while lines and not lines[-1]:
        lines.pop()
    return lines[:capacity]


def _table(rng: random.Random) -> list[str]:
    lines = ["INVOICE 2026-" + str(rng.randint(1000, 9999)), ""]
    lines.append("Item Code Description Qty Unit Amount")
    for _ in range(44):
        code = f"{rng.choice('ABCDEFGHKLMNPRST')}{rng.randint(100, 999)}-{rng.randint(10, 99)}"
        desc = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
        qty = rng.randint(1, 40)
        unit = rng.randint(100, 99999) / 100
        lines.append(f"{code} {desc} {qty} {unit:.2f} {qty * unit:,.2f}")
    lines += ["", f"Total {rng.randint(10000, 999999) / 100:,.2f}"]
    return lines


def generate(folder: Path) -> list[GeneratedPage]:
    """Draw the pages into ``folder`` (kept when already there and unchanged)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261129)
    made: list[GeneratedPage] = []

    prose = _prose(rng, 12, 1.5)
    made.append(_save(folder / "page_prose.png", _draw_lines(prose, 12, 1.5), prose))

    table = _table(rng)
    made.append(_save(folder / "page_table.png", _draw_lines(table, 10, 1.6), table))

    scan_lines = _prose(rng, 11, 1.5)
    scan = _draw_lines(scan_lines, 11, 1.5, paper=235)
    scan = scan.rotate(0.6, resample=Image.Resampling.BICUBIC, fillcolor=235, expand=False)
    scan = scan.filter(ImageFilter.GaussianBlur(0.6))
    noise = np.random.default_rng(7).normal(0, 8, (A4_200DPI[1], A4_200DPI[0]))
    pixels = np.clip(np.asarray(scan, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    made.append(_save(folder / "page_scan.jpg", Image.fromarray(pixels), scan_lines))
    return made


def _save(path: Path, image: Image.Image, lines: list[str]) -> GeneratedPage:
    buffer = io.BytesIO()
    if path.suffix == ".jpg":
        image.convert("RGB").save(buffer, "JPEG", quality=75)
    else:
        image.save(buffer, "PNG")
    data = buffer.getvalue()
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    truth = "\n".join(line for line in lines if line)
    path.with_suffix(".truth.json").write_text(json.dumps({"truth": truth}), encoding="utf-8")
    return GeneratedPage(path, truth)


if __name__ == "__main__":
    import sys

    for page in generate(Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results/pages")):
        print(page.path, len(page.truth), "chars")
