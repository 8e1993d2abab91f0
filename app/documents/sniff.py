"""Tell a document's type from its first bytes; names and content types lie."""

from __future__ import annotations

from pathlib import PurePath

from app.domain import MediaKind
from app.errors import CorruptFile, EmptyFile, UnsupportedMediaType

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


_EXTENSIONS = {
    ".jpg": MediaKind.JPEG, ".jpeg": MediaKind.JPEG, ".png": MediaKind.PNG, ".bmp": MediaKind.BMP,
    ".tif": MediaKind.TIFF, ".tiff": MediaKind.TIFF, ".gif": MediaKind.GIF,
    ".webp": MediaKind.WEBP, ".pdf": MediaKind.PDF,
}


def sniff(data: bytes, filename: str | None = None, content_type: str | None = None) -> MediaKind:
    """Return the kind of ``data`` judged from its bytes alone.

    The client's file name and content type never decide how a file is read;
    they only make the error clearer: a file that claims to be a PDF or an image
    we support but is not one is a damaged file (422 ``corrupt_file``), anything
    else is a type we do not take (415 ``unsupported_media_type``).
    """
    kind = _from_bytes(data)
    if kind is not None:
        return kind
    claimed = _claimed(filename, content_type)
    if claimed is not None:
        raise CorruptFile(
            f"The file is declared as {claimed.name} but its content is not a valid "
            f"{claimed.name} file."
        )
    raise UnsupportedMediaType(
        "Unsupported file type: send a JPEG, PNG, BMP, TIFF, GIF, WebP image or a PDF."
    )


def _claimed(filename: str | None, content_type: str | None) -> MediaKind | None:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    declared = (content_type or "").split(";")[0].strip().lower()
    return next((kind for kind in MediaKind if kind.value == declared), None)


def _from_bytes(data: bytes) -> MediaKind | None:
    if not data:
        raise EmptyFile("The uploaded file is empty.")
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return MediaKind.WEBP
    if b"%PDF-" in data[:PDF_SEARCH_WINDOW]:
        return MediaKind.PDF
    return None
