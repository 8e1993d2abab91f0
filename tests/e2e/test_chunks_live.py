"""POST /ocr format=chunks on the real engine and layout: a scanned page and a text PDF.

Every word /ocr/json reads is in exactly one chunk (no overlap), or in exactly one
chunk's own part (with overlap); no chunk is over ``max_tokens``; pages and boxes
point at the page the words are on.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from tests.conftest import corpus_bytes, needs_corpus

pytestmark = needs_corpus


def _post(client: httpx.Client, name: str, **fields: str) -> Any:
    response = client.post("/ocr", files={"file": (name, corpus_bytes(name))}, data=fields)
    assert response.status_code == 200, response.text
    return response.json()


def _read_words(client: httpx.Client, name: str) -> Counter[str]:
    document = _post(client, name, format="json")
    return Counter(w for page in document["pages"] for line in page["lines"]
                   for w in line["text"].split())


@pytest.mark.parametrize("name", ["tess_phototest.tif", "pypdf_crazyones.pdf"])
@pytest.mark.parametrize(("max_tokens", "overlap"), [(16, 0), (32, 8)])
def test_chunks_bound_tokens_and_hold_every_word_once(
    client: httpx.Client, name: str, max_tokens: int, overlap: int,
) -> None:
    words = _read_words(client, name)
    assert sum(words.values()) > max_tokens  # more than one chunk's worth
    body = _post(client, name, format="chunks", max_tokens=str(max_tokens),
                 overlap=str(overlap))
    chunks = body["chunks"]
    assert len(chunks) >= 2
    assert all(0 < c["tokens"] <= max_tokens for c in chunks)
    own = Counter(w for c in chunks for w in c["text"].split()[c["overlap"]:])
    assert own == words
    assert all(c["pages"] == [1] and c["bboxes"] for c in chunks)
    if overlap:
        assert any(c["overlap"] for c in chunks)


def test_chunks_are_chosen_by_accept_and_answered_in_their_type(client: httpx.Client) -> None:
    name = "tess_phototest.tif"
    response = client.post("/ocr", files={"file": (name, corpus_bytes(name))},
                           headers={"Accept": "application/vnd.ocr.chunks+json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.ocr.chunks+json"
    assert response.json()["tokenizer"] == "words"
