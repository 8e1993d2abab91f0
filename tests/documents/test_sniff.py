"""Type sniffing: what an upload is, judged from its bytes."""


from __future__ import annotations

import pytest

from app.documents.sniff import sniff
from app.domain import Line, MediaKind
from app.errors import EmptyFile, UnsupportedMediaType
from app.layout.rows import row_order


def box(text: str, x0: float, y0: float, x1: float, y1: float, skew: float = 0) -> Line:
    poly = ((x0, y0), (x1, y0 + skew), (x1, y1 + skew), (x0, y1))
    return Line(text=text, score=0.9, polygon=poly)


def sort_reading_order(lines: list[Line]) -> list[Line]:
    return [lines[i] for i in row_order([ln.bbox for ln in lines], range(len(lines)))]




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
