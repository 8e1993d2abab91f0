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
  as is; other frames as ``pdf_images`` decides from the ``optimize`` level.

pikepdf (qpdf) does all the PDF work; ``pdf_text_layer`` writes the text.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, Final

import pikepdf
from pikepdf import ContentStreamInstruction, Dictionary, Name, Operator
from PIL import Image as PILImage
from pypdf import PdfReader

from app.documents.pdf_geometry import PageGeometry
from app.domain import Document, MediaKind, Page, Point, Source
from app.errors import RenderFailed
from app.formats.base import RenderContext
from app.formats.pdf_font import add_font
from app.formats.pdf_images import image_xobject
from app.formats.pdf_strip import strip_invisible_text
from app.formats.pdf_text_layer import ToUser, text_layer

DEFAULT_DPI: Final = 300
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
            image = image_xobject(pdf, source, page, context.kind, context.upload,
                                 context.options.pdf.optimize)
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
