"""Text-layer PDFs of the layout evaluation set, read in text mode: lines and order right.

The set (tests/support/layout_set.py) draws known text with fpdf2; these pages are where the
text layer, not the layout, decided the order: two-column gutters under 2 em, and
vertical CJK set glyph by glyph with a horizontal font.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from app.documents.source import DocumentLimits, open_document
from app.domain import MediaKind, PdfOptions
from app.formats.text import page_text
from app.service import lay_out
from tests.support.cer import cer
from tests.support.layout_set import build

# vertical-cjk-1 (a horizontal title over vertical columns) is still read out of order.
PAGES = ["2-column-0", "3-column-0", "vertical-cjk-0"]


@pytest.fixture(scope="module")
def layout_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("layout-set")
    build(out, set(PAGES))
    return out


@pytest.mark.parametrize("name", PAGES)
def test_text_layer_page_reads_in_true_order(layout_set: Path, name: str) -> None:
    truth = json.loads((layout_set / f"{name}.json").read_text(encoding="utf-8"))
    expected = "\n".join(item["text"] for item in truth["items"])
    limits = DocumentLimits(10, 10**8, 20, 30.0)
    document = open_document((layout_set / f"{name}.pdf").read_bytes(), MediaKind.PDF,
                             PdfOptions(mode="text"), limits, Path(tempfile.mkdtemp()))
    (decoded,) = list(document.pages())
    page = lay_out(decoded, decoded.text_lines or (), 0, 0.5)
    assert cer(page_text(page, "lines"), expected) <= 0.01
