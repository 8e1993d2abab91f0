"""Searchable PDF: the client's pages with an invisible text layer over what OCR read.

* From a PDF: every original page is kept as it is. Pages read from their
  own text layer, and pages not selected, are not touched (their content
  streams stay byte-identical); each OCRed page gets the text layer appended
  after its own content (wrapped in q/Q so its graphics state cannot leak),
  placed in user space through the page's MediaBox and /Rotate, the same
  geometry its render used. An OCRed page's earlier invisible text (an older
  OCR layer, ``pdf_strip``) is dropped first: one text layer per page. Nothing
  is re-rasterized, so the file stays close to its input size. An encrypted
  input, opened with the caller's password, is saved unencrypted: the answer
  goes only to the caller who knew it.
* From an image: one page per frame, sized from the image's resolution
  (300 dpi when it states none). A JPEG frame upright as stored is embedded
  as is (CMYK kept CMYK), a PNG without transparency from its own compressed bytes (``pdf_png``:
  palettes and bit depths kept); any other frame losslessly from the pixels the
  service decoded:
  bilevel pages as CCITT G4 (``pdf_g4``), grey ones as one Flate channel.

pikepdf (qpdf) does all the PDF work; ``pdf_text_layer`` writes the text.
"""

from __future__ import annotations

import contextlib
import io
import zlib
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, Final

import numpy as np
import pikepdf
from pikepdf import ContentStreamInstruction, Dictionary, Name, Operator
from PIL import Image as PILImage
from pypdf import PdfReader

from app.documents.images import decode_pages
from app.documents.pdf_geometry import PageGeometry
from app.domain import Document, MediaKind, Page, Pixels, Point, Source
from app.errors import RenderFailed
from app.formats.base import RenderContext
from app.formats.pdf_font import add_font
from app.formats.pdf_g4 import encode_g4
from app.formats.pdf_png import png_xobject, read_png
from app.formats.pdf_strip import strip_invisible_text
from app.formats.pdf_text_layer import ToUser, text_layer

DEFAULT_DPI: Final = 300
_JPEG_SPACES: Final = {"RGB": "DeviceRGB", "L": "DeviceGray", "CMYK": "DeviceCMYK"}
FONT_KEY: Final = Name("/OCRGlyphless")


def write(document: Document, context: RenderContext) -> bytes:
    """The registry's entry: a searchable PDF of the document."""
    out = io.BytesIO()
    _write(document, context, context.upload, out)
    return out.getvalue()


def write_to(document: Document, context: RenderContext, source: Path, target: Path) -> None:
    """The searchable PDF of the upload in file ``source`` written to file ``target``.

    A job's way (its upload is a file, its result one): qpdf reads the source's
    objects as it writes them and writes straight to disk, so neither file is held
    whole in memory, however many pages the document has.
    """
    with target.open("wb") as out:
        _write(document, context, source, out)


def _write(document: Document, context: RenderContext, source: Path | bytes,
           out: BinaryIO) -> None:
    try:
        if context.kind is MediaKind.PDF:
            _from_pdf(document, context, source, out)
        else:  # an image upload is one file within the upload limit: read it whole
            upload = source.read_bytes() if isinstance(source, Path) else source
            _from_images(document, replace(context, upload=upload), out)
    except (pikepdf.PdfError, ValueError, OSError) as exc:
        raise RenderFailed("The searchable PDF could not be written.") from exc


def _save(pdf: pikepdf.Pdf, out: BinaryIO) -> None:
    # Saving without encryption= drops any encryption of the input (see above).
    pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)


# -- from a PDF ------------------------------------------------------------------------


def _from_pdf(document: Document, context: RenderContext, source: Path | bytes,
              out: BinaryIO) -> None:
    ocr_pages = [p for p in document.pages if p.source is Source.OCR]
    with contextlib.ExitStack() as files:
        # Each reader its own handle: both read lazily, seeking as they go.
        def handle() -> BinaryIO:
            if isinstance(source, Path):
                return files.enter_context(source.open("rb"))
            return io.BytesIO(source)

        pdf = files.enter_context(pikepdf.open(handle(), password=context.password or ""))
        if ocr_pages:
            reader = PdfReader(handle())
            if reader.is_encrypted:
                reader.decrypt(context.password or "")
            font = add_font(pdf)
            for page in ocr_pages:
                target = pdf.pages[page.index]
                _give_own_resources(target)
                # One text layer per page: an earlier OCR run's invisible text goes.
                strip_invisible_text(pdf, target)
                if page.lines:
                    geometry = PageGeometry.of(reader.pages[page.index],
                                               page.dpi or context.dpi)
                    _add_text_layer(pdf, target, page, font, _pdf_to_user(geometry, page))
        _save(pdf, out)


def _pdf_to_user(geometry: PageGeometry, page: Page) -> ToUser:
    """Pixels of the rendered page to user space: ``PageGeometry.to_pixels`` inverted."""
    width_px, height_px = geometry.size
    # The render may be a pixel off the computed size: scale to the pixels OCR saw.
    fx = width_px / page.width if page.width else 1.0
    fy = height_px / page.height if page.height else 1.0
    w, h, s = geometry.width_pt, geometry.height_pt, geometry.scale

    def to_user(point: Point) -> Point:
        u, v = point[0] * fx / s, point[1] * fy / s
        if geometry.rotation == 90:
            u, v = v, h - u
        elif geometry.rotation == 180:
            u, v = w - u, h - v
        elif geometry.rotation == 270:
            u, v = w - v, u
        return geometry.left + u, geometry.bottom + h - v

    return to_user


def _add_text_layer(
    pdf: pikepdf.Pdf, target: pikepdf.Page, page: Page, font: pikepdf.Object, to_user: ToUser
) -> None:
    stream = text_layer(page, FONT_KEY, to_user)
    if not stream:
        return
    fonts = target.obj.Resources.get("/Font")
    fonts = Dictionary({k: v for k, v in fonts.items()}) if fonts is not None else Dictionary()
    fonts[FONT_KEY] = font
    target.obj.Resources.Font = fonts
    target.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    target.contents_add(pikepdf.Stream(pdf, b"\nQ\n" + stream), prepend=False)


def _give_own_resources(target: pikepdf.Page) -> None:
    """A /Resources dictionary of the page's own (a shallow copy of the inherited or
    shared one), so adding the font changes no other page."""
    node: pikepdf.Object | None = target.obj
    resources = None
    while node is not None and resources is None:
        resources = node.get("/Resources")
        node = node.get("/Parent")
    copied = Dictionary({k: v for k, v in resources.items()}) if resources is not None else None
    target.obj.Resources = copied if copied is not None else Dictionary()


# -- from images -----------------------------------------------------------------------


def _from_images(document: Document, context: RenderContext, out: BinaryIO) -> None:
    pdf = pikepdf.new()
    font = add_font(pdf)
    with PILImage.open(io.BytesIO(context.upload)) as source:
        for page in document.pages:
            source.seek(page.index)
            dpi = _dpi(source, page)
            image = _image_xobject(pdf, source, page, context.kind, context.upload)
            width_pt, height_pt = page.width * 72 / dpi[0], page.height * 72 / dpi[1]
            draw = pikepdf.unparse_content_stream([
                ContentStreamInstruction([], Operator("q")),
                ContentStreamInstruction([width_pt, 0, 0, height_pt, 0, 0], Operator("cm")),
                ContentStreamInstruction([Name.Im0], Operator("Do")),
                ContentStreamInstruction([], Operator("Q")),
            ])

            def to_user(point: Point, sx: float = 72 / dpi[0], sy: float = 72 / dpi[1],
                        top: float = height_pt) -> Point:
                return point[0] * sx, top - point[1] * sy

            text = text_layer(page, FONT_KEY, to_user)
            pdf.add_blank_page(page_size=(width_pt, height_pt))
            target = pdf.pages[-1]
            target.obj.Resources = Dictionary(XObject=Dictionary(Im0=image),
                                              Font=Dictionary({str(FONT_KEY): font}))
            target.obj.Contents = pikepdf.Stream(pdf, draw + b"\n" + text)
    _save(pdf, out)


def _dpi(source: PILImage.Image, page: Page) -> tuple[float, float]:
    """The frame's stated resolution (x, y), 300 dpi when it states none or nonsense."""
    stated = source.info.get("dpi")
    try:
        x, y = (float(v) for v in stated) if stated else (0.0, 0.0)
    except (TypeError, ValueError):
        x = y = 0.0
    if not (10 <= x <= 10_000 and 10 <= y <= 10_000):
        return (DEFAULT_DPI, DEFAULT_DPI)
    if source.size != (page.width, page.height):  # EXIF turned it a quarter
        x, y = y, x
    # PNG stores pixels per metre: 150 dpi reads back as 149.99.
    return (float(round(x)), float(round(y)))


def _image_xobject(
    pdf: pikepdf.Pdf, source: PILImage.Image, page: Page, kind: MediaKind | None, upload: bytes
) -> pikepdf.Object:
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
    if (kind is MediaKind.PNG and (png := read_png(upload)) is not None
            and (png.width, png.height) == (page.width, page.height)
            and source.getexif().get(0x0112, 1) == 1):
        return png_xobject(pdf, png)
    pixels = page.image if page.image is not None else _decode_again(upload, kind, page)
    if np.array_equal(pixels[:, :, 0], pixels[:, :, 1]) and np.array_equal(
            pixels[:, :, 1], pixels[:, :, 2]):
        grey = np.ascontiguousarray(pixels[:, :, 0])
        if np.isin(grey, (0, 255)).all():
            coded = encode_g4(grey < 128)
            if coded is not None:
                image = _xobject(pdf, coded, page, "DeviceGray", 1, Name.CCITTFaxDecode)
                image.DecodeParms = Dictionary(K=-1, Columns=page.width, Rows=page.height,
                                               BlackIs1=False)
                return image
            bits = np.packbits(grey > 127, axis=1).tobytes()
            return _xobject(pdf, zlib.compress(bits, 6), page, "DeviceGray", 1,
                            Name.FlateDecode)
        return _xobject(pdf, zlib.compress(grey.tobytes(), 6), page, "DeviceGray", 8,
                        Name.FlateDecode)
    return _xobject(pdf, zlib.compress(pixels.tobytes(), 6), page, "DeviceRGB", 8,
                    Name.FlateDecode)


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
