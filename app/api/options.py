"""Form options shared by the OCR routes, validated once here and turned into the domain's
one immutable ``RequestOptions`` (the route then sets the format it answers in)."""

from __future__ import annotations

import time
from typing import Annotated, Literal

from fastapi import Depends, File, Form, Request, UploadFile

from app.api.deps import SettingsDep, StateDep
from app.api.state import AppState
from app.domain import (
    DEFAULT_CHUNK_TOKENS,
    MAX_CHUNK_TOKENS,
    MAX_DPI,
    MIN_CHUNK_TOKENS,
    MIN_DPI,
    ChunkOptions,
    EngineOptions,
    ExistingText,
    PdfMode,
    PdfOptions,
    RequestOptions,
    TextLayout,
)
from app.errors import FileTooLarge, InvalidOption, NotReady
from app.observability.request_facts import facts_of

FileField = Annotated[
    UploadFile,
    File(description="The document: JPEG, PNG, BMP, TIFF, GIF, WebP or PDF. "
         "The type is read from the file's bytes."),
]


def model_set_choice(state: AppState, model: str | None, lang: str | None) -> str:
    """The catalogue name of the set for a request's ``model`` and ``lang`` (422 if none)."""
    if state.pool is None:
        raise NotReady("The OCR engine is not ready (state: starting).",
                       headers={"Retry-After": "5"})
    return state.pool.catalogue.choose(model, lang).name


def request_options(
    settings: SettingsDep,
    state: StateDep,
    min_score: Annotated[
        float | None,
        Form(ge=0.0, le=1.0, description="Drop lines below this confidence (default from "
             "config, 0.5).", examples=[0.5]),
    ] = None,
    rotate: Annotated[
        bool | None,
        Form(description="Detect pages turned by 90/180/270 degrees (default from config)."),
    ] = None,
    det_limit_side_len: Annotated[
        int | None,
        Form(ge=320, le=4096, description="Longest side the text detector sees, in pixels."),
    ] = None,
    timeout_ms: Annotated[
        int | None,
        Form(ge=1, description="Deadline for this request in ms; at most the configured one."),
    ] = None,
    mode: Annotated[
        PdfMode,
        Form(description="PDF only. auto: text layer where a page has real text, OCR "
             "elsewhere; text: text layer only; ocr: render and OCR every page."),
    ] = PdfMode.AUTO,
    pages: Annotated[
        str | None,
        Form(description="PDF only. 1-based pages, e.g. '1-3,5,9-'. Default: all.",
             examples=["1-3,5"], max_length=1000),
    ] = None,
    existing_text: Annotated[
        ExistingText,
        Form(description="PDF only. Pages whose only text is an invisible OCR layer (an "
             "earlier OCR run). keep: use that layer where it maps to Unicode, page "
             "untouched; redo: OCR them again, the searchable PDF drops the old invisible "
             "text for the new; force: render and OCR every page (old invisible text "
             "dropped as with redo)."),
    ] = ExistingText.KEEP,
    optimize: Annotated[
        int | None,
        Form(ge=0, le=2, description="Searchable PDF from an image: 0 no optimization "
             "(Flate from the decoded pixels; a JPEG as sent), 1 lossless (the default: "
             "bilevel pages as CCITT G4, a PNG as stored), 2 lossy (also JPEG at quality "
             "75 where smaller). A PDF's own pages are never re-encoded."),
    ] = None,
    dpi: Annotated[
        int | None,
        Form(ge=MIN_DPI, le=MAX_DPI, description="PDF only. Render resolution for OCR "
             "pages (default from config, 200)."),
    ] = None,
    password: Annotated[
        str | None,
        Form(description="PDF only. Password of an encrypted PDF. Never logged.",
             max_length=1000, json_schema_extra={"format": "password"}),
    ] = None,
    text_layout: Annotated[
        TextLayout,
        Form(description="Plain text only. lines: one text line per line, a blank line "
             "between paragraphs; paragraphs: one paragraph per line, words hyphenated "
             "across line ends rejoined."),
    ] = "lines",
    lang: Annotated[
        str | None,
        Form(description="Language of the document, e.g. 'en', 'de', 'japan', 'korean' "
             "(GET /models lists what each set reads). Picks the set that reads it; the "
             "PP-OCRv6 sets read 52 languages with one model.", max_length=64,
             examples=["en"]),
    ] = None,
    model: Annotated[
        str | None,
        Form(description="Model set by name (GET /models) or profile: 'fast' (PP-OCRv6 "
             "tiny), 'accurate' (PP-OCRv6 small). Default: the configured set.",
             max_length=200, examples=["fast"]),
    ] = None,
    words: Annotated[
        bool,
        Form(description="JSON only: each line also lists its words (characters in CJK) "
             "with their boxes. Costs a little recognition time, hence off by default; "
             "hOCR, ALTO and PDF always carry word boxes."),
    ] = False,
    regions: Annotated[
        bool | None,
        Form(description="Classify each block (title, text, table, figure, caption, header, "
             "footer, formula; the layout model has no list or footnote class). Default: on "
             "for OCR pages (measured: +4 % CPU per page, +9 % with tables), off for PDF "
             "text-layer pages."),
    ] = None,
    tables: Annotated[
        bool | None,
        Form(description="Read tables into cells (JSON `pages[].tables`, Markdown and text "
             "tables). Default: on for OCR pages; on a PDF's text-layer pages only when "
             "true (the page is then rendered to find its tables)."),
    ] = None,
    running_heads: Annotated[
        bool,
        Form(description="Markdown only: keep running headers and footers (blocks of kind "
             "header/footer), which are left out by default."),
    ] = False,
    max_tokens: Annotated[
        int,
        Form(ge=MIN_CHUNK_TOKENS, le=MAX_CHUNK_TOKENS, description="format=chunks only: "
             "most tokens in one chunk, overlap included (tokens: words, a CJK character "
             "counts one)."),
    ] = DEFAULT_CHUNK_TOKENS,
    overlap: Annotated[
        int,
        Form(ge=0, le=MAX_CHUNK_TOKENS // 2, description="format=chunks only: tokens of "
             "the previous chunk repeated at the start of the next one (same section); "
             "less than half of max_tokens."),
    ] = 0,
    chunk_format: Annotated[
        Literal["text", "markdown"],
        Form(description="format=chunks only: chunk text as plain lines, or as Markdown "
             "(headings marked, syntax escaped) for LLM pipelines."),
    ] = "text",
) -> RequestOptions:
    """Merge the request's form fields with the configured defaults."""
    if overlap * 2 >= max_tokens:
        raise InvalidOption("overlap must be less than half of max_tokens.")
    limit_ms = settings.request_timeout_ms
    if timeout_ms is not None and timeout_ms > limit_ms:
        raise InvalidOption(f"timeout_ms must be at most {limit_ms}.")
    budget_s = (timeout_ms or limit_ms) / 1000
    return RequestOptions(
        min_score=settings.min_score if min_score is None else min_score,
        engine=EngineOptions(
            det_limit_side_len=det_limit_side_len or settings.det_limit_side_len,
            auto_rotate=settings.auto_rotate if rotate is None else rotate,
            word_boxes=words,
        ),
        deadline=time.monotonic() + budget_s,
        pdf=PdfOptions(mode=mode, pages=pages, dpi=dpi or settings.pdf_dpi,
                       password=password or None, existing_text=existing_text,
                       optimize=1 if optimize is None else optimize),
        text_layout=text_layout,
        model_set=model_set_choice(state, model, lang),
        words=words,
        regions=regions,
        tables=tables,
        running_heads=running_heads,
        chunks=ChunkOptions(max_tokens=max_tokens, overlap=overlap,
                            markdown=chunk_format == "markdown"),
    )


OptionsDep = Annotated[RequestOptions, Depends(request_options)]


async def read_upload(request: Request, file: UploadFile, max_bytes: int) -> bytes:
    """The upload's bytes; 413 when larger than ``max_bytes`` (read in chunks).

    Two parts named ``file`` are refused: reading one would drop the other silently.
    """
    form = await request.form()  # parsed already for the parameters: cached
    if len(form.getlist("file")) > 1:
        raise InvalidOption("Send one document per request in the field 'file'.")
    chunks: list[bytes] = []
    size = 0
    while chunk := await file.read(1 << 20):
        size += len(chunk)
        if size > max_bytes:
            raise FileTooLarge(f"The file is larger than the limit of {max_bytes} bytes.")
        chunks.append(chunk)
    facts_of(request).upload_bytes = size
    return b"".join(chunks)
