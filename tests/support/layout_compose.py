"""A page of the layout set drawn with fpdf2, recording its true reading order as it goes.

Builders call ``Sheet`` in reading order: every ``line``/``cell``/``column`` call
draws one text item and appends it to the truth, so the truth's order is the
order of the calls, and its boxes are where the glyphs were drawn (pt, top-left
origin: fpdf2's own). Text flows through ``frames`` the way a typesetter fills
columns: line by line, a paragraph that does not fit continues at the top of the
next frame. Fonts: Debian's fonts-dejavu-core and fonts-droid-fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype")
FONTS = {
    "serif": FONT_DIR / "dejavu" / "DejaVuSerif.ttf",
    "sans": FONT_DIR / "dejavu" / "DejaVuSans.ttf",
    "bold": FONT_DIR / "dejavu" / "DejaVuSans-Bold.ttf",
    "cjk": FONT_DIR / "droid" / "DroidSansFallbackFull.ttf",
}
A4 = (595.0, 842.0)
ASCENT, DESCENT = 0.78, 0.22
"""Share of the font size above and below the baseline (DejaVu and Droid are close)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One true text line (or table cell, or vertical column) of a page."""

    text: str
    box: tuple[float, float, float, float]
    paragraph: int
    vertical: bool = False


@dataclass(frozen=True, slots=True)
class Frame:
    """A rectangle text flows into: left, top, width, bottom (pt)."""

    x: float
    top: float
    width: float
    bottom: float


Insert = Callable[["Sheet"], None]
"""Something drawn between two frames of a flow (a pull quote, a caption)."""


@dataclass
class Sheet:
    """One page being drawn, and its truth."""

    size: tuple[float, float] = A4
    items: list[Item] = field(default_factory=list)
    paragraph: int = 0

    def __post_init__(self) -> None:
        self.pdf = FPDF(unit="pt", format=self.size)
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margin(0)
        self._fonts: set[str] = set()
        self.pdf.add_page()

    def font(self, name: str, size: float) -> None:
        """Select a font, loading it on first use (parsing the 4 MB CJK font takes seconds)."""
        if name not in self._fonts:
            self.pdf.add_font(name, "", str(FONTS[name]))
            self._fonts.add(name)
        self.pdf.set_font(name, size=size)

    def new_paragraph(self) -> None:
        """Items drawn from now on belong to the next paragraph."""
        if self.items and self.items[-1].paragraph == self.paragraph:
            self.paragraph += 1

    def width(self, text: str, font: str, size: float) -> float:
        """Advance width of ``text`` in pt."""
        self.font(font, size)
        return float(self.pdf.get_string_width(text))

    def line(self, x: float, top: float, text: str, font: str, size: float) -> Item:
        """Draw one horizontal text line whose glyph box starts at (x, top)."""
        self.font(font, size)
        self.pdf.text(x, top + ASCENT * size, text)
        box = (x, top, x + self.width(text, font, size), top + size)
        item = Item(text, box, self.paragraph)
        self.items.append(item)
        return item

    def cell(self, x: float, top: float, width: float, text: str, font: str, size: float,
             align: str = "L") -> Item:
        """A line aligned left, right ("R") or centred ("C") in a cell ``width`` wide."""
        slack = width - self.width(text, font, size)
        shift = {"L": 0.0, "R": slack, "C": slack / 2}[align]
        return self.line(x + shift, top, text, font, size)

    def column(self, x: float, top: float, text: str, size: float, pitch: float = 1.1) -> Item:
        """Vertical CJK: each character below the previous one; one item per column."""
        self.font("cjk", size)
        for k, char in enumerate(text):
            self.pdf.text(x, top + (k * pitch + ASCENT) * size, char)
        box = (x, top, x + size, top + (len(text) - 1) * pitch * size + size)
        item = Item(text, box, self.paragraph, vertical=True)
        self.items.append(item)
        return item

    def rect(self, x: float, top: float, width: float, height: float, fill: int = 215) -> None:
        """A picture's place: a grey rectangle with a frame (no text)."""
        self.pdf.set_fill_color(fill)
        self.pdf.rect(x, top, width, height, style="DF")

    def wrap(self, text: str, font: str, size: float, width: float, indent: float = 0.0
             ) -> list[str]:
        """``text`` cut into lines no wider than ``width`` (first line indented)."""
        wide = font == "cjk"
        tokens = list(text) if wide else text.split()
        lines: list[str] = []
        current = ""
        for token in tokens:
            candidate = token if not current else current + ("" if wide else " ") + token
            room = width - (indent if not lines else 0.0)
            if current and self.width(candidate, font, size) > room:
                lines.append(current)
                current = token
            else:
                current = candidate
        return [*lines, current] if current else lines

    def flow(self, frames: Sequence[Frame | Insert], passages: Sequence[str], font: str,
             size: float, leading: float = 1.25, indent: float = 1.5) -> None:
        """Fill ``frames`` in order with ``passages`` (one paragraph each), line by line.

        Stops when the frames are full, mid-paragraph if need be (the truth holds
        exactly what was drawn); calls an ``Insert`` when the flow reaches it.
        """
        pending = [(self.wrap(p, font, size, frame_width(frames), indent * size), p)
                   for p in passages]
        queue = [(k, line) for k, (lines, _) in enumerate(pending) for line in enumerate(lines)]
        position = 0
        current_paragraph = -1
        for frame in frames:
            if not isinstance(frame, Frame):
                frame(self)
                current_paragraph = -1  # the interrupted paragraph goes on as a new one
                continue
            y = frame.top
            while position < len(queue) and y + size <= frame.bottom:
                k, (n, text) = queue[position]
                if k != current_paragraph:
                    self.new_paragraph()
                    current_paragraph = k
                self.line(frame.x + (indent * size if n == 0 else 0.0), y, text, font, size)
                y += leading * size
                position += 1
            if position >= len(queue):
                return
        self.new_paragraph()


def frame_width(frames: Sequence[Frame | Insert]) -> float:
    """The width text is wrapped to: every frame of one flow has the same width."""
    widths = {round(f.width, 3) for f in frames if isinstance(f, Frame)}
    if len(widths) != 1:
        raise ValueError(f"frames of one flow must share a width, got {sorted(widths)}")
    return widths.pop()
