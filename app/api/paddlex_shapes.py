"""PaddleX basic serving's OCR request and answer, as plain values of ours.

The shapes follow PaddleX 3.x ``inference/serving/schemas/ocr.py`` (the request,
``InferResult``), ``serving/infra/models.py`` (the ``logId/errorCode/errorMsg``
envelope, ``dataInfo``) and what its OCR app puts in ``prunedResult`` (the
pipeline's own result without input paths). Errors keep PaddleX's convention:
``errorCode`` is the HTTP status. ``tests/api/test_paddlex.py`` validates our
answers with PaddleX's own pydantic models.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.domain import Document, Line, MediaKind, Page
from app.errors import InvalidOption

_URL = re.compile(r"^\s*[a-zA-Z][a-zA-Z0-9+.-]*://")


class PaddleXError(BaseModel):
    """PaddleX's ``AIStudioNoResultResponse``: ``errorCode`` is the HTTP status."""

    logId: str
    errorCode: int
    errorMsg: str


class PaddleXResult(BaseModel):
    """PaddleX's ``AIStudioResultResponse[InferResult]``."""

    logId: str
    errorCode: Literal[0] = 0
    errorMsg: Literal["Success"] = "Success"
    result: dict[str, Any] = Field(description="{ocrResults: [{prunedResult, ocrImage, "
                                   "docPreprocessingImage, inputImage}], dataInfo}")


class PaddleXOCRRequest(BaseModel):
    """PaddleX's ``InferRequest`` for the OCR pipeline, plus ``lang``/``model`` of ours."""

    model_config = ConfigDict(extra="ignore")  # as PaddleX's own models

    file: str = Field(description="The file's bytes, base64-encoded. URLs are refused: "
                      "the service never fetches from the network for a client.")
    fileType: Literal[0, 1] | None = Field(
        None, description="0: PDF, 1: image; absent: judged from the bytes.")
    useDocOrientationClassify: bool | None = Field(
        None, description="Read pages turned by 90/180/270 degrees upright (our page "
        "orientation check; default from config).")
    useDocUnwarping: Literal[False] | None = Field(None, description="Not available: only false.")
    useTextlineOrientation: bool | None = Field(
        None, description="Only what the service is configured with.")
    textDetLimitSideLen: int | None = Field(None, ge=320, le=4096)
    textDetLimitType: Literal["max"] | None = Field(
        None, description="Only 'max' (the longest side is limited).")
    textDetThresh: None = Field(None, description="Not adjustable per request: leave it out.")
    textDetBoxThresh: None = Field(None, description="Not adjustable per request: leave it out.")
    textDetUnclipRatio: None = Field(
        None, description="Not adjustable per request: leave it out.")
    textRecScoreThresh: float | None = Field(
        None, ge=0.0, le=1.0, description="Drop lines below this score (PaddleX's default 0).")
    returnWordBox: Literal[False] | None = Field(None, description="Not available: only false.")
    visualize: Literal[False] | None = Field(
        None, description="Not available: only false (POST /ocr/annotate draws the lines).")
    logId: str | None = Field(None, max_length=200)
    lang: str | None = Field(None, max_length=64, description="Ours: as /ocr's `lang`.")
    model: str | None = Field(None, max_length=200, description="Ours: as /ocr's `model`.")


def refuse_unsupported(req: PaddleXOCRRequest, textline_orientation: bool) -> None:
    """422 for options this service cannot honour: never ignored silently.

    (Detection thresholds, unwarping, word boxes and visualization are refused by
    the request model itself: their schema admits only null or false.)
    """
    if req.useTextlineOrientation is not None and req.useTextlineOrientation != (
        textline_orientation
    ):
        raise InvalidOption(
            f"useTextlineOrientation is {str(textline_orientation).lower()} in this service "
            "(OCR_USE_TEXTLINE_ORIENTATION).")


def file_bytes(file: str) -> bytes:
    """The upload's bytes; a URL is refused, never fetched."""
    if _URL.match(file):
        raise InvalidOption(
            "'file' holds a URL: this service never fetches from the network on a client's "
            "behalf. Send the file's bytes base64-encoded.")
    try:
        return base64.b64decode(file, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidOption("'file' is not valid base64.") from None


def check_file_type(file_type: int | None, kind: MediaKind) -> None:
    """``fileType`` must agree with what the bytes are."""
    if file_type is None:
        return
    if (file_type == 0) != (kind is MediaKind.PDF):
        said = "PDF" if file_type == 0 else "image"
        raise InvalidOption(f"fileType says {said} (fileType={file_type}), the file is {kind}.")


def log_id(req: PaddleXOCRRequest | None) -> str:
    """The client's ``logId``, or a new one (PaddleX uses a UUID4)."""
    return req.logId if req is not None and req.logId else str(uuid.uuid4())


def result_body(
    document: Document, det_limit: int, min_score: float,
    auto_rotate: bool, textline_orientation: bool,
) -> dict[str, Any]:
    """``{ocrResults, dataInfo}`` for a read document."""
    results = []
    for page in document.pages:
        pruned = _pruned(page, det_limit, min_score, auto_rotate, textline_orientation)
        results.append({"prunedResult": pruned, "ocrImage": None,
                        "docPreprocessingImage": None, "inputImage": None})
    return {"ocrResults": results, "dataInfo": data_info(document)}


def data_info(document: Document) -> dict[str, Any]:
    sizes = [{"width": p.width, "height": p.height} for p in document.pages]
    if document.kind is MediaKind.PDF:
        return {"numPages": len(sizes), "pages": sizes, "type": "pdf"}
    if document.kind is MediaKind.TIFF and len(sizes) != 1:
        return {"numPages": len(sizes), "pages": sizes, "type": "tiff"}
    return {**sizes[0], "type": "image"}


def _pruned(page: Page, det_limit: int, min_score: float, auto_rotate: bool,
            textline_orientation: bool) -> dict[str, Any]:
    lines = page.lines
    detected = (*lines, *page.dropped)
    return {
        "model_settings": {"use_doc_preprocessor": auto_rotate,
                           "use_textline_orientation": textline_orientation},
        **({"doc_preprocessor_res": {"model_settings": {"use_doc_orientation_classify": True,
                                                        "use_doc_unwarping": False},
                                     "angle": page.rotation}} if auto_rotate else {}),
        "dt_polys": [line_polygon(ln) for ln in detected],
        "text_det_params": {"limit_side_len": det_limit, "limit_type": "max"},
        "text_type": "general",
        "textline_orientation_angles": [-1] * len(lines),
        "text_rec_score_thresh": min_score,
        "return_word_box": False,
        "rec_texts": [ln.text for ln in lines],
        "rec_scores": [ln.score for ln in lines],  # every page is OCRed: all have one
        "rec_polys": [line_polygon(ln) for ln in lines],
        "rec_boxes": [line_box(ln) for ln in lines],
    }


def line_polygon(line: Line) -> list[list[int]]:
    return [[round(x), round(y)] for x, y in line.polygon]


def line_box(line: Line) -> list[int]:
    xs = [x for x, _ in line.polygon]
    ys = [y for _, y in line.polygon]
    return [round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys))]


def error_body(request_id: str, status: int, message: str) -> dict[str, Any]:
    """PaddleX's error envelope: ``errorCode`` is the HTTP status."""
    return {"logId": request_id, "errorCode": status, "errorMsg": message}
