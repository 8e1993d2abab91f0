"""POST /paddlex/layout-parsing: PP-StructureV3 serving's API, so its clients switch by URL.

Same JSON in (``{"file": <base64>, "fileType": 0|1, "useTableRecognition": ...}``), same
envelope out (``{logId, errorCode, errorMsg, result: {layoutParsingResults, dataInfo}}``),
errors in that envelope as /paddlex/ocr does. Every page is OCRed (PDF mode ``ocr``), as
PaddleX does; regions always, tables unless ``useTableRecognition`` is false. Options
this service cannot honour (seals, formula recognition, charts, unwarping, images in
the answer) are refused with 422, never ignored.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.api.deps import StateDep
from app.api.paddlex import failure, paddlex_options, paddlex_upload, parse, read_paddlex
from app.api.paddlex_layout_shapes import PaddleXLayoutRequest, layout_result
from app.api.paddlex_shapes import (
    PaddleXError,
    PaddleXResult,
    log_id,
)

router = APIRouter(tags=["paddlex"])

_EXAMPLE_OK = {
    "logId": "5f1c...", "errorCode": 0, "errorMsg": "Success",
    "result": {"layoutParsingResults": [{
        "prunedResult": {"parsing_res_list": [
            {"block_label": "table", "block_bbox": [104, 565, 708, 991], "block_id": 2,
             "block_order": 3, "block_content": "<table><tbody><tr><td>Item</td>...</table>"}],
            "table_res_list": [{"pred_html": "<table>...</table>"}]},
        "markdown": {"text": "| Item | Qty |\n|---|---|\n| Beta | 12 |", "isStart": True,
                     "isEnd": True, "images": {}}}],
        "dataInfo": {"width": 1240, "height": 1754, "type": "image"}},
}


@router.post(
    "/paddlex/layout-parsing",
    summary="PaddleX-compatible layout parsing (PP-StructureV3 serving's /layout-parsing)",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": PaddleXLayoutRequest.model_json_schema()}}}},
    response_model=PaddleXResult,
    responses={
        200: {"content": {"application/json": {"example": _EXAMPLE_OK}},
              "description": "PaddleX's result envelope."},
        **{code: {"model": PaddleXError, "description": text} for code, text in (
            (400, "The file is empty."),
            (415, "Neither an image nor a PDF, judged from the bytes."),
            (422, "Invalid request, or an option not available here (seal, formula or "
                  "chart recognition, unwarping, visualization)."),
            (413, "The image or the page count exceeds a limit."),
            (500, "Internal error (no details)."),
            (503, "Not ready, or busy (see Retry-After)."),
            (504, "The request ran past its deadline."))},
    },
)
async def paddlex_layout_parsing(request: Request, state: StateDep) -> JSONResponse:
    """Parse a base64 document's layout and tables as PP-StructureV3 serving does."""
    req: PaddleXLayoutRequest | None = None
    try:
        req = parse(PaddleXLayoutRequest, await request.body())
        return JSONResponse(await _infer(request, state, req))
    except Exception as exc:
        return failure(request, req, exc)


async def _infer(request: Request, state: StateDep, req: PaddleXLayoutRequest
                 ) -> dict[str, object]:
    data = paddlex_upload(request, state, req)
    tables = req.useTableRecognition is not False
    options = paddlex_options(state, req, regions=True, tables=tables)
    document = await read_paddlex(request, state, data, options, req.fileType)
    result = layout_result(document, tables, options.engine.auto_rotate)
    return {"logId": log_id(req), "errorCode": 0, "errorMsg": "Success", "result": result}
