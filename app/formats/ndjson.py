"""NDJSON stream lines (POST /ocr/stream): one JSON object per line, written as pages finish.

A ``document`` line first (page count, pages to come), a ``page`` line per page (the
page object of the JSON format), an ``end`` line with the timings, or an ``error``
line with the usual error body when the stream fails after its first byte.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

from app.domain import Page
from app.formats.json import page_model

MEDIA_TYPE: Final = "application/x-ndjson"


def _line(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def document_line(request_id: str, page_count: int, page_numbers: Sequence[int]) -> bytes:
    """The first line: what the stream will hold."""
    return _line({"type": "document", "request_id": request_id, "page_count": page_count,
                  "processed_pages": list(page_numbers)})


def page_line(page: Page, words: bool = False) -> bytes:
    """One page, as the JSON format writes it."""
    return _line({"type": "page", **page_model(page, words).model_dump(mode="json")})


def end_line(timings_ms: dict[str, float]) -> bytes:
    """The last line of a stream that read every page."""
    return _line({"type": "end", "timings_ms": timings_ms})


def error_line(code: str, message: str, request_id: str) -> bytes:
    """The last line of a stream that failed after its first line."""
    return _line({"type": "error", "error": {"code": code, "message": message,
                                             "request_id": request_id}})
