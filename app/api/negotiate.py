"""Which output format a request for POST /ocr wants: the ``format`` field, else ``Accept``.

``Accept`` is read as RFC 9110 says: media ranges with quality values, the
most specific range deciding a type's quality, the highest quality winning
and, on a tie, the order of ``FORMATS_BY_TYPE`` (plain text first: today's
answer). No header, or ``*/*``, gives plain text; a header that accepts
none of the formats is a 406 in the error envelope, before any work is done.
"""

from __future__ import annotations

from typing import Final

from app.domain import OutputFormat
from app.errors import NotAcceptable
from app.formats.registry import FORMATS, OCR_FORMATS, one_of

FORMATS_BY_TYPE: Final[dict[str, OutputFormat]] = {
    media: name for name in OCR_FORMATS for media in FORMATS[name].accept
}
"""Media type -> format, in the registry's order (plain text first)."""


def _ranges(header: str) -> list[tuple[str, float]]:
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    kind = media_type.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for media, quality in ranges:
        specificity = (2 if media == media_type else 1 if media == f"{kind}/*"
                       else 0 if media == "*/*" else -1)
        if specificity > best[0]:
            best = (specificity, quality)
    return best[1] if best[0] >= 0 else 0.0


def choose_format(field: str | None, accept: str | None) -> OutputFormat:
    """The format to answer in: the ``format`` field (one of the formats POST /ocr offers,
    else 422), else ``Accept``; raises ``NotAcceptable`` when ``accept`` allows none."""
    if field:
        return one_of(field, OCR_FORMATS)
    if not accept or not accept.strip():
        return OutputFormat.TEXT
    ranges = _ranges(accept)
    scored = [(_quality(t, ranges), -n, name)
              for n, (t, name) in enumerate(FORMATS_BY_TYPE.items())]
    quality, _, name = max(scored)
    if quality <= 0:
        offered = ", ".join(FORMATS_BY_TYPE)
        raise NotAcceptable(f"None of the accepted media types can be produced; POST /ocr "
                            f"answers {offered} (or use the form field 'format').")
    return name
