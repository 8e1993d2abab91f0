"""The image of a page made from an image upload, as small as the ``optimize`` level allows.

* Level 0 (none): a JPEG as sent, anything else from the decoded pixels with Flate.
* Level 1 (lossless, the default): also a PNG without transparency from its own
  compressed bytes (``pdf_png``: palette and bit depth kept) and bilevel pages as
  CCITT G4 (``pdf_g4``): on the corpus every image's PDF is at most 1.05 times
  the image + 20 kB (the 1-bit G4 TIFF was 1.7 times with Flate).
* Level 2 (lossy): also colour and grey frames that are no JPEG as JPEG at quality
  75 where that is smaller than the lossless image (OCRmyPDF's ``-O2`` reaches for
  pngquant and JPEG quality the same way). A JPEG upload is never encoded again
  (a second lossy pass only loses), nor are bilevel pages (G4 is already small).

A JPEG frame is passed through only when it is upright as stored; CMYK stays CMYK.
"""

from __future__ import annotations

import io
import zlib
from typing import Final

import numpy as np
import pikepdf
from pikepdf import Dictionary, Name
from PIL import Image as PILImage

from app.documents.images import decode_pages
from app.domain import MediaKind, Page, Pixels
from app.errors import RenderFailed
from app.formats.pdf_g4 import encode_g4
from app.formats.pdf_png import png_xobject, read_png

_JPEG_SPACES: Final = {"RGB": "DeviceRGB", "L": "DeviceGray", "CMYK": "DeviceCMYK"}
LOSSY_QUALITY: Final = 75


def image_xobject(
    pdf: pikepdf.Pdf, source: PILImage.Image, page: Page, kind: MediaKind | None,
    upload: bytes, optimize: int = 1,
) -> pikepdf.Object:
    """The page's image XObject (``source`` is the upload seeked to the page's frame)."""
    if (kind is MediaKind.JPEG and source.mode in _JPEG_SPACES
            and source.size == (page.width, page.height)
            and source.getexif().get(0x0112, 1) == 1):
        # The JPEG as the client sent it: no second lossy encoding, no growth; CMYK stays
        # CMYK (decoded to RGB it was 2.6 times the JPEG).
        image = _xobject(pdf, upload, page, _JPEG_SPACES[source.mode], 8, Name.DCTDecode)
        if source.mode == "CMYK" and "adobe" in source.info:
            # Adobe's CMYK JPEGs store inverted inks (Pillow inverts them on reading).
            image.Decode = pikepdf.Array([1, 0] * 4)
        return image
    if (optimize >= 1 and kind is MediaKind.PNG and (png := read_png(upload)) is not None
            and (png.width, png.height) == (page.width, page.height)
            and source.getexif().get(0x0112, 1) == 1):
        return png_xobject(pdf, png)
    pixels = page.image if page.image is not None else _decode_again(upload, kind, page)
    if np.array_equal(pixels[:, :, 0], pixels[:, :, 1]) and np.array_equal(
            pixels[:, :, 1], pixels[:, :, 2]):
        grey = np.ascontiguousarray(pixels[:, :, 0])
        if np.isin(grey, (0, 255)).all():
            coded = encode_g4(grey < 128) if optimize >= 1 else None
            if coded is not None:
                image = _xobject(pdf, coded, page, "DeviceGray", 1, Name.CCITTFaxDecode)
                image.DecodeParms = Dictionary(K=-1, Columns=page.width, Rows=page.height,
                                               BlackIs1=False)
                return image
            bits = np.packbits(grey > 127, axis=1).tobytes()
            return _xobject(pdf, zlib.compress(bits, 6), page, "DeviceGray", 1,
                            Name.FlateDecode)
        return _smallest(pdf, grey, page, "DeviceGray", optimize)
    return _smallest(pdf, pixels, page, "DeviceRGB", optimize)


def _smallest(pdf: pikepdf.Pdf, pixels: Pixels, page: Page, colors: str,
              optimize: int) -> pikepdf.Object:
    """Flate, or at level 2 JPEG where that is smaller."""
    lossless = zlib.compress(pixels.tobytes(), 6)
    if optimize >= 2:
        out = io.BytesIO()
        PILImage.fromarray(pixels).save(out, "JPEG", quality=LOSSY_QUALITY)
        if out.tell() < len(lossless):
            return _xobject(pdf, out.getvalue(), page, colors, 8, Name.DCTDecode)
    return _xobject(pdf, lossless, page, colors, 8, Name.FlateDecode)


def _xobject(pdf: pikepdf.Pdf, data: bytes, page: Page, colors: str, bits: int,
             codec: Name) -> pikepdf.Object:
    stream = pikepdf.Stream(pdf, data)
    stream.Type = Name.XObject
    stream.Subtype = Name.Image
    stream.Width = page.width
    stream.Height = page.height
    stream.ColorSpace = Name("/" + colors)
    stream.BitsPerComponent = bits
    stream.Filter = codec
    return pdf.make_indirect(stream)


def _decode_again(upload: bytes, kind: MediaKind | None, page: Page) -> Pixels:
    """The frame's pixels decoded again from the upload, as the service decoded them.

    A job keeps its pages without pixels (they would make every kept page megabytes),
    so its searchable PDF decodes each frame again, one at a time, when it is written.
    """
    if kind is None or kind is MediaKind.PDF:
        raise RenderFailed("The page's pixels were not kept for the PDF.")
    frames = decode_pages(upload, kind, max_pixels=page.width * page.height,
                          max_pages=page.index + 1, frames=page.index + 1,
                          selected={page.index})
    decoded = next(frames, None)
    if decoded is None or decoded.image is None or decoded.image.shape[:2] != (
            page.height, page.width):
        raise RenderFailed("The page's pixels could not be decoded again for the PDF.")
    return decoded.image
