"""A finished page as bytes and back, so a job keeps each page as soon as it is read.

Pydantic's adapter for the domain dataclasses writes every field (words, dropped
lines, the layout) and reads them back equal, floats included (JSON keeps the
shortest repr that round-trips), so a resumed job renders exactly what an
uninterrupted one would. New fields on the domain types follow without code here.
"""

from __future__ import annotations

from functools import cache

from pydantic import TypeAdapter

from app.domain import Page


@cache
def _adapter() -> TypeAdapter[Page]:
    return TypeAdapter(Page)


def encode_page(page: Page) -> bytes:
    """The page as compact JSON."""
    return _adapter().dump_json(page)


def decode_page(data: bytes) -> Page:
    """A page written by ``encode_page``."""
    return _adapter().validate_json(data)
