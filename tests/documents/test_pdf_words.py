"""Word boxes of text-layer lines, checked against poppler's own word boxes and the render.

poppler (``pdftotext -bbox``, from poppler-utils, which rendering needs anyway)
places every glyph with the font's metrics; the service's words must land on
the same spots. No OCR engine.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from app.documents.pdf import open_pdf
from app.domain import BBox, DecodedPage, PdfOptions
from tests.conftest import CORPUS, needs_corpus
from tests.documents.test_pdf_text_trust import CJK_FONT, CJK_TEXT, LATIN_FONT, cid_font_pdf

DPI = 72  # pixels = points: poppler's boxes need no scaling


def _pages(data: bytes, tmp_path: Path, pages: str | None = None) -> list[DecodedPage]:
    options = PdfOptions(mode="text", dpi=DPI, pages=pages)
    document = open_pdf(data, options, max_pages=200, max_pixels=40_000_000, min_text_chars=4,
                        render_timeout_s=30.0, workdir=tmp_path)
    with document:
        return list(document.pages())


def _poppler_words(path: Path, last_page: int) -> list[list[tuple[str, BBox]]]:
    """Words per page as poppler places them (points, top-left origin)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", str(last_page), str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout
    html = re.sub(r"<!DOCTYPE[^>]*>", "", html).replace('xmlns="http://www.w3.org/1999/xhtml"', "")
    return [
        [(w.text or "", tuple(float(w.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax")))
         for w in page.iter("word")]  # type: ignore[misc]
        for page in ElementTree.fromstring(html).iter("page")
    ]


def _file(data: bytes, folder: Path) -> Path:
    path = folder / "built.pdf"
    path.write_bytes(data)
    return path


def _iou(a: BBox, b: BBox) -> float:
    inter = max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@needs_corpus
@pytest.mark.parametrize(
    ("name", "pages"),
    [
        ("pypdf_crazyones.pdf", None),  # TeX: word gaps are TJ offsets
        ("pysf_minimal-document.pdf", None),
        ("pysf_GeoTopo-komprimiert.pdf", "1-5"),
    ],
)
def test_words_land_where_poppler_places_them(name: str, pages: str | None, tmp_path: Path) -> None:
    ours = _pages((CORPUS / name).read_bytes(), tmp_path, pages)
    theirs = _poppler_words(CORPUS / name, len(ours))

    ious = []
    for page, reference in zip(ours, theirs, strict=True):
        pool: dict[str, list[BBox]] = {}
        for line in page.text_lines or ():
            for word in line.words:
                pool.setdefault(word.text, []).append(word.bbox)
        for text, box in reference:
            if pool.get(text):
                best = max(pool[text], key=lambda b, box=box: _iou(b, box))  # type: ignore[misc]
                pool[text].remove(best)
                ious.append(_iou(best, box))
    assert len(ious) >= 0.9 * sum(len(r) for r in theirs)  # words match poppler's words
    assert sum(iou >= 0.5 for iou in ious) >= 0.9 * len(ious)


@needs_corpus
def test_words_spell_their_line(tmp_path: Path) -> None:
    (page,) = _pages((CORPUS / "pypdf_crazyones.pdf").read_bytes(), tmp_path)

    assert page.text_lines
    for line in page.text_lines:
        assert " ".join(word.text for word in line.words) == line.text
        x0, y0, x1, y1 = line.bbox
        for word in line.words:
            assert word.score is None
            assert x0 - 0.5 <= word.bbox[0] < word.bbox[2] <= x1 + 0.5
            assert y0 - 0.5 <= word.bbox[1] < word.bbox[3] <= y1 + 0.5
        lefts = [word.bbox[0] for word in line.words]
        assert lefts == sorted(lefts)


@pytest.mark.skipif(not CJK_FONT.is_file(), reason="needs Debian fonts-droid-fallback")
@pytest.mark.parametrize("to_unicode", [True, False])
def test_cjk_runs_give_one_word_per_character(to_unicode: bool, tmp_path: Path) -> None:
    data = cid_font_pdf(CJK_TEXT, CJK_FONT, to_unicode=to_unicode)
    (page,) = _pages(data, tmp_path)
    (reference,) = _poppler_words(_file(cid_font_pdf(CJK_TEXT, CJK_FONT), tmp_path), 1)

    assert page.text_lines is not None
    (line,) = page.text_lines
    assert [word.text for word in line.words] == list(CJK_TEXT)
    # poppler boxes the run as one word: our characters tile it.
    ((_, run),) = reference
    assert line.words[0].bbox[0] == pytest.approx(run[0], abs=1)
    assert line.words[-1].bbox[2] == pytest.approx(run[2], abs=1)


@pytest.mark.skipif(not LATIN_FONT.is_file(), reason="needs Debian fonts-dejavu-core")
def test_words_of_a_decoded_font_use_its_widths(tmp_path: Path) -> None:
    text = "iiii and WWW"  # fits the page at 40 pt (boxes are clipped to the page)
    (page,) = _pages(cid_font_pdf(text, LATIN_FONT, to_unicode=False), tmp_path)
    # poppler does not read a font's own cmap: its boxes come from the healthy twin.
    (reference,) = _poppler_words(_file(cid_font_pdf(text, LATIN_FONT), tmp_path), 1)

    assert page.text_lines is not None
    words = [word for line in page.text_lines for word in line.words]
    assert [w.text for w in words] == [text for text, _ in reference]
    for word, (_, box) in zip(words, reference, strict=True):
        assert word.bbox[0] == pytest.approx(box[0], abs=1)
        assert word.bbox[2] == pytest.approx(box[2], abs=1)
