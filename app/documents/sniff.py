"""Tell a document's type from its first bytes; names and content types lie."""

from __future__ import annotations

from app.documents.types import MediaKind
from app.errors import EmptyFile, UnsupportedMediaType

_SIGNATURES: tuple[tuple[bytes, MediaKind], ...] = (
    (b"\xff\xd8\xff", MediaKind.JPEG),
    (b"\x89PNG\r\n\x1a\n", MediaKind.PNG),
    (b"GIF87a", MediaKind.GIF),
    (b"GIF89a", MediaKind.GIF),
    (b"II*\x00", MediaKind.TIFF),
    (b"MM\x00*", MediaKind.TIFF),
    (b"BM", MediaKind.BMP),
)

PDF_SEARCH_WINDOW = 1024
"""PDF readers accept junk before '%PDF-' within the first kilobyte."""


def sniff(data: bytes) -> MediaKind:
    """Return the kind of ``data`` or raise ``EmptyFile`` / ``UnsupportedMediaType``."""
    if not data:
        raise EmptyFile("The uploaded file is empty.")
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return MediaKind.WEBP
    if b"%PDF-" in data[:PDF_SEARCH_WINDOW]:
        return MediaKind.PDF
    raise UnsupportedMediaType(
        "Unsupported file type: send a JPEG, PNG, BMP, TIFF, GIF, WebP image or a PDF."
    )
