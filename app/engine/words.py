"""Per-word boxes from PaddleOCR's recognizer (``return_word_box=True``).

The pipeline splits each recognized line into tokens with a box per token,
taken from the CTC decoder's character columns: Latin words, single spaces and
punctuation as separate tokens (``"format"``, ``"."``), CJK as one token per
character. Words here are what a reader selects with a double click: runs of
tokens between spaces, except that each wide (CJK) character stands alone,
since those scripts put no spaces between words.

Measured on tess_phototest.tif and rapidocr_ch_en_num.jpg (2 shared cores):
predict() with and without word boxes took the same time within noise
(1.15–1.26 s against 1.31–1.42 s); the cost is a few list operations per line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np

from app.domain import BBox, Word


def from_tokens(tokens: Sequence[str], regions: Sequence[Any], score: float) -> tuple[Word, ...]:
    """Words of one line from the pipeline's tokens and their 4-point boxes.

    Returns ``()`` when tokens and boxes do not pair up (the pipeline orders
    CJK boxes by position and their characters by text; they differ only in
    vertical or mixed lines): the formats then fall back to splitting the line.
    """
    if len(tokens) != len(regions) or not tokens:
        return ()
    words: list[Word] = []
    current: tuple[str, BBox] | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            words.append(Word(current[0], current[1], score))
        current = None

    for raw, region in zip(tokens, regions, strict=True):
        token = raw.strip()
        # A space before or after a token (". " comes as one token) ends a word there.
        if not token or raw[:1].isspace():
            close()
        if not token:
            continue
        box = _bbox(region)
        if " " in token:  # rare: a space inside a token; split its box by characters
            close()
            *parts, (token, box) = _split(token, box)
            words.extend(Word(text, part, score) for text, part in parts)
        if current is not None and not (_wide(token) or _wide(current[0])):
            current = (current[0] + token, _union(current[1], box))
        else:
            close()
            current = (token, box)
        if raw[-1:].isspace():
            close()
    close()
    return tuple(words)


def _split(token: str, box: BBox) -> list[tuple[str, BBox]]:
    per_char = (box[2] - box[0]) / len(token)
    parts, start = [], 0
    for part in token.split(" "):
        if part:
            left = box[0] + start * per_char
            parts.append((part, (left, box[1], left + len(part) * per_char, box[3])))
        start += len(part) + 1
    return parts


def _bbox(region: Any) -> BBox:
    points = np.asarray(region, dtype=float).reshape(-1, 2)
    return (float(points[:, 0].min()), float(points[:, 1].min()),
            float(points[:, 0].max()), float(points[:, 1].max()))


def _union(a: BBox, b: BBox) -> BBox:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _wide(token: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in token)
