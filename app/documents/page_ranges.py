"""Page selection: the ``pages`` option (1-based, such as ``"1-3,5,9-"``) and the page limit.

Items are separated by commas; each is ``N``, ``A-B``, ``A-`` (A to the last
page) or ``-B`` (first page to B). Whitespace around numbers is ignored. Errors
say what is wrong and how many pages the document has, so a client can fix the
request without a second round trip.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from app.errors import InvalidPages, PageLimitExceeded

MAX_SPEC_CHARS: Final = 1000
"""Longer specs are refused before parsing (and before ``int()`` sees huge numbers)."""

# [0-9] rather than \d: \d also matches non-ASCII digits (Arabic-Indic, fullwidth...).
_ITEM: Final = re.compile(r"\s*(?P<start>[0-9]+)?\s*(?P<dash>-)?\s*(?P<end>[0-9]+)?\s*")


def select_pages(
    spec: str | None, page_count: int, max_pages: int,
    indices: Sequence[int] | None = None,
) -> list[int]:
    """The 0-based pages to process: ``indices`` when given, else ``spec``'s pages (all
    for a missing or blank ``spec``).

    Raises ``InvalidPages`` for a bad ``spec`` or an index outside the document and
    ``PageLimitExceeded`` when more than ``max_pages`` pages are selected: a document
    is never cut short silently.
    """
    if indices is not None:
        selected = list(dict.fromkeys(indices))
        for index in selected:
            if not 0 <= index < page_count:
                noun = "page" if page_count == 1 else "pages"
                raise InvalidPages(f"page {index + 1} is out of range: the document has "
                                   f"{page_count} {noun}.")
    elif spec is None or not spec.strip():
        selected = list(range(page_count))
    else:
        selected = parse_page_ranges(spec, page_count)
    if len(selected) > max_pages:
        raise PageLimitExceeded(
            f"The request selects {len(selected)} of the document's {_pages(page_count)}, "
            f"but at most {max_pages} pages are processed per request; choose pages with "
            f"the 'pages' field, e.g. pages=1-{max_pages}."
        )
    return selected


def parse_page_ranges(spec: str, page_count: int) -> list[int]:
    """Return the 0-based page indexes ``spec`` selects, in order, without duplicates.

    Raises ``InvalidPages`` when the syntax is wrong, a page is outside
    ``1..page_count`` or a range runs backwards.
    """
    if len(spec) > MAX_SPEC_CHARS:
        raise InvalidPages(f"pages is longer than {MAX_SPEC_CHARS} characters.")
    if not spec.strip():
        raise InvalidPages(f"pages is empty; give pages such as '1-3,5' (1 to {page_count}).")
    selected: dict[int, None] = {}  # an ordered set: first occurrence wins
    for item in spec.split(","):
        first, last = _parse_item(item, page_count)
        for number in range(first, last + 1):
            selected.setdefault(number - 1)
    return list(selected)


def _parse_item(item: str, page_count: int) -> tuple[int, int]:
    """One comma-separated item as an inclusive 1-based (first, last) pair."""
    shown = item.strip()[:20] or "(empty)"
    match = _ITEM.fullmatch(item)
    if match is None or not (match["start"] or match["end"]):
        raise InvalidPages(
            f"pages item '{shown}' is not N, A-B, A- or -B (the document has {_pages(page_count)})."
        )
    if match["dash"] is None:
        if match["start"] is None or match["end"] is not None:
            raise InvalidPages(f"pages item '{shown}' is not N, A-B, A- or -B.")
        first = last = int(match["start"])
    else:
        first = int(match["start"]) if match["start"] else 1
        last = int(match["end"]) if match["end"] else page_count
    for number in (first, last):
        if not 1 <= number <= page_count:
            raise InvalidPages(
                f"pages item '{shown}' names page {number}, but the document has "
                f"{_pages(page_count)} (pages are numbered from 1)."
            )
    if first > last:
        raise InvalidPages(f"pages item '{shown}' runs backwards; write it as {last}-{first}.")
    return first, last


def _pages(count: int) -> str:
    return "1 page" if count == 1 else f"{count} pages"
