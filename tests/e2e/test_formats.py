"""POST /ocr in every format on the real engine: images, multi-frame TIFFs, scanned, text,
mixed and encrypted PDFs, checked against /ocr's own JSON answer and the formats' specs."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import httpx
import pikepdf
import pytest
from lxml import etree
from PIL import Image

from tests.conftest import corpus_bytes
from tests.support.cer import cer
from tests.support.formats_checks import (
    alto_schema,
    check_hocr,
    matched_share,
    pdf_words,
    pdftotext,
    qpdf_check,
)

_WIDE = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def _ocr(client: httpx.Client, name: str, data: bytes, fmt: str, **fields: str
         ) -> httpx.Response:
    response = client.post("/ocr", files={"file": (name, data)}, data={"format": fmt, **fields})
    assert response.status_code == 200, response.text
    return response


def _scanned_pdf(*names: str, resolution: float = 150.0) -> bytes:
    """A PDF whose pages are the images ``names`` (what a scanner writes)."""
    frames = [Image.open(io.BytesIO(corpus_bytes(n))).convert("RGB") for n in names]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PDF", resolution=resolution, save_all=True,
                   append_images=frames[1:])
    return buffer.getvalue()


def _mixed_pdf() -> bytes:
    """Page 1: a text PDF page; page 2: a scanned page."""
    with pikepdf.open(io.BytesIO(corpus_bytes("pypdf_crazyones.pdf"))) as text, \
            pikepdf.open(io.BytesIO(_scanned_pdf("tess_phototest.tif"))) as scan:
        text.pages.extend(scan.pages)
        out = io.BytesIO()
        text.save(out)
        return out.getvalue()


def _page_texts(document: dict[str, Any]) -> list[str]:
    return ["\n".join(line["text"] for line in page["lines"]) for page in document["pages"]]


def _px_per_pt(pdf: bytes, document: dict[str, Any]) -> list[float]:
    """Each output page's pixels (as OCRed) per point, as dpi for ``pdf_words``."""
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        scales = []
        for page, result in zip(opened.pages, document["pages"], strict=True):
            x0, _, x1, _ = (float(v) for v in page.mediabox)
            y_span = float(page.mediabox[3]) - float(page.mediabox[1])
            width_pt = y_span if int(page.obj.get("/Rotate", 0)) % 180 else x1 - x0
            scales.append(72 * result["width"] / width_pt)
        return scales


def _check_pdf(pdf: bytes, document: dict[str, Any], tmp: Path,
               ocr_pages: list[int] | None = None) -> None:
    """Text and word boxes of the searchable PDF match the JSON answer, page by page."""
    qpdf_check(pdf, tmp)
    # -raw: text in the order the layer draws it (our reading order), not poppler's
    # column guess, which merges lines across the columns of a two-column page.
    texts = pdftotext(pdf, "-raw").split("\f")
    found = pdf_words(pdf, _px_per_pt(pdf, document))
    for n, (page, expected) in enumerate(zip(document["pages"], _page_texts(document),
                                             strict=False)):
        if ocr_pages is not None and n not in ocr_pages:
            continue
        assert page["source"] == "ocr"
        assert cer(texts[n], expected) <= 0.02, (texts[n], expected)
        boxes = [tuple(w["bbox"]) for line in page["lines"] for w in line["words"]
                 if not _WIDE.search(w["text"])]
        share = matched_share(boxes, [b for _, b in found[n]])
        assert share >= 0.95, f"page {n + 1}: {share:.2%} of word boxes found"


def _check_xml(client: httpx.Client, name: str, data: bytes, document: dict[str, Any],
               **fields: str) -> None:
    """hOCR passes the checker and ALTO the schema, with every JSON word in both."""
    words = [w["text"] for page in document["pages"] for line in page["lines"]
             for w in line["words"]]
    hocr = _ocr(client, name, data, "hocr", **fields)
    assert hocr.headers["content-type"].startswith("application/xhtml+xml")
    root = check_hocr(hocr.content)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    assert root.xpath("//h:span[@class='ocrx_word']/text()", namespaces=ns) == words
    assert len(root.xpath("//h:div[@class='ocr_page']", namespaces=ns)) == len(
        document["pages"])
    alto = _ocr(client, name, data, "alto", **fields)
    alto_schema().validate(io.BytesIO(alto.content))
    tree = etree.fromstring(alto.content)
    strings = tree.xpath("//a:String/@CONTENT",
                         namespaces={"a": "http://www.loc.gov/standards/alto/ns-v4#"})
    assert strings == words


def test_image_every_format(client: httpx.Client, tmp_path: Path) -> None:
    name, data = "phototest.tif", corpus_bytes("tess_phototest.tif")
    document = _ocr(client, name, data, "json", words="true").json()
    assert all(line["words"] for line in document["pages"][0]["lines"])
    plain = client.post("/ocr/json", files={"file": (name, data)}).json()
    assert "words" not in plain["pages"][0]["lines"][0]  # off by default
    pdf = _ocr(client, name, data, "pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    _check_pdf(pdf.content, document, tmp_path)
    _check_xml(client, name, data, document)
    markdown = _ocr(client, name, data, "markdown").text
    expected = [p for block in document["pages"][0]["blocks"] for p in block["paragraphs"]]
    body = markdown.split("<!-- page 1 -->\n\n", 1)[1].strip()
    assert len(body.split("\n\n")) == len(expected)
    assert cer(markdown.replace("<!-- page 1 -->", ""), _page_texts(document)[0]) < 0.01


def test_cjk_image_pdf_is_searchable(client: httpx.Client, tmp_path: Path) -> None:
    name, data = "cjk.jpg", corpus_bytes("rapidocr_ch_en_num.jpg")
    document = _ocr(client, name, data, "json", words="true").json()
    pdf = _ocr(client, name, data, "pdf").content
    qpdf_check(pdf, tmp_path)
    text = pdftotext(pdf)
    for phrase in ("正品促销", "大桶装更划算"):
        assert phrase in "".join(text.split())
    assert cer(pdftotext(pdf, "-raw"), _page_texts(document)[0]) <= 0.02
    with pikepdf.open(io.BytesIO(pdf)) as opened:  # the JPEG as sent, not re-encoded
        (image,) = opened.pages[0].get_images().values()
        assert image.read_raw_bytes() == data


def test_multi_frame_tiff_one_page_per_frame(client: httpx.Client, tmp_path: Path) -> None:
    frames = [Image.open(io.BytesIO(corpus_bytes(n))).convert("RGB")
              for n in ("cnocr_helloworld.jpg", "tess_phototest.tif")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], dpi=(200, 200))
    data = buffer.getvalue()
    document = _ocr(client, "two.tif", data, "json", words="true").json()
    pdf = _ocr(client, "two.tif", data, "pdf").content
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        assert len(opened.pages) == 2
        assert float(opened.pages[1].mediabox[2]) == pytest.approx(
            frames[1].width * 72 / 200, abs=0.01)
    _check_pdf(pdf, document, tmp_path)
    _check_xml(client, "two.tif", data, document)


def test_scanned_pdf_keeps_its_pages_and_size(client: httpx.Client, tmp_path: Path) -> None:
    data = _scanned_pdf("tess_phototest.tif", "tess_eurotext.tif")
    document = _ocr(client, "scan.pdf", data, "json", words="true").json()
    pdf = _ocr(client, "scan.pdf", data, "pdf").content
    assert len(pdf) <= 1.1 * len(data) + 50_000 * 2
    _check_pdf(pdf, document, tmp_path)
    with pikepdf.open(io.BytesIO(data)) as before, pikepdf.open(io.BytesIO(pdf)) as after:
        for old, new in zip(before.pages, after.pages, strict=True):
            assert [float(v) for v in old.mediabox] == [float(v) for v in new.mediabox]
            (old_image,) = old.get_images().values()
            (new_image,) = new.get_images().values()
            assert old_image.read_raw_bytes() == new_image.read_raw_bytes()
    _check_xml(client, "scan.pdf", data, document)


def test_corpus_scanned_pdf(client: httpx.Client, tmp_path: Path) -> None:
    data = corpus_bytes("rapidocrpdf_image.pdf")
    document = _ocr(client, "scan.pdf", data, "json", words="true").json()
    pdf = _ocr(client, "scan.pdf", data, "pdf").content
    assert len(pdf) <= 1.1 * len(data) + 50_000
    _check_pdf(pdf, document, tmp_path)


def test_mixed_pdf_text_pages_untouched(client: httpx.Client, tmp_path: Path) -> None:
    data = _mixed_pdf()
    document = _ocr(client, "mixed.pdf", data, "json", words="true").json()
    assert [p["source"] for p in document["pages"]] == ["text-layer", "ocr"]
    pdf = _ocr(client, "mixed.pdf", data, "pdf").content
    _check_pdf(pdf, document, tmp_path, ocr_pages=[1])
    with pikepdf.open(io.BytesIO(data)) as before, pikepdf.open(io.BytesIO(pdf)) as after:
        old, new = before.pages[0].obj.Contents, after.pages[0].obj.Contents
        olds = [old] if isinstance(old, pikepdf.Stream) else list(old)
        news = [new] if isinstance(new, pikepdf.Stream) else list(new)
        assert [s.read_raw_bytes() for s in olds] == [s.read_raw_bytes() for s in news]
    assert "The Crazy Ones" in pdftotext(pdf).split("\f")[0]
    _check_xml(client, "mixed.pdf", data, document)
    markdown = _ocr(client, "mixed.pdf", data, "markdown").text
    assert "<!-- page 1 -->" in markdown and "<!-- page 2 -->" in markdown


def test_encrypted_pdf_answers_unencrypted_to_its_caller(client: httpx.Client,
                                                         tmp_path: Path) -> None:
    with pikepdf.open(io.BytesIO(_scanned_pdf("tess_phototest.tif"))) as scan:
        locked = io.BytesIO()
        scan.save(locked, encryption=pikepdf.Encryption(user="s3cret", owner="owner"))
    for name, data, password in [
        ("scan.pdf", locked.getvalue(), "s3cret"),  # OCRed: gets a text layer
        ("text.pdf", corpus_bytes("pysf_libreoffice-writer-password.pdf"), "openpassword"),
    ]:
        refused = client.post("/ocr", files={"file": (name, data)}, data={"format": "pdf"})
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "pdf_password_required"
        document = _ocr(client, name, data, "json", words="true", password=password).json()
        pdf = _ocr(client, name, data, "pdf", password=password).content
        with pikepdf.open(io.BytesIO(pdf)) as opened:
            assert not opened.is_encrypted
        qpdf_check(pdf, tmp_path)
        if document["pages"][0]["source"] == "ocr":
            _check_pdf(pdf, document, tmp_path)
        else:
            assert cer(pdftotext(pdf), _page_texts(document)[0]) <= 0.02


@pytest.mark.parametrize("fmt", ["pdf", "hocr", "alto", "markdown"])
def test_bad_input_as_for_json(client: httpx.Client, fmt: str) -> None:
    cases = [("empty.png", b""), ("x.bin", b"just some bytes"),
             ("bad.pdf", corpus_bytes("qpdf_bad1_not_a_pdf.pdf"))]
    for name, data in cases:
        expected = client.post("/ocr/json", files={"file": (name, data)})
        got = client.post("/ocr", files={"file": (name, data)}, data={"format": fmt})
        assert got.status_code == expected.status_code >= 400
        assert got.json()["error"]["code"] == expected.json()["error"]["code"]
    pages = client.post("/ocr", files={"file": ("c.pdf", corpus_bytes("pypdf_crazyones.pdf"))},
                        data={"format": fmt, "pages": "9"})
    assert pages.status_code == 422 and pages.json()["error"]["code"] == "invalid_pages"


def test_accept_header_and_406(client: httpx.Client) -> None:
    data = corpus_bytes("cnocr_helloworld.jpg")
    refused = client.post("/ocr", files={"file": ("h.jpg", data)},
                          headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert refused.json()["error"]["code"] == "not_acceptable"
    markdown = client.post("/ocr", files={"file": ("h.jpg", data)},
                           headers={"Accept": "text/markdown"})
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("<!-- page 1 -->")
    plain = client.post("/ocr", files={"file": ("h.jpg", data)})
    assert plain.headers["content-type"].startswith("text/plain")
    bad = client.post("/ocr", files={"file": ("h.jpg", data)}, data={"format": "docx"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_option"


def test_openapi_documents_each_media_type(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    content = spec["paths"]["/ocr"]["post"]["responses"]["200"]["content"]
    assert set(content) >= {"text/plain", "application/json", "application/xhtml+xml",
                            "application/xml", "application/pdf", "text/markdown"}
    assert "406" in spec["paths"]["/ocr"]["post"]["responses"]
