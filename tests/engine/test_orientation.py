"""Orientation geometry: turning a page and mapping points back."""

from __future__ import annotations

import numpy as np
import pytest

from app.domain import Line
from app.engine import orientation
from tests.support.lines import box


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_map_back_inverts_rotation(turn: int) -> None:
    height, width = 30, 50
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[5, 40] = 255  # one marked pixel at (x=40, y=5)
    turned = orientation.rotate(image, turn)
    ys, xs = np.nonzero(turned[:, :, 0])
    # pixel centres: map the centre of the marked pixel back
    x, y = orientation.map_back((xs[0] + 0.5, ys[0] + 0.5), turn, width, height)
    assert (int(x), int(y)) == (40, 5)


def test_candidate_rotations() -> None:
    upright = [box("hello world", 0, 0, 200, 20)]
    assert orientation.candidate_rotations(upright) == []
    tall = [box("ab", 0, 0, 20, 200), box("cd", 30, 0, 50, 200)]
    # confident tall lines: PaddleX's quarter turn of the crops already stood them up
    assert orientation.candidate_rotations(tall) == [270, 90]
    garbled = [Line(ln.text, 0.3, ln.polygon) for ln in tall]
    assert orientation.candidate_rotations(garbled) == [90, 270]
    unsure = [Line("x", 0.2, ((0, 0), (50, 0), (50, 10), (0, 10)))]
    assert orientation.candidate_rotations(unsure) == [180]


def test_upright_stops_at_the_first_clear_winner() -> None:
    image = np.zeros((200, 100, 3), dtype=np.uint8)
    sideways = [Line("garbled", 0.3, ((0, 0), (20, 0), (20, 150), (0, 150)))]
    reads: list[int] = []

    def read(batch: list[np.ndarray]) -> list[list[Line]]:
        reads.append(len(batch))
        return [[box("clean text line", 0, 0, 150, 20)]]

    lines, rotation = orientation.upright(image, sideways, read)
    assert (rotation, reads) == (90, [1])  # one extra read, not one per candidate
    assert lines[0].text == "clean text line"


def test_upright_keeps_the_page_when_no_turn_reads_better() -> None:
    image = np.zeros((100, 200, 3), dtype=np.uint8)
    unsure = [Line("text", 0.5, ((0, 0), (80, 0), (80, 10), (0, 10)))]
    calls: list[int] = []

    def read(batch: list[np.ndarray]) -> list[list[Line]]:
        calls.append(len(batch))
        return [[Line("tex", 0.5, unsure[0].polygon)]]

    assert orientation.upright(image, unsure, read) == (unsure, 0)
    assert calls == [1]
