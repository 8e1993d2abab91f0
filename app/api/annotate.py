"""POST /ocr/annotate: the page as PNG with each line found outlined and numbered."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from app.api.deps import ServiceDep, SettingsDep
from app.api.options import FileField, OptionsDep, read_upload
from app.api.schemas import ErrorEnvelope
from app.domain import OutputFormat
from app.observability.request_facts import facts_of, request_id_of

router = APIRouter(tags=["ocr"])

_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorEnvelope, "description": text}
    for code, text in {
        400: "empty_file: the upload has no bytes.",
        401: "unauthorized: API keys are configured and none, or a wrong one, was sent.",
        413: "file_too_large, image_too_large (an image, or a PDF page over the pixel limit "
        "even at 72 dpi) or page_limit_exceeded.",
        415: "unsupported_media_type: not an image or PDF, judged from the bytes.",
        422: "missing_file, invalid_option, corrupt_file, invalid_pages (`page` beyond the "
        "document), pdf_password_required, pdf_password_incorrect or page_too_complex.",
        500: "internal: an unexpected failure (the message never carries details).",
        503: "not_ready (warming up) or busy (queue full; see Retry-After).",
        504: "timeout: the request (or rendering the PDF page) ran past its deadline.",
    }.items()
}

PageField = Annotated[
    int,
    Form(ge=1, le=10_000, examples=[1],
         description="1-based page (PDF) or frame (TIFF, GIF, WebP) to draw. Only this page "
         "is read; the `pages` field is ignored here."),
]


@router.post(
    "/ocr/annotate",
    summary="OCR one page, answer it as PNG with the lines drawn",
    response_class=Response,
    responses={
        200: {
            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The page as decoded (after EXIF rotation; a PDF page rendered at "
            "`dpi`), same size as the page in /ocr/json, with each kept line's polygon "
            "outlined and numbered in reading order. Headers: X-OCR-Page, "
            "X-OCR-Page-Count, X-OCR-Lines, X-OCR-Source.",
        },
        **_ERRORS,
    },
)
async def ocr_annotate(
    request: Request, service: ServiceDep, settings: SettingsDep, file: FileField,
    options: OptionsDep, page: PageField = 1,
) -> Response:
    """See what the OCR found: the lines /ocr/json returns for this page, drawn on it.

    Takes the same fields as /ocr/json (min_score decides which lines are drawn)
    plus `page`.
    """
    data = await read_upload(request, file, settings.max_upload_bytes)
    options = replace(options, format=OutputFormat.PNG, pages=(page - 1,))
    rendered = await service.render(data, options, request_id=request_id_of(request),
                                    filename=file.filename, content_type=file.content_type)
    document = rendered.document
    (read,) = document.pages
    facts_of(request).read([read.source], service.backend)
    headers = {
        "X-OCR-Page": str(page),
        "X-OCR-Page-Count": str(document.page_count),
        "X-OCR-Lines": str(len(read.lines)),
        "X-OCR-Source": read.source,
    }
    return Response(rendered.body, media_type=rendered.media_type, headers=headers)
