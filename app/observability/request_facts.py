"""The facts of one request that the access log and the metrics report, in one typed record.

The request-context middleware puts a fresh ``RequestFacts`` into the ASGI scope
before the app runs; routes and error handlers fill it in; the middleware reads it
once the answer is sent. One record instead of loose attributes on the request: a
reader sees every fact in one place, and a typo is a type error, not a silent miss.
Sizes, counts and codes only: never text or file content.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

SCOPE_KEY: Final = "ocr_facts"
"""Where the record lives in ``scope["state"]`` (Starlette's ``request.state``)."""


@dataclass(slots=True)
class RequestFacts:
    """What one request did, as far as logs and metrics care."""

    request_id: str = "-"
    upload_bytes: int | None = None
    pages: int | None = None
    page_sources: list[str] = field(default_factory=list)
    """Where each answered page's text came from ('ocr' or 'text-layer'), for /metrics."""
    backend: str | None = None
    error_code: str | None = None

    def read(self, sources: Iterable[str], backend: str | None = None) -> None:
        """Record the pages answered (by source) and the backend that read them."""
        self.page_sources = [str(s) for s in sources]
        self.pages = len(self.page_sources)
        if backend is not None:
            self.backend = backend


class _HasScope(Protocol):
    @property
    def scope(self) -> MutableMapping[str, Any]: ...


def facts_in(scope: MutableMapping[str, Any]) -> RequestFacts:
    """The record of the request of ``scope`` (a detached one outside the middleware)."""
    state = scope.setdefault("state", {})
    facts = state.get(SCOPE_KEY)
    if not isinstance(facts, RequestFacts):
        facts = RequestFacts()
        state[SCOPE_KEY] = facts
    return facts


def facts_of(request: _HasScope) -> RequestFacts:
    """The record of ``request`` (a Starlette request or anything with an ASGI scope)."""
    return facts_in(request.scope)


def request_id_of(request: _HasScope) -> str:
    """The id the request-context middleware gave this request ('-' outside one)."""
    return facts_of(request).request_id
