"""Pages turned by 90, 180 or 270 degrees, found from the recognizer's own confidence.

PaddleOCR's small text-line orientation classifier flips upright lines, and the
document orientation model is not in the embedded set. The recognizer is a
better judge: an upright page reads with many confident characters, a turned
one does not. Only suspicious pages pay for a second look:

* most lines taller than wide: the page is turned by 90 or 270 degrees;
* little confident text: the page may be upside down (180 degrees).

Recognition is most of the engine's time, so candidates are read one at a time,
the likelier first, and the first clear winner ends the search: a turned page
costs two reads, not three.

The chosen reading's polygons are mapped back onto the page as decoded, so
coordinates always refer to the image the client sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from app.domain import BBox, Line, Pixels, Word, map_back

Reader = Callable[[list[Pixels]], list[list[Line]]]

TALL_RATIO = 1.5
"""A line box this many times taller than wide is read as vertical."""
TALL_SHARE = 0.6
"""Share of vertical lines that makes a page 'turned by 90 degrees'."""
CONFIDENT = 0.8
"""Mean confidence under which a page may be upside down."""
BETTER_BY = 1.15
"""An upside-down reading must carry this much more confident text to win."""
KEEP_SIDEWAYS = 0.9
"""A page turned by 90 degrees wins unless it reads this much worse."""


def text_mass(lines: Sequence[Line]) -> float:
    """Confidence-weighted character count: how much text was read, and how surely."""
    return sum((line.score or 0.0) * len(line.text.strip()) for line in lines)


def candidate_rotations(lines: Sequence[Line]) -> list[int]:
    """Clockwise rotations worth trying for a page read as ``lines``, likeliest first."""
    if not lines:
        return []
    tall = [ln for ln in lines if _height(ln) > TALL_RATIO * _width(ln)]
    if len(tall) / len(lines) >= TALL_SHARE:
        # PaddleX turns tall line crops a quarter turn counter-clockwise before
        # reading them. On a page turned clockwise (270 stands it up) that makes
        # them upright, and they read confidently; otherwise they read upside down.
        return [270, 90] if _confidence(tall) >= CONFIDENT else [90, 270]
    if _confidence(lines) < CONFIDENT:
        return [180]
    return []


def rotate(image: Pixels, clockwise: int) -> Pixels:
    """The page turned clockwise by a multiple of 90 degrees."""
    return np.ascontiguousarray(np.rot90(image, k=-(clockwise // 90)))


def upright(
    image: Pixels, lines: list[Line], read: Reader
) -> tuple[list[Line], int]:
    """Return the best reading of ``image`` and the rotation that gave it."""
    current = text_mass(lines)
    for deg in candidate_rotations(lines):
        (found,) = read([rotate(image, deg)])
        if _wins(deg, text_mass(found), current):
            height, width = image.shape[:2]
            return [_mapped(ln, deg, width, height) for ln in found], deg
    return lines, 0


def _wins(clockwise: int, mass: float, current: float) -> bool:
    # Turned by 90: PaddleOCR already reads tall boxes sideways, so the text can
    # be right while the line order is not; the turned page wins unless clearly
    # worse. Upside down: the turned reading must be clearly better.
    if mass <= 0:
        return False
    if clockwise in (90, 270):
        return mass >= current * KEEP_SIDEWAYS
    return mass > current * BETTER_BY


def _mapped(line: Line, clockwise: int, width: int, height: int) -> Line:
    polygon = tuple(map_back(p, clockwise, width, height) for p in line.polygon)
    words = tuple(
        Word(w.text, _mapped_box(w.bbox, clockwise, width, height), w.score)
        for w in line.words
    )
    return Line(text=line.text, score=line.score, polygon=polygon, words=words)


def _mapped_box(box: BBox, clockwise: int, width: int, height: int) -> BBox:
    x0, y0 = map_back((box[0], box[1]), clockwise, width, height)
    x1, y1 = map_back((box[2], box[3]), clockwise, width, height)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _confidence(lines: Sequence[Line]) -> float:
    chars = sum(len(ln.text.strip()) for ln in lines)
    return text_mass(lines) / chars if chars else 0.0


def _width(line: Line) -> float:
    x0, _, x1, _ = line.bbox
    return x1 - x0


def _height(line: Line) -> float:
    _, y0, _, y1 = line.bbox
    return y1 - y0
