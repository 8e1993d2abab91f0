"""Letterboxing small crops and mapping their boxes back."""

from __future__ import annotations

import numpy as np

from app.engine import letterbox
from tests.support.lines import box


def test_letterbox_round_trip() -> None:
    strip = np.full((20, 400, 3), 250, dtype=np.uint8)
    padded, top = letterbox.pad(strip)
    assert padded.shape[0] > strip.shape[0] and top > 0
    assert (padded[0] == 250).all()
    moved = letterbox.unpad([box("t", 0, top + 2, 50, top + 18)], top, 20)
    assert moved[0].bbox[1] == 2 and moved[0].bbox[3] == 18
