"""The OCR routes: the document in a chosen format, JSON, and a debug view of the same work."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, UploadFile

from app.api.deps import ServiceDep, SettingsDep
from app.api.negotiate import choose_format
from app.api.options import FileField, OptionsDep, read_upload
from app.api.schemas import ErrorEnvelope
from app.config import Settings
from app.domain import OutputFormat, RequestOptions
from app.formats.json_wire import DebugResponse, OCRResponse
from app.formats.registry import CHUNKS_MEDIA_TYPE, OCR_FORMATS
from app.observability.request_facts import facts_of, request_id_of
from app.service import OCRService

logger = logging.getLogger("app.api")
router = APIRouter(tags=["ocr"])


def _errors(*codes: int) -> dict[int | str, dict[str, object]]:
    described = {
        400: "empty_file: the upload has no bytes.",
        413: "file_too_large, image_too_large or page_limit_exceeded (use `pages`).",
        415: "unsupported_media_type: not an image or PDF, judged from the bytes.",
        422: "missing_file, invalid_option, unsupported_language, unknown_model_set, "
        "corrupt_file, invalid_pages, "
        "pdf_password_required, pdf_password_incorrect or page_too_complex.",
        503: "not_ready (warming up) or busy (queue full; see Retry-After).",
        504: "timeout: the request (or one PDF page's rendering) ran past its deadline.",
    }
    return {c: {"model": ErrorEnvelope, "description": described[c]} for c in codes}


_ERRORS = _errors(400, 413, 415, 422, 503, 504)


FormatField = Annotated[
    str | None,
    Form(json_schema_extra={"enum": [f.value for f in OCR_FORMATS]},
         description="Answer format: text (default), json, hocr (hOCR 1.2 XHTML), alto "
         "(ALTO 4.4 XML), pdf (searchable PDF), markdown or chunks (pieces for retrieval; "
         "see max_tokens, overlap, chunk_format). Without it the Accept header "
         "chooses (text/plain, application/json, application/xhtml+xml, application/xml, "
         "application/pdf, text/markdown, application/vnd.ocr.chunks+json); one that "
         "allows none of them gives 406."),
]

_FORMAT_DOCS: dict[str, tuple[str, dict[str, object]]] = {
    "text/plain": ("Plain text in reading order; text_layout=lines (default): one text line "
                   "per line, a blank line between paragraphs; text_layout=paragraphs: one "
                   "paragraph per line, hyphenated words rejoined. Pages are separated by a "
                   "form feed (\\f).", {"type": "string"}),
    "application/json": ("format=json: the /ocr/json body (with `words=true`, each line's "
                         "words).", {"$ref": "#/components/schemas/OCRResponse"}),
    "application/xhtml+xml": ("format=hocr: hOCR 1.2 (ocr_page, ocr_carea, ocr_par, "
                              "ocr_line, ocrx_word with bbox and x_wconf).",
                              {"type": "string"}),
    "application/xml": ("format=alto: ALTO 4.4 (pixel units; Page/PrintSpace/TextBlock/"
                        "TextLine/String with SP between words).", {"type": "string"}),
    "application/pdf": ("format=pdf: searchable PDF. An image becomes one page per frame, "
                        "embedded without re-encoding where possible; a PDF keeps every "
                        "page, and OCRed pages get an invisible text layer. An encrypted "
                        "PDF (opened with `password`) comes back unencrypted, to this "
                        "caller only.", {"type": "string", "format": "binary"}),
    "text/markdown": ("format=markdown: paragraphs, headings (##) where the layout finds "
                      "a title, `<!-- page N -->` before each page.", {"type": "string"}),
    CHUNKS_MEDIA_TYPE: ("format=chunks (JSON): {chunks: [{index, text, tokens, overlap, "
                        "pages, bboxes, heading_path}], max_tokens, overlap, chunk_format, "
                        "tokenizer}; chunks follow headings and paragraphs, at most "
                        "max_tokens each.",
                        {"type": "object", "required": ["chunks", "max_tokens", "overlap",
                                                        "chunk_format", "tokenizer"],
                         "properties": {"chunks": {"type": "array",
                                                   "items": {"type": "object"}}}}),
}


@router.post(
    "/ocr",
    summary="OCR a document, answer text, JSON, hOCR, ALTO, searchable PDF, Markdown or chunks",
    response_class=Response,
    responses={
        200: {
            "description": "The document in the chosen format (see each media type).",
            "content": {media: {"schema": {**schema, "description": text}}
                        for media, (text, schema) in _FORMAT_DOCS.items()},
        },
        406: {"model": ErrorEnvelope, "description": "not_acceptable: the Accept header "
              "allows none of the formats (and no `format` field was sent)."},
        500: {"model": ErrorEnvelope, "description": "internal or render_failed: the answer "
              "could not be written (never a partial file with 200)."},
        **_ERRORS,
    },
)
async def ocr(
    request: Request, service: ServiceDep, settings: SettingsDep, file: FileField,
    options: OptionsDep, format: FormatField = None,
) -> Response:
    """Recognized text in reading order, or the document in another format."""
    chosen = choose_format(format, request.headers.get("accept"))
    return await _answer(request, service, settings, file, replace(options, format=chosen))


@router.post("/ocr/json", summary="OCR a document, answer pages, lines, boxes",
             response_model=OCRResponse, responses=_ERRORS)
async def ocr_json(
    request: Request, service: ServiceDep, settings: SettingsDep, file: FileField,
    options: OptionsDep,
) -> Response:
    """Pages with their lines in reading order (text, confidence, polygon, box), blocks and
    paragraphs."""
    return await _answer(request, service, settings, file,
                         replace(options, format=OutputFormat.JSON))


@router.post("/ocr/debug", summary="OCR with every line, timings and options",
             response_model=DebugResponse, responses=_ERRORS)
async def ocr_debug(
    request: Request, service: ServiceDep, settings: SettingsDep, file: FileField,
    options: OptionsDep,
) -> Response:
    """The JSON answer plus lines below min_score, per-stage timings and options."""
    return await _answer(request, service, settings, file,
                         replace(options, format=OutputFormat.DEBUG))


async def _answer(
    request: Request, service: OCRService, settings: Settings, file: UploadFile,
    options: RequestOptions,
) -> Response:
    """Read the upload, have the service render it, record what was read."""
    data = await read_upload(request, file, settings.max_upload_bytes)
    rendered = await service.render(data, options, request_id=request_id_of(request),
                                    filename=file.filename, content_type=file.content_type)
    facts_of(request).read((p.source for p in rendered.document.pages), service.backend)
    return Response(rendered.body, media_type=rendered.media_type)
