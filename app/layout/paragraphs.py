"""Paragraphs inside a block, from line spacing (first version)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from statistics import median

from app.domain import BBox

PARAGRAPH_GAP = 0.8
"""A vertical gap over this many line heights starts a new paragraph."""


def split_paragraphs(
    boxes: Sequence[BBox], members: Sequence[int], texts: Sequence[str]
) -> list[tuple[list[int], bool]]:
    """``members`` (in reading order) cut into paragraphs; each with its heading flag."""
    if not members:
        return []
    height = median(boxes[i][3] - boxes[i][1] for i in members)
    groups: list[list[int]] = [[members[0]]]
    for prev, cur in itertools.pairwise(members):
        gap = boxes[cur][1] - boxes[prev][3]
        if gap > PARAGRAPH_GAP * height:
            groups.append([])
        groups[-1].append(cur)
    return [(g, False) for g in groups]
