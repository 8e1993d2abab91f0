"""``Range`` requests on a job result held in memory (the Redis store's results).

The embedded store's results are files, answered by Starlette's ``FileResponse``,
which streams from disk and honours ``Range`` itself; this gives a result kept in
Redis the same answers for one byte range: ``206`` with ``Content-Range``, ``416``
for a range past the end. Several ranges in one request get the whole body (200),
which RFC 9110 allows.
"""

from __future__ import annotations

import re
from typing import Final

from fastapi import Request, Response

_ONE_RANGE: Final = re.compile(r"^bytes=(\d*)-(\d*)$")


def ranged(request: Request, body: bytes, media_type: str) -> Response:
    """``body`` whole, or the one byte range the request's ``Range`` header asks for."""
    headers = {"Accept-Ranges": "bytes"}
    wanted = request.headers.get("range")
    match = _ONE_RANGE.match(wanted.strip()) if wanted else None
    if match is None or not any(match.groups()):
        return Response(body, media_type=media_type, headers=headers)
    size = len(body)
    first, last = match.groups()
    if not first:  # the last N bytes
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return Response(body[start:end + 1], status_code=206, media_type=media_type,
                    headers=headers)
