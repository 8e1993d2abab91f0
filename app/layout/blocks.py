"""Blocks in reading order (first version: one block, rows top to bottom)."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain import BBox
from app.layout.rows import row_order


def ordered_blocks(boxes: Sequence[BBox], texts: Sequence[str]) -> list[list[int]]:
    """Indices of ``boxes`` grouped into blocks, blocks and members in reading order."""
    return [row_order(boxes, range(len(boxes)))]
