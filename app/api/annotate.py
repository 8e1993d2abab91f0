"""POST /ocr/annotate: the page as PNG with each line found outlined and numbered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from app.annotate import annotate_page
from app.api.deps import ServiceDep, SettingsDep
from app.api.options import FileField, OptionsDep, read_upload
from app.schemas import ErrorEnvelope

router = APIRouter(tags=["ocr"])

_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorEnvelope, "description": text}
    for code, text in {
        400: "empty_file: the upload has no bytes.",
        401: "unauthorized: API keys are configured and none, or a wrong one, was sent.",
        413: "file_too_large, image_too_large (the page, or the PDF page rendered at `dpi`) "
        "or page_limit_exceeded.",
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
    request.state.upload_bytes = len(data)
    request.state.backend = service.backend
    result = await annotate_page(service, data, options, page, file.filename, file.content_type)
    request.state.pages = 1
    request.state.page_sources = [result.page.source]
    headers = {
        "X-OCR-Page": str(result.page_number),
        "X-OCR-Page-Count": str(result.page_count),
        "X-OCR-Lines": str(result.lines),
        "X-OCR-Source": result.page.source,
    }
    return Response(result.png, media_type="image/png", headers=headers)
