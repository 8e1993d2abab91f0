"""A finished page as bytes and back, so a job keeps each page as soon as it is read.

Every field of the domain dataclasses is written (words, dropped lines, the
layout) and read back equal, floats included (JSON keeps the shortest repr that
round-trips), so a resumed job renders exactly what an uninterrupted one would.
The reader follows the dataclasses' own type hints, so new fields need no code
here; a page's pixels (``image``) are never kept.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from functools import cache
from typing import Any

from app import domain
from app.domain import Page


def encode_page(page: Page) -> bytes:
    """The page as compact JSON (without its pixels)."""
    plain = dataclasses.asdict(dataclasses.replace(page, image=None))
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()


def decode_page(data: bytes) -> Page:
    """A page written by ``encode_page``."""
    page: Page = _build(Page, json.loads(data))
    return page


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(domain))


def _build(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):  # X | None
        return _build(next(a for a in typing.get_args(hint) if a is not type(None)), value)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], item) for item in value)
        return tuple(_build(a, item) for a, item in zip(args, value, strict=True))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        return hint(**{f.name: _build(hints[f.name], value[f.name])
                       for f in dataclasses.fields(hint) if f.name in value})
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    return value
