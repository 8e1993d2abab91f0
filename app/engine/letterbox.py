"""Padding for thin strips: the detector misses text in very wide or very low images.

A single text line (1167 x 54, say) is squeezed to a few dozen rows at the
detector's input and its text map falls apart. Padding the strip above and
below with its own background colour gives the detector the context it was
trained on; the padding is removed from the coordinates afterwards.
"""

from __future__ import annotations

import numpy as np

from app.domain import Line, Pixels, Word

MAX_ASPECT = 8.0
"""Width / height above which a strip is padded."""
MIN_HEIGHT = 32
"""Heights at or below this are padded too."""


def pad(image: Pixels) -> tuple[Pixels, int]:
    """Return the image padded top and bottom (or as is) and the top padding."""
    height, width = image.shape[:2]
    if height > MIN_HEIGHT and width / height <= MAX_ASPECT:
        return image, 0
    target = max(int(width / MAX_ASPECT), MIN_HEIGHT) * 2
    top = max((target - height) // 2, 8)
    background = np.median(_border(image), axis=0).astype(np.uint8)
    band = np.broadcast_to(background, (top, width, 3))
    return np.ascontiguousarray(np.concatenate([band, image, band], axis=0)), top


def unpad(lines: list[Line], top: int, height: int) -> list[Line]:
    """Shift lines found on a padded image back onto the original, clamped to it."""
    if top == 0:
        return lines

    def shift(y: float) -> float:
        return min(max(y - top, 0.0), float(height))

    return [
        Line(
            text=ln.text,
            score=ln.score,
            polygon=tuple((x, shift(y)) for x, y in ln.polygon),
            words=tuple(
                Word(w.text, (w.bbox[0], shift(w.bbox[1]), w.bbox[2], shift(w.bbox[3])), w.score)
                for w in ln.words
            ),
        )
        for ln in lines
    ]


def _border(image: Pixels) -> np.ndarray:
    return np.concatenate(
        [image[0, :, :], image[-1, :, :], image[:, 0, :], image[:, -1, :]], axis=0
    )
