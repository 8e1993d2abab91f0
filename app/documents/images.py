"""Image uploads decoded into RGB pages, with limits checked before pixels are.

Pillow reads the header first, so sizes and frame counts are known before any
pixel data is decoded: a 100 000 x 100 000 header costs nothing. Every frame of
a TIFF or GIF is a page. EXIF orientation is applied, so coordinates refer to
the page as a person sees it.
"""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Collection, Iterator

from PIL import Image, UnidentifiedImageError

from app.documents.pixels import to_rgb, upright
from app.domain import DecodedPage, MediaKind
from app.errors import CorruptFile, ImageTooLarge, PageLimitExceeded

_PIL_FORMATS: dict[MediaKind, str] = {
    MediaKind.JPEG: "JPEG",
    MediaKind.PNG: "PNG",
    MediaKind.BMP: "BMP",
    MediaKind.TIFF: "TIFF",
    MediaKind.GIF: "GIF",
    MediaKind.WEBP: "WEBP",
}
# What Pillow's decoders raise on damaged data (it has no single error type).
_DECODE_ERRORS = (
    OSError, SyntaxError, ValueError, TypeError, IndexError, KeyError, EOFError,
    struct.error, ZeroDivisionError, MemoryError,
)


MAX_JPEG_SCANS = 100
"""Progressive JPEGs use about 10 scans; each extra scan re-decodes the whole
image, so a small file with thousands costs minutes of CPU."""


def count_frames(data: bytes, kind: MediaKind, *, max_pixels: int, max_pages: int) -> int:
    """Open the header only and check size and frame limits; return the frame count."""
    if kind is MediaKind.JPEG:
        _check_jpeg_scans(data)
    with _open(data, kind, max_pixels) as img:
        _check_pixels(img.size, max_pixels)
        frames = int(getattr(img, "n_frames", 1))
        if frames > max_pages:
            raise PageLimitExceeded(
                f"The image has {frames} frames; at most {max_pages} pages are processed "
                "per request."
            )
        return frames


def decode_pages(
    data: bytes, kind: MediaKind, *, max_pixels: int, max_pages: int, frames: int | None = None,
    selected: Collection[int] | None = None,
) -> Iterator[DecodedPage]:
    """Yield each frame (or each of the ``selected`` 0-based frames) as an RGB page.

    ``frames``: the count ``count_frames`` already returned for ``data`` (its
    checks are not repeated); ``None`` runs them here.
    """
    if frames is None:
        frames = count_frames(data, kind, max_pixels=max_pixels, max_pages=max_pages)
    with _open(data, kind, max_pixels) as img:
        for index in range(frames):
            if selected is not None and index not in selected:
                continue
            try:
                img.seek(index)
                _check_pixels(img.size, max_pixels)
                rgb = to_rgb(upright(img) if index == 0 else img)
            except (ImageTooLarge, CorruptFile):
                raise
            except _DECODE_ERRORS as exc:
                raise CorruptFile(f"Page {index + 1} of the image cannot be decoded.") from exc
            yield DecodedPage(index=index, width=rgb.shape[1], height=rgb.shape[0], image=rgb)


def _open(data: bytes, kind: MediaKind, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow warns at half its bomb limit and raises above it: our own
            # limit decides, so its warning is noise and its error is ours.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[kind]])
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(f"The image exceeds {max_pixels} pixels.") from exc
    except (UnidentifiedImageError, *_DECODE_ERRORS) as exc:
        raise CorruptFile(f"The file looks like {kind.name} but cannot be decoded.") from exc


def _check_jpeg_scans(data: bytes) -> None:
    # Entropy-coded data stuffs every 0xFF with 0x00, so FF DA only marks a scan.
    scans = data.count(b"\xff\xda")
    if scans > MAX_JPEG_SCANS:
        raise CorruptFile(
            f"The JPEG has {scans} scans; at most {MAX_JPEG_SCANS} are accepted."
        )


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise CorruptFile("The image has no pixels.")
    if width * height > max_pixels:
        raise ImageTooLarge(
            f"The image is {width}x{height} = {width * height} pixels; "
            f"the limit is {max_pixels}."
        )
