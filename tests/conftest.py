"""Shared fixtures: the corpus (read in place), a live service, fake engines.

The corpus is found as tests/support/corpus.py says (OCR_TEST_CORPUS, ../shared/corpus,
cache/corpus). Without one, collection still works from the committed manifest
copy, and every test that reads a corpus file is skipped with the same reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.corpus import load_manifest
from tests.support.server import CORPUS, CORPUS_LOOKUP, ROOT, LiveServer, start_server

__all__ = ["CORPUS", "ROOT", "LiveServer", "corpus_bytes", "corpus_entries", "manifest",
           "needs_corpus", "require_corpus", "start_server"]


def require_corpus() -> None:
    """Skip the calling test when there is no corpus. Every such skip is raised on this
    line, so pytest's summary folds them into one line with the one reason."""
    if not CORPUS_LOOKUP.found:
        pytest.skip(str(CORPUS_LOOKUP.missing_reason))


needs_corpus = pytest.mark.corpus
"""Marks a test (or, as ``pytestmark``, a module) that reads the corpus folder itself."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "corpus: the test reads the test corpus")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture: a test that cannot run starts no service.
    if item.get_closest_marker("corpus") is not None:
        require_corpus()


def pytest_report_header() -> str:
    if CORPUS_LOOKUP.found:
        return f"corpus: {CORPUS} ({CORPUS_LOOKUP.origin})"
    return f"corpus: none, the tests that read it are skipped: {CORPUS_LOOKUP.missing_reason}"


def manifest() -> list[dict[str, Any]]:
    """The corpus's own manifest, read in place; no entries when there is no corpus (the
    tests that read it are skipped then)."""
    return load_manifest(CORPUS / "manifest.json") if CORPUS_LOOKUP.found else []


def corpus_entries(kind: str) -> list[dict[str, Any]]:
    """Manifest entries of one kind ('image', 'pdf-text', ...)."""
    return [e for e in manifest() if e["kind"] == kind]


def corpus_bytes(name: str) -> bytes:
    """A corpus file's content, read in place; skips the calling test when there is no corpus."""
    require_corpus()
    return (CORPUS / name).read_bytes()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real service on the embedded default model set."""
    server = start_server(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=120) as http:
        yield http
