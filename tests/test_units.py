"""Pure functions: reading order, orientation geometry, type sniffing, CER."""

from __future__ import annotations

import numpy as np
import pytest

from app.documents.sniff import sniff
from app.domain import Line, MediaKind
from app.engine import letterbox, orientation
from app.errors import EmptyFile, UnsupportedMediaType
from app.layout.rows import row_order
from bench.cer import cer, substring_cer


def box(text: str, x0: float, y0: float, x1: float, y1: float, skew: float = 0) -> Line:
    poly = ((x0, y0), (x1, y0 + skew), (x1, y1 + skew), (x0, y1))
    return Line(text=text, score=0.9, polygon=poly)


def sort_reading_order(lines: list[Line]) -> list[Line]:
    return [lines[i] for i in row_order([ln.bbox for ln in lines], range(len(lines)))]


def test_rows_top_to_bottom_left_to_right() -> None:
    lines = [
        box("C", 10, 50, 100, 70),
        box("B", 300, 12, 400, 32, skew=6),  # skewed, still the first row
        box("A", 10, 10, 100, 30),
        box("D", 200, 52, 300, 72),
    ]
    assert [ln.text for ln in sort_reading_order(lines)] == ["A", "B", "C", "D"]


def test_tall_box_does_not_merge_rows() -> None:
    lines = [box("tall", 0, 0, 20, 100), box("r1", 30, 0, 90, 20), box("r2", 30, 80, 90, 100)]
    order = [ln.text for ln in sort_reading_order(lines)]
    assert order.index("r1") < order.index("r2")


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


def test_letterbox_round_trip() -> None:
    strip = np.full((20, 400, 3), 250, dtype=np.uint8)
    padded, top = letterbox.pad(strip)
    assert padded.shape[0] > strip.shape[0] and top > 0
    assert (padded[0] == 250).all()
    moved = letterbox.unpad([box("t", 0, top + 2, 50, top + 18)], top, 20)
    assert moved[0].bbox[1] == 2 and moved[0].bbox[3] == 18


@pytest.mark.parametrize(
    ("head", "kind"),
    [(b"\xff\xd8\xff\xe0", MediaKind.JPEG), (b"\x89PNG\r\n\x1a\n", MediaKind.PNG),
     (b"GIF89a", MediaKind.GIF), (b"II*\x00", MediaKind.TIFF), (b"MM\x00*", MediaKind.TIFF),
     (b"BM", MediaKind.BMP), (b"RIFF\x00\x00\x00\x00WEBPVP8 ", MediaKind.WEBP),
     (b"%PDF-1.7", MediaKind.PDF), (b"\n\n%PDF-1.4", MediaKind.PDF)],
)
def test_sniff(head: bytes, kind: MediaKind) -> None:
    assert sniff(head + b"\x00" * 32) is kind


def test_sniff_rejects() -> None:
    with pytest.raises(EmptyFile):
        sniff(b"")
    with pytest.raises(UnsupportedMediaType):
        sniff(b"<html>not an image</html>")


def test_cer_measures() -> None:
    assert cer("Hello world", "Hello world") == 0
    assert cer("Hel1o world", "Hello world") == pytest.approx(1 / 10)
    assert cer("", "abc") == 1
    assert substring_cer("world", "hello world!") == 0
    assert substring_cer("wor1d", "hello world!") == pytest.approx(1 / 5)


def test_readme_config_table_is_in_sync() -> None:
    from app.config.readme_table import config_table
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- config-table:start -->\n") + len("<!-- config-table:start -->\n")
    end = readme.index("<!-- config-table:end -->")
    assert readme[start:end] == config_table(), "run: python -m app.config.readme_table"
