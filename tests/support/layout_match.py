"""Predicted lines matched to true lines; reading-order accuracy as Kendall tau.

Matching. A predicted line goes to the true item (line, cell or vertical column)
that scores highest on ``overlap + similarity``, among the items its box
touches: ``overlap`` is the share of the predicted box inside the true box
(1.0 for a fragment of a true line, about 0.5 each for a box that merges two
cells), ``similarity`` is 1 − CER of the predicted text against its best-matching
stretch of the true text (``substring_cer``, so fragments score high). A line
whose box touches no item (boxes off, e.g. a turned page mapped wrongly) may
still match by text alone, at similarity ≥ ``TEXT_ONLY``. Several predicted
lines may share one item (a line cut in two); a predicted line that spans two
items (two columns glued together) counts for the one it overlaps most, and the
other item stays unmatched (``coverage`` still counts it as read when the line
holds its text).

Order. Kendall tau between the true order and the predicted order, over pairs of
matched predicted lines that belong to different items: (concordant −
discordant) ÷ (concordant + discordant). 1.0 is the true order, −1.0 its reverse,
about 0 a random one. Pairs inside one item carry no order information and are
left out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from tests.support.cer import normalize, substring_cer

BBox = tuple[float, float, float, float]
MIN_OVERLAP = 0.2
"""A box match needs this share of the predicted box inside the item, or ..."""
MIN_SIMILARITY = 0.5
"""... this text similarity with it."""
TEXT_ONLY = 0.8


@dataclass(frozen=True, slots=True)
class Piece:
    """A line (predicted) or item (true): text, box, and its paragraph's key."""

    text: str
    box: BBox
    paragraph: object = None


def overlap(inner: BBox, outer: BBox) -> float:
    """Share of ``inner``'s area that lies inside ``outer``."""
    width = min(inner[2], outer[2]) - max(inner[0], outer[0])
    height = min(inner[3], outer[3]) - max(inner[1], outer[1])
    area = (inner[2] - inner[0]) * (inner[3] - inner[1])
    return max(width, 0.0) * max(height, 0.0) / area if area > 0 else 0.0


def similarity(predicted: str, true: str) -> float:
    """How well ``predicted`` reads as part of ``true`` (1 − substring CER, ≥ 0)."""
    if not normalize(predicted):
        return 0.0
    return max(0.0, 1.0 - substring_cer(predicted, true))


def match(predicted: Sequence[Piece], truth: Sequence[Piece]) -> list[int | None]:
    """For each predicted line, the index of its true item, or None."""
    found: list[int | None] = []
    for line in predicted:
        best, best_score = None, 0.0
        for k, item in enumerate(truth):
            share = overlap(line.box, item.box)
            if share <= 0:
                continue
            alike = similarity(line.text, item.text)
            if (share >= MIN_OVERLAP or alike >= MIN_SIMILARITY) and share + alike > best_score:
                best, best_score = k, share + alike
        if best is None:
            scores = [similarity(line.text, item.text) for item in truth]
            top = max(range(len(truth)), key=scores.__getitem__, default=None)
            if top is not None and scores[top] >= TEXT_ONLY and _long_enough(line.text):
                best = top
        found.append(best)
    return found


def _long_enough(text: str) -> bool:
    # A text-only match on "1" or "9.50" is a guess; three characters (or two
    # wide ones) are rarely repeated by chance.
    chars = normalize(text)
    wide = sum(unicodedata.east_asian_width(c) in ("W", "F") for c in chars)
    return len(chars) + wide >= 4


def kendall_tau(order: Sequence[int | None]) -> float | None:
    """Kendall tau of the true indices ``order`` (predicted order; None = unmatched).

    None when no pair of matched lines from different items exists.
    """
    keys = [k for k in order if k is not None]
    concordant = discordant = 0
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if a < b:
                concordant += 1
            elif a > b:
                discordant += 1
    pairs = concordant + discordant
    return (concordant - discordant) / pairs if pairs else None


def coverage(order: Sequence[int | None], predicted: Sequence[Piece], truth: Sequence[Piece]
             ) -> float:
    """Share of the true items read: matched, or inside a predicted line that holds them.

    The second case is a line that merged several items (a table row read as one
    line: right for a row, and not an order error); it holds an item when half
    the item's box lies in the line's and the item's text is in the line's
    (similarity of the item to the line ≥ ``TEXT_ONLY``).
    """
    read = {k for k in order if k is not None}
    for k, item in enumerate(truth):
        if k not in read and any(overlap(item.box, line.box) >= 0.5
                                 and similarity(item.text, line.text) >= TEXT_ONLY
                                 for line in predicted):
            read.add(k)
    return len(read) / len(truth) if truth else 1.0


def paragraph_breaks(order: Sequence[int | None], predicted: Sequence[Piece],
                     truth: Sequence[Piece]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of paragraph breaks.

    Between each two consecutive true items that were both matched: the truth
    breaks there when their paragraphs differ; the prediction breaks there when
    the first predicted lines matched to them lie in different paragraphs.
    """
    first: dict[int, int] = {}
    for position, k in enumerate(order):
        if k is not None and k not in first:
            first[k] = position
    tp = fp = fn = 0
    for k in range(len(truth) - 1):
        if k not in first or k + 1 not in first:
            continue
        true_break = truth[k].paragraph != truth[k + 1].paragraph
        said_break = predicted[first[k]].paragraph != predicted[first[k + 1]].paragraph
        tp += true_break and said_break
        fp += said_break and not true_break
        fn += true_break and not said_break
    return tp, fp, fn
