"""An opened document streamed as NDJSON lines, page by page as they are read.

After the first line the HTTP status is sent and cannot change: an error then
becomes the stream's last line. Pages go out in page order and are not kept, so
memory stays flat however many pages the document has; a consumer that stops
(a client gone away) cancels the pages in flight and never starts the others.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from app.errors import OCRServiceError
from app.formats import ndjson
from app.service.opened import OpenedDocument

logger = logging.getLogger("app.service")


async def ndjson_lines(
    opened: OpenedDocument, request_id: str, on_done: Callable[[list[str]], None],
) -> AsyncIterator[bytes]:
    """The stream's lines; closes ``opened`` however the stream ends and then reports the
    sources of the pages sent (``on_done``)."""
    sources: list[str] = []
    try:
        yield ndjson.document_line(request_id, opened.page_count, opened.page_numbers)
        async with contextlib.aclosing(opened.pages()) as pages:
            async for page in pages:
                sources.append(page.source.value)
                yield ndjson.page_line(page)
        yield ndjson.end_line(opened.timings.as_ms())
    except OCRServiceError as exc:
        yield ndjson.error_line(exc.code, exc.message, request_id)
    except Exception:
        logger.exception("stream failed", extra={"request_id": request_id})
        yield ndjson.error_line("internal", "Internal server error.", request_id)
    finally:
        on_done(sources)
        await opened.close()
