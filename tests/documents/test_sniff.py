"""Type sniffing: what an upload is, judged from its bytes."""

from __future__ import annotations

import pytest

from app.documents.sniff import sniff
from app.domain import MediaKind
from app.errors import EmptyFile, UnsupportedMediaType


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
