"""Shared fixtures: the corpus (read in place), a live service, fake engines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bench.server import CORPUS, ROOT, LiveServer, start_server

__all__ = ["CORPUS", "ROOT", "LiveServer", "corpus_bytes", "corpus_entries", "manifest",
           "start_server"]


def manifest() -> list[dict[str, Any]]:
    """The corpus manifest (fails loudly when the corpus is missing)."""
    path = CORPUS / "manifest.json"
    assert path.is_file(), f"corpus not found at {CORPUS}"
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def corpus_entries(kind: str) -> list[dict[str, Any]]:
    """Manifest entries of one kind ('image', 'pdf-text', ...)."""
    return [e for e in manifest() if e["kind"] == kind]


def corpus_bytes(name: str) -> bytes:
    """A corpus file's content, read in place."""
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
