"""Checkers the format tests share: pdftotext words, box overlap, the ALTO schema, hOCR spec."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from collections import Counter
from functools import lru_cache
from html import unescape
from pathlib import Path

import pikepdf
import pytest
import xmlschema
from hocr_spec import HocrValidator
from hocr_spec.spec import HocrSpecProperties
from lxml import etree

from tests.support.server import ROOT

SCHEMAS = ROOT.parent / "shared" / "schemas"
Box = tuple[float, float, float, float]
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
_PAGE = re.compile(r"<page width=")


def pdftotext(pdf: bytes, *args: str) -> str:
    """pdftotext's output for ``pdf`` (poppler-utils)."""
    done = subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True,
                          check=True)
    return done.stdout.decode()


def pdf_words(pdf: bytes, dpi: float | list[float]) -> list[list[tuple[str, Box]]]:
    """Each page's words as pdftotext -bbox finds them, boxes in pixels at ``dpi``."""
    html = pdftotext(pdf, "-bbox")
    pages = _PAGE.split(html)[1:]
    scales = dpi if isinstance(dpi, list) else [dpi] * len(pages)
    found = []
    for page, page_dpi in zip(pages, scales, strict=True):
        s = page_dpi / 72
        found.append([
            (unescape(m.group(5)), (float(m.group(1)) * s, float(m.group(2)) * s,
                                    float(m.group(3)) * s, float(m.group(4)) * s))
            for m in _WORD.finditer(page)
        ])
    return found


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def matched_share(expected: list[Box], found: list[Box], threshold: float = 0.5) -> float:
    """Share of ``expected`` boxes some ``found`` box overlaps with IoU >= ``threshold``."""
    if not expected:
        return 1.0
    hits = sum(any(iou(e, f) >= threshold for f in found) for e in expected)
    return hits / len(expected)


def page_contents(pdf: bytes) -> list[bytes]:
    """Each page's content streams, joined (the image and the text layer drawn)."""
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        pages = []
        for page in opened.pages:
            contents = page.obj.Contents
            streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
            pages.append(b"".join(s.read_bytes() for s in streams))
        return pages


def qpdf_check(pdf: bytes, tmp: Path) -> str:
    """``qpdf --check`` output; raises when qpdf finds errors (exit status 2)."""
    path = tmp / "check.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@lru_cache(maxsize=1)
def alto_schema() -> xmlschema.XMLSchema:
    """ALTO 4.4, offline (its xlink import mapped to the local copy in ../shared/schemas)."""
    if not (SCHEMAS / "alto-4-4.xsd").is_file():
        pytest.skip(f"the ALTO 4.4 schema is not at {SCHEMAS} (see ../shared/schemas/README.md)")
    return xmlschema.XMLSchema(str(SCHEMAS / "alto-4-4.xsd"),
                               locations={"http://www.w3.org/1999/xlink":
                                          str(SCHEMAS / "xlink.xsd")})


def check_hocr(body: bytes) -> etree._Element:
    """Parse hOCR with lxml (well-formed XHTML) and run the hocr-spec checker on it.

    hocr-spec 0.2 checks hOCR 1.1 and does not know ``x_size``, a line property
    of hOCR 1.2 (section 8.9.13): it is declared here as the spec defines it
    (a float, the line's height in pixels) so the checker reads it instead of
    failing on it.
    """
    root = etree.fromstring(body)
    if not hasattr(HocrSpecProperties, "x_size"):
        HocrSpecProperties.x_size = HocrSpecProperties.HocrSpecProperty("x_size", float)
    # parse_strict=False builds lxml's HTML parser with recover=False: no repairs.
    report = HocrValidator("standard").validate(io.BytesIO(body), parse_strict=False,
                                                filename="answer.hocr")
    errors = [str(item) for item in report.items if item.level in ("ERROR", "FATAL")]
    assert not errors, "\n".join(errors[:10])
    return root


def word_tokens(words: list[str]) -> list[str]:
    """Words as tokens to compare: each wide (CJK) character alone, as the engine gives
    them and as pdftotext joins them."""
    tokens: list[str] = []
    for word in words:
        run = ""
        for char in word:
            if unicodedata.east_asian_width(char) in ("W", "F"):
                tokens += [run, char] if run else [char]
                run = ""
            else:
                run += char
        if run:
            tokens.append(run)
    return tokens


def found_in_order(expected: list[str], text: str) -> float:
    """Share of ``expected`` words found, in order, among the whitespace-separated tokens of
    ``text`` (longest common subsequence; 1.0 when nothing is expected)."""
    want, got = word_tokens(expected), word_tokens(text.split())
    if not want:
        return 1.0
    previous = [0] * (len(got) + 1)
    for w in want:
        current = [0]
        for j, g in enumerate(got, 1):
            current.append(previous[j - 1] + 1 if w == g else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1] / len(want)


def found_anywhere(expected: list[str], text: str) -> float:
    """Share of ``expected`` words found among the tokens of ``text``, order aside.

    pdftotext's default mode joins a word ending in a hyphen at a line's end with the
    first word of the line it reads next ("pres-" "ence" -> "presence"), and on pages it
    orders its own way that next line may be another column's ("ex-" "successful" ->
    "exsuccessful"): such joins are undone where the prefix is one of the hyphenated
    words expected and the rest an expected word; the hyphenated words themselves and
    the words after them are not counted."""
    want = word_tokens(expected)
    kept = [w for n, w in enumerate(want)
            if not w.endswith("-") and not (n and want[n - 1].endswith("-"))]
    if not kept:
        return 1.0
    prefixes = {w[:-1] for w in want if w.endswith("-") and len(w) > 1}
    known = set(want)
    tokens: list[str] = []
    for token in word_tokens(text.split()):
        split = None if token in known else next(
            (p for p in prefixes if token.startswith(p) and token[len(p):] in known), None)
        tokens += [split + "-", token[len(split):]] if split else [token]
    bag = Counter(tokens)
    return sum((Counter(kept) & bag).values()) / len(kept)
