"""The searchable PDF's text is the recognized text: every corpus image and scanned PDF.

``pdftotext -raw`` (content order) must give the JSON's words in the JSON's reading
order; ``pdftotext`` in its default mode orders text by its own layout analysis (it
reads a receipt's table by columns, a turned page's lines its own way), so there
every word must be found, order aside. Measured on the corpus when written: 100 % of
words in both modes (before per-word spacing: 95.4 % in -raw mode on
tess_unlv_8071_093.3B.tif, 97.5 % on rapidocrpdf_image.pdf). Sizes: at most 1.05 x an
image upload + 20 kB (the 1-bit G4 TIFF was 1.7 x before bilevel pages became G4), at
most 1.02 x a PDF upload + 10 kB a page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import corpus_bytes, corpus_entries
from tests.support.formats_checks import found_anywhere, found_in_order, pdftotext, qpdf_check

FILES = [e["file"] for e in corpus_entries("image") + corpus_entries("pdf-scanned")]
BOUND = 0.995


def json_words(body: dict[str, Any]) -> list[str]:
    return [w["text"] for page in body["pages"] for line in page["lines"]
            for w in line["words"] or []]


@pytest.mark.parametrize("name", FILES)
def test_pdf_text_is_the_json_words(client: httpx.Client, name: str, tmp_path: Path) -> None:
    data = corpus_bytes(name)
    answer = client.post("/ocr", files={"file": (name, data)},
                         data={"format": "json", "words": "true"})
    assert answer.status_code == 200, answer.text
    searchable = client.post("/ocr", files={"file": (name, data)}, data={"format": "pdf"})
    assert searchable.status_code == 200, searchable.text
    qpdf_check(searchable.content, tmp_path)
    words = json_words(answer.json())
    raw = pdftotext(searchable.content, "-raw")
    assert found_in_order(words, raw) >= BOUND, raw[:400]
    assert found_anywhere(words, pdftotext(searchable.content)) >= BOUND
    if not words:
        assert not raw.strip()
    if name.endswith(".pdf"):  # pages kept as they are, a text layer added
        assert len(searchable.content) <= 1.02 * len(data) + 10_000 * len(answer.json()["pages"])
    else:  # JPEG passed through, bilevel as G4, the rest lossless
        assert len(searchable.content) <= 1.05 * len(data) + 20_000
