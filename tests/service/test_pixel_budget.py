"""A poster-size PDF page is read at the highest dpi under the pixel limit, not refused.

A 200 x 150 cm page at the default 200 dpi would be 15748 x 11812 pixels (186 Mpx),
over the default limit of 40 Mpx: it is read at the dpi that fits, the page says
which (``dpi``) and why (``warnings``), and its coordinates are at that dpi. A page
too large even at 72 dpi is refused (413) with the reason.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import httpx
import pikepdf
from PIL import Image, ImageDraw, ImageFont

from tests.api.test_errors import assert_error
from tests.support.formats_checks import pdftotext, qpdf_check

CM = 72 / 2.54
POSTER_WORDS = ["Harbour", "festival", "opens", "Saturday"]


def poster(width_cm: float, height_cm: float) -> bytes:
    """A scanned poster: one page of ``width_cm`` x ``height_cm`` drawing a 1500 x 1125
    pixel greyscale scan of four big words (no text layer)."""
    scan = Image.new("L", (1500, 1125), 255)
    draw = ImageDraw.Draw(scan)
    font = ImageFont.load_default(size=110)
    draw.text((120, 300), " ".join(POSTER_WORDS[:2]), font=font, fill=0)
    draw.text((120, 600), " ".join(POSTER_WORDS[2:]), font=font, fill=0)
    pdf = pikepdf.new()
    width, height = width_cm * CM, height_cm * CM
    pdf.add_blank_page(page_size=(width, height))
    image = pikepdf.Stream(pdf, scan.tobytes())
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height = scan.size
    image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceGray, 8
    page = pdf.pages[0]
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.obj.Contents = pikepdf.Stream(pdf, b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (width, height))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_poster_page_is_read_at_a_lowered_dpi(client: httpx.Client, tmp_path: Path) -> None:
    data = poster(200, 150)
    limit = client.get("/system/info").json()["limits"]["max_pixels"]
    response = client.post("/ocr", files={"file": ("poster.pdf", data)}, data={"format": "json"})
    assert response.status_code == 200, response.text
    (page,) = response.json()["pages"]
    assert page["source"] == "ocr"
    assert 72 <= page["dpi"] < 200
    assert page["width"] * page["height"] <= limit
    assert page["width"] == math.ceil(200 * CM * page["dpi"] / 72)  # coordinates at that dpi
    (warning,) = page["warnings"]
    assert f"read at {page['dpi']} dpi instead of 200" in warning and str(limit) in warning
    text = " ".join(line["text"] for line in page["lines"])
    for word in POSTER_WORDS:
        assert word in text

    searchable = client.post("/ocr", files={"file": ("poster.pdf", data)},
                             data={"format": "pdf"})
    assert searchable.status_code == 200, searchable.text
    qpdf_check(searchable.content, tmp_path)
    assert pdftotext(searchable.content, "-raw").split() == text.split()


def test_page_too_large_even_at_72_dpi_is_refused(client: httpx.Client) -> None:
    # 500 x 500 cm: 14174 x 14174 pixels at 72 dpi, over 40 Mpx.
    response = client.post("/ocr", files={"file": ("wall.pdf", poster(500, 500))})
    message = assert_error(response, 413, "image_too_large")["message"]
    assert "500 x 500 cm" in message and "72 dpi" in message
