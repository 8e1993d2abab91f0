"""Values that leave ``app.documents``: decoded pages and their origin."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from app.engine.types import RecognizedLine


class MediaKind(StrEnum):
    """What an upload is, judged from its bytes alone."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    BMP = "image/bmp"
    TIFF = "image/tiff"
    GIF = "image/gif"
    WEBP = "image/webp"
    PDF = "application/pdf"


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a document, ready for OCR or already read from a text layer.

    ``image`` is set for pages that need OCR (RGB, uint8). ``text_lines`` is set
    for PDF pages whose text layer was used; their coordinates are pixels of the
    page rendered at the request's dpi, the same space OCR pages use.
    """

    index: int
    width: int
    height: int
    image: npt.NDArray[np.uint8] | None = None
    text_lines: tuple[RecognizedLine, ...] | None = None

    @property
    def source(self) -> str:
        """'ocr' or 'text-layer'."""
        return "text-layer" if self.text_lines is not None else "ocr"
