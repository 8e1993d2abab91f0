"""The plain values every stage shares: documents → engine → layout → formats.

Nothing here imports a stage. A stage receives these values and returns them, so
each can be tested alone with hand-made input, and no stage depends on another's
internals (documents never import the engine, layout never knows where a line
came from).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

Pixels = npt.NDArray[np.uint8]
"""An RGB page, shape (height, width, 3), dtype uint8."""

Point = tuple[float, float]
BBox = tuple[float, float, float, float]
"""Axis-aligned box (x_min, y_min, x_max, y_max) in pixels of the page."""

TextLayout = Literal["lines", "paragraphs"]

MIN_DPI: Final = 72
"""Lowest PDF render resolution: below it body text is too small to read."""
MAX_DPI: Final = 600
"""Highest PDF render resolution: above it pages grow past any useful size."""


class PdfMode(StrEnum):
    """Where a PDF page's text comes from."""

    AUTO = "auto"
    """The text layer where a page has trustworthy text, OCR elsewhere."""
    TEXT = "text"
    """The text layer only (a warning on pages whose layer is not trustworthy)."""
    OCR = "ocr"
    """Render and OCR every page."""


class ExistingText(StrEnum):
    """What to do with a PDF page whose only text is an invisible layer (an earlier OCR)."""

    KEEP = "keep"
    """Trust the layer where it maps to Unicode: its text is the page's, the page is
    passed through untouched."""
    REDO = "redo"
    """OCR the page again; the searchable PDF drops the old invisible text for ours."""
    FORCE = "force"
    """Render and OCR every page (as ``PdfMode.OCR``); old invisible text is dropped too."""


class Priority(IntEnum):
    """Who waits for a page on the engines: lower values are served first."""

    INTERACTIVE = 0
    """A client waiting for its answer (requests, streams)."""
    BACKGROUND = 1
    """A job: uses engine time nobody is waiting for; never refused as busy."""


class OutputFormat(StrEnum):
    """Every answer the service writes: the one list of format names.

    ``app.formats.registry`` maps each to its writer and what it needs.
    """

    TEXT = "text"
    JSON = "json"
    HOCR = "hocr"
    ALTO = "alto"
    PDF = "pdf"
    MARKDOWN = "markdown"
    PNG = "png"
    """One page with its lines drawn (POST /ocr/annotate)."""
    DEBUG = "debug"
    """The JSON answer with dropped lines and options (POST /ocr/debug)."""
    CHUNKS = "chunks"
    """Pieces of a bounded token count for retrieval, following headings and paragraphs."""


class PixelNeed(StrEnum):
    """Which read pages keep their decoded pixels (``Page.image``) for a format."""

    NEVER = "never"
    """None: memory stays flat however many pages a document has."""
    IMAGES = "images"
    """Pages of image uploads only: a searchable PDF embeds them (a PDF's own pages are
    never re-rasterized)."""
    ALWAYS = "always"
    """Every page (a PDF's text-layer pages are then rendered too): formats that draw."""


def map_back(point: Point, clockwise: int, width: float, height: float) -> Point:
    """A point of the page turned by ``clockwise`` degrees, on the original page (w x h).

    The one piece of geometry both the engine (auto-rotate's readings) and layout
    (ordering turned pages upright) need.
    """
    x, y = point
    if clockwise == 90:
        return (y, height - x)
    if clockwise == 180:
        return (width - x, height - y)
    if clockwise == 270:
        return (width - y, x)
    return (x, y)


class MediaKind(StrEnum):
    """What an upload is, judged from its bytes alone."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    BMP = "image/bmp"
    TIFF = "image/tiff"
    GIF = "image/gif"
    WEBP = "image/webp"
    PDF = "application/pdf"


class Source(StrEnum):
    """Where a page's text came from."""

    OCR = "ocr"
    TEXT_LAYER = "text-layer"


@dataclass(frozen=True, slots=True)
class Word:
    """One word (or, in scripts without spaces, one character) of a line."""

    text: str
    bbox: BBox
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Line:
    """One text line in the page's pixel coordinates.

    ``score`` is the recognizer's confidence; ``None`` where there is none to
    report (a PDF text layer).
    """

    text: str
    score: float | None
    polygon: tuple[Point, ...]
    words: tuple[Word, ...] = ()

    @property
    def bbox(self) -> BBox:
        """Axis-aligned box around the polygon."""
        xs = [p[0] for p in self.polygon]
        ys = [p[1] for p in self.polygon]
        return (min(xs), min(ys), max(xs), max(ys))


class RegionKind(StrEnum):
    """What a page region is (issue 21's names; the layout model maps its classes to them).

    The shipped model (PP-Layout CDLA) has no ``list`` and no ``footnote`` class: its list
    items come out as ``text``, its footnotes as ``text`` or ``footer``. The names stay so
    that a better model changes nothing downstream.
    """

    TITLE = "title"
    TEXT = "text"
    LIST = "list"
    TABLE = "table"
    FIGURE = "figure"
    CAPTION = "caption"
    HEADER = "header"
    FOOTER = "footer"
    FOOTNOTE = "footnote"
    FORMULA = "formula"

    @property
    def in_flow(self) -> bool:
        """Part of the main reading flow (running headers, footers, footnotes are not)."""
        return self not in (RegionKind.HEADER, RegionKind.FOOTER, RegionKind.FOOTNOTE)


@dataclass(frozen=True, slots=True)
class Region:
    """A typed region of a page, in the page's pixels, as the layout model found it."""

    kind: RegionKind
    bbox: BBox
    score: float


@dataclass(frozen=True, slots=True)
class TableCell:
    """One cell of a table: top-left grid position, spans, box (page pixels) and text."""

    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: BBox
    text: str


@dataclass(frozen=True, slots=True)
class Table:
    """A table read into cells: its grid, its cells with their text, and as HTML."""

    bbox: BBox
    rows: int
    cols: int
    cells: tuple[TableCell, ...]
    html: str
    header_rows: int = 0
    truncated: bool = False
    """Cut short: the model stopped before the table's end, or the cells limit was hit."""

    @property
    def spanned(self) -> bool:
        """Whether any cell spans rows or columns (Markdown then writes HTML)."""
        return any(c.rowspan > 1 or c.colspan > 1 for c in self.cells)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Consecutive lines of one block that belong together."""

    index: int
    bbox: BBox
    lines: tuple[int, ...]
    """Indices into the page's lines (reading order), ascending and contiguous."""
    heading: bool = False
    """Markedly taller text than the page's body: a title or heading."""


@dataclass(frozen=True, slots=True)
class Block:
    """A region read as a unit (a column's stretch of text, a title, a caption, a table)."""

    index: int
    bbox: BBox
    paragraphs: tuple[Paragraph, ...]
    kind: RegionKind | None = None
    """The region's kind; None when the page's regions were not classified."""
    caption_of: int | None = None
    """A caption: index of the block (figure or table) it describes."""
    table: int | None = None
    """A table block: index into the page's ``tables``."""


@dataclass(frozen=True, slots=True)
class PageLayout:
    """A page's lines in reading order, grouped into blocks and paragraphs."""

    lines: tuple[Line, ...]
    blocks: tuple[Block, ...]
    skew: float = 0.0
    """Degrees the page's text lines are tilted on the upright page, counter-clockwise as
    a reader sees it; the order was computed on the page turned straight (in geometry
    only: coordinates stay those of the page as sent)."""

    def line_places(self) -> list[tuple[int, int]]:
        """(block index, paragraph index) of each line, in the order of ``lines``."""
        places = [(0, 0)] * len(self.lines)
        for block in self.blocks:
            for paragraph in block.paragraphs:
                for i in paragraph.lines:
                    places[i] = (block.index, paragraph.index)
        return places


@dataclass(frozen=True, slots=True)
class DecodedPage:
    """One page as ``documents`` hands it on: pixels to OCR, or a text layer's lines.

    ``image`` is set for pages that need OCR (RGB, uint8). ``text_lines`` is set
    for PDF pages whose text layer was used; their coordinates are pixels of the
    page at ``dpi``, the same space OCR pages use.
    ``text_layer_note`` says why a PDF page's text layer was not trusted (the page
    is then OCRed), or, when it was used anyway (mode "text"), what is wrong with it.
    """

    index: int
    width: int
    height: int
    image: Pixels | None = None
    text_lines: tuple[Line, ...] | None = None
    text_layer_note: str | None = None
    dpi: int | None = None
    """PDF pages: the resolution its pixel coordinates are at (below the asked dpi where
    the page would exceed the pixel limit); None for images."""
    warnings: tuple[str, ...] = ()
    """What the client should know about how the page was read (a lowered dpi)."""

    @property
    def source(self) -> Source:
        """Where this page's text will come from."""
        return Source.TEXT_LAYER if self.text_lines is not None else Source.OCR


@dataclass(frozen=True, slots=True)
class Page:
    """A page read to the end: its layout, where the text came from, what was dropped."""

    index: int
    width: int
    height: int
    source: Source
    layout: PageLayout
    rotation: int = 0
    """Degrees (clockwise) the page was turned to read it upright; 0 when upright."""
    dropped: tuple[Line, ...] = ()
    """Lines below the request's ``min_score`` (not part of the layout)."""
    text_layer_note: str | None = None
    ocr_seconds: float = 0.0
    regions: tuple[Region, ...] = ()
    """The layout model's regions (empty when regions were not asked for or failed)."""
    tables: tuple[Table, ...] = ()
    dpi: int | None = None
    """PDF pages: the resolution the page was read at (``DecodedPage.dpi``)."""
    warnings: tuple[str, ...] = ()
    """What the client should know about this page: a limit or substitution that applied
    (a lowered dpi), or what went wrong without failing it (a structure model's error)."""
    image: Pixels | None = field(default=None, repr=False, compare=False)
    """The decoded pixels, kept only when the caller asked for them (``keep_images``):
    formats that draw or embed the page need them, the others never hold them."""

    @property
    def lines(self) -> tuple[Line, ...]:
        """The kept lines in reading order."""
        return self.layout.lines

    @property
    def skew(self) -> float:
        """The tilt of the page's lines in degrees (``PageLayout.skew``)."""
        return self.layout.skew


@dataclass(slots=True)
class Document:
    """A processed document: the pages read, in page order."""

    kind: MediaKind
    page_count: int
    pages: list[Page]
    timings_ms: dict[str, float] = field(default_factory=dict)
    model: str | None = None
    """Label of the model set that read the pages."""


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """Per-request inference options. Immutable: passed along, never stored on the engine.

    Pages are only batched together when their options are equal.
    """

    det_limit_side_len: int = 960
    auto_rotate: bool = True
    word_boxes: bool = False
    """Compute per-word boxes (characters in CJK); only hOCR, ALTO, PDF and
    ``words=true`` JSON need them."""


@dataclass(frozen=True, slots=True)
class PdfOptions:
    """How to turn a PDF into pages, and how the searchable PDF is written (checked where
    the options are built)."""

    mode: PdfMode = PdfMode.AUTO
    pages: str | None = None
    """1-based selection such as "1-3,5,9-" (PDFs only); None or blank selects every page."""
    dpi: int = 200
    """Render resolution of OCR pages, ``MIN_DPI`` to ``MAX_DPI``."""
    password: str | None = field(default=None, repr=False)  # never in logs or tracebacks
    existing_text: ExistingText = ExistingText.KEEP
    """Pages whose only text is an invisible OCR layer: keep it, redo it, or OCR everything."""
    optimize: int = 1
    """Searchable PDF from images: 0 none, 1 lossless (G4, PNG as stored), 2 lossy (JPEG
    where smaller); a PDF's own pages are never re-encoded."""


MIN_CHUNK_TOKENS: Final = 16
"""Smallest ``max_tokens`` of a chunk: below it a chunk holds less than a sentence."""
DEFAULT_CHUNK_TOKENS: Final = 512
MAX_CHUNK_TOKENS: Final = 8192
"""Largest ``max_tokens`` of a chunk: beyond any embedding model's window."""


@dataclass(frozen=True, slots=True)
class ChunkOptions:
    """How ``format=chunks`` cuts a document (checked where the options are built)."""

    max_tokens: int = DEFAULT_CHUNK_TOKENS
    """Most tokens in one chunk, its overlap included."""
    overlap: int = 0
    """Tokens of the previous chunk (same section) repeated at the start of the next;
    less than half of ``max_tokens``."""
    markdown: bool = False
    """Chunk text as Markdown (headings ``#``, escaped syntax) rather than plain lines."""


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """Everything one request (or job) asked for: immutable, passed along, never stored
    on a shared object. Built and checked once, where the request is translated
    (``app.api.options``, the PaddleX route, a job's stored record)."""

    min_score: float
    engine: EngineOptions
    deadline: float
    """``time.monotonic()`` instant after which the work is abandoned (504)."""
    pdf: PdfOptions = field(default_factory=PdfOptions)
    text_layout: TextLayout = "lines"
    model_set: str | None = None
    """The model set to read with (a catalogue name); None: the default set."""
    words: bool = False
    """JSON lines carry their words (text and box)."""
    format: OutputFormat = OutputFormat.TEXT
    """The answer the service renders."""
    priority: Priority = Priority.INTERACTIVE
    chunks: ChunkOptions = field(default_factory=ChunkOptions)
    """``format=chunks`` only: size, overlap and text format of the chunks."""
    pages: tuple[int, ...] | None = None
    """0-based pages (or frames) to read, in order; overrides ``pdf.pages`` (a job resuming
    its pages not yet kept, the annotate view's one page). None: ``pdf.pages`` decides."""
    regions: bool | None = None
    """Classify the page's regions (title, table, figure...). None: the default, on for
    OCR pages, off for text-layer pages (see ``structure_for``)."""
    tables: bool | None = None
    """Read tables into cells. None: the default, as ``regions``; True also renders a
    text-layer page to find its tables."""

    running_heads: bool = False
    """Markdown keeps running headers and footers (left out by default)."""

    def structure_for(self, source: Source) -> tuple[bool, bool]:
        """(regions, tables) to run on a page read from ``source``.

        Defaults measured (docs/structure-models.md, "Defaults";
        bench.quality.structure_cost, 18 drawn A4 pages): layout plus tables add 8.7 %
        to an OCR page's CPU time (median 1.38 → 1.50 s), under the issue's 25 % line,
        so they are on for OCR pages; a text-layer page would have to be rendered first
        (several times its whole cost), so it gets structure only when ``tables=true``
        (or ``regions=true``) is asked explicitly. Tables need the regions, so asking for
        tables runs the layout model too.
        """
        if source is Source.TEXT_LAYER:
            tables = self.tables is True
            return (self.regions is True or (tables and self.regions is not False), tables)
        tables = self.tables is not False
        regions = self.regions is not False
        return (regions, tables)
