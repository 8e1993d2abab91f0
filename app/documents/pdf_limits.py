"""Bounds on the work a PDF may cause, checked before the work is done.

A few kilobytes of PDF can ask for minutes of CPU: a content stream of a
million tiny text operators, a page that draws a 100 000 x 100 000 image.
pypdf's own limits are lowered for text extraction (a page that exceeds them
counts as having no usable text layer), and the images a page draws are
measured before poppler is asked to render it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from pypdf import PageObject, apply_configuration


@dataclass(frozen=True, slots=True)
class PdfLimits:
    """The configured bounds one opened PDF is read under."""

    max_pixels: int
    """Most pixels a rendered page may have."""
    min_text_chars: int
    """Fewest characters a text layer needs to be trusted instead of OCR."""
    render_timeout_s: float
    """Longest time rendering one page may take (then ``PageTooComplex``)."""


MAX_PARSE_WORK: Final = 100_000
"""Content-stream tokens pypdf may parse per extraction (dense pages have 5 000-30 000)."""
MAX_STREAM_BYTES: Final = 16 * 1024 * 1024
"""Decompressed bytes of one stream (a page's content rarely reaches 1 MiB)."""
MAX_FORM_DEPTH: Final = 8
"""Nesting of form XObjects searched for images."""


@contextmanager
def bounded_pypdf() -> Iterator[None]:
    """pypdf with tighter work limits, for this thread's calls inside the block."""
    with apply_configuration(
        stream_parsing_work_maximum_count=MAX_PARSE_WORK,
        zlib_maximum_output_length=MAX_STREAM_BYTES,
        lzw_maximum_output_length=MAX_STREAM_BYTES,
        run_length_maximum_output_length=MAX_STREAM_BYTES,
        array_based_stream_maximum_output_length=MAX_STREAM_BYTES,
        xform_maximum_invocations_per_extraction=500,
    ):
        yield


def largest_image(page: PageObject) -> tuple[int, int]:
    """Width and height of the largest image the page's resources hold (0, 0 if none)."""
    best = (0, 0)
    for width, height in _images(page.get("/Resources"), depth=0, seen=set()):
        if width * height > best[0] * best[1]:
            best = (width, height)
    return best


def _images(resources: Any, depth: int, seen: set[int]) -> Iterator[tuple[int, int]]:
    resources = _resolve(resources)
    if depth > MAX_FORM_DEPTH or not hasattr(resources, "get"):
        return
    xobjects = _resolve(resources.get("/XObject"))
    if not hasattr(xobjects, "values"):
        return
    for ref in list(xobjects.values())[:1000]:
        key = id(_resolve(ref))
        if key in seen:
            continue
        seen.add(key)
        obj = _resolve(ref)
        if not hasattr(obj, "get"):
            continue
        subtype = obj.get("/Subtype")
        if subtype == "/Image":
            yield _int(obj.get("/Width")), _int(obj.get("/Height"))
        elif subtype == "/Form":
            yield from _images(obj.get("/Resources"), depth + 1, seen)


def _resolve(obj: Any) -> Any:
    return obj.get_object() if hasattr(obj, "get_object") else obj


def _int(value: Any) -> int:
    try:
        return max(0, int(_resolve(value)))
    except (TypeError, ValueError):
        return 0
