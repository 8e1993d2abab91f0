"""Where a PDF page's points land in pixels of the page as pdftoppm renders it.

PDF user space has its origin at the bottom left, y up, and a page may be
turned by /Rotate; the service's pages (rendered or read from the text layer)
use pixels with the origin at the top left, y down, turn applied. Everything
here is plain arithmetic on matrices and boxes, shared by the text-layer reader
and the renderer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from pypdf import PageObject

Matrix = list[float]
Box = tuple[float, float, float, float]
IDENTITY: Final[Matrix] = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
_LETTER: Final = (0.0, 0.0, 612.0, 792.0)  # poppler's size for a missing or empty MediaBox


@dataclass(frozen=True, slots=True)
class PageGeometry:
    """How PDF user space maps to pixels of the page rendered at ``dpi``."""

    left: float
    bottom: float
    width_pt: float
    height_pt: float
    rotation: int
    dpi: int

    @classmethod
    def of(cls, page: PageObject, dpi: int) -> PageGeometry:
        """Geometry of ``page`` from its MediaBox and /Rotate (what pdftoppm renders)."""
        try:
            x0, y0, x1, y1 = (float(page.mediabox[i]) for i in range(4))
        except (ValueError, TypeError, IndexError, KeyError):
            x0, y0, x1, y1 = _LETTER
        if not (math.isfinite(x0 + y0 + x1 + y1) and x0 != x1 and y0 != y1):
            x0, y0, x1, y1 = _LETTER
        try:
            rotation = int(float(page.rotation)) % 360
        except (ValueError, TypeError, AttributeError):
            rotation = 0
        rotation = rotation if rotation % 90 == 0 else 0  # as poppler does
        return cls(min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0), rotation, dpi)

    @property
    def scale(self) -> float:
        """Pixels per point."""
        return self.dpi / 72

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels, rounded up as pdftoppm does (multiplying first)."""
        width = math.ceil(self.width_pt * self.dpi / 72)
        height = math.ceil(self.height_pt * self.dpi / 72)
        return (height, width) if self.rotation in (90, 270) else (width, height)

    def to_pixels(self, x: float, y: float) -> tuple[float, float]:
        """A point of user space in pixels (top-left origin, y down, /Rotate applied)."""
        u, v = x - self.left, self.bottom + self.height_pt - y
        if self.rotation == 90:
            u, v = self.height_pt - v, u
        elif self.rotation == 180:
            u, v = self.width_pt - u, self.height_pt - v
        elif self.rotation == 270:
            u, v = v, self.width_pt - u
        return u * self.scale, v * self.scale


def turn(frame: int, x: float, y: float) -> tuple[float, float]:
    """Rotate a pixel point by -``frame`` degrees, so text running at ``frame`` runs rightwards."""
    for _ in range(frame // 90 % 4):
        x, y = y, -x
    return x, y


def aabb(points: list[tuple[float, float]]) -> Box:
    """The axis-aligned box around ``points``."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def mult(m: Matrix, n: Matrix) -> Matrix:
    """Matrix product m x n of two PDF matrices [a b c d e f] (PDF 32000-1, 8.3.4)."""
    return [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
