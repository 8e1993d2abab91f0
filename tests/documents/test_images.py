"""Every accepted image format and pixel mode, made by the tests from corpus images."""

from __future__ import annotations

import io
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from app.documents.images import to_rgb
from tests.conftest import corpus_bytes, manifest
from tests.e2e.test_corpus_images import ocr_json, page_text
from tests.support.cer import cer

LINE = "rapidocr_en_rec.jpg"


def truth(name: str) -> str:
    return next(e["truth"] for e in manifest() if e["file"] == name)


def source() -> Image.Image:
    return Image.open(io.BytesIO(corpus_bytes(LINE))).convert("RGB")


def encode(img: Image.Image, fmt: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def sixteen_bit(img: Image.Image) -> Image.Image:
    gray = np.asarray(img.convert("L")).astype(np.uint16) * 257
    return Image.fromarray(gray)  # uint16 -> mode I;16


def on_canvas(img: Image.Image, size: tuple[int, int] = (720, 90)) -> Image.Image:
    # GIF frames share the first frame's screen size: give them one.
    canvas = Image.new("RGB", size, "white")
    canvas.paste(img, (10, 5))
    return canvas


# 1-bit: the corpus's fax-style TIFFs (tess_phototest, tess_eurotext) are mode "1"
# and are held to 2 % CER in test_corpus_images; thresholding this 30-pixel line
# would only test how much of its strokes the threshold erases.
VARIANTS = {
    "png-rgb": lambda im: encode(im, "PNG"),
    "bmp": lambda im: encode(im, "BMP"),
    "webp": lambda im: encode(im, "WEBP", lossless=True),
    "gif-palette": lambda im: encode(im.convert("P", palette=Image.Palette.ADAPTIVE), "GIF"),
    "png-grayscale": lambda im: encode(im.convert("L"), "PNG"),
    "png-16bit": lambda im: encode(sixteen_bit(im), "PNG"),
    "tiff-cmyk": lambda im: encode(im.convert("CMYK"), "TIFF"),
    "jpeg-cmyk": lambda im: encode(im.convert("CMYK"), "JPEG", quality=95),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_format_and_mode(client: httpx.Client, variant: str) -> None:
    data = VARIANTS[variant](source())
    # A misleading file name: the type must come from the bytes.
    body = ocr_json(client, "upload.txt", data)
    assert cer(page_text(body), truth(LINE)) <= 0.02


def test_multi_page_tiff_and_gif(client: httpx.Client) -> None:
    names = ["cnocr_helloworld.jpg", "rapidocr_text_rec.jpg", LINE]
    frames = [on_canvas(Image.open(io.BytesIO(corpus_bytes(n))).convert("RGB")) for n in names]
    for fmt in ("TIFF", "GIF"):
        data = encode(frames[0], fmt, save_all=True, append_images=frames[1:])
        body = ocr_json(client, "doc", data)
        assert body["page_count"] == 3
        assert [p["index"] for p in body["pages"]] == [1, 2, 3]
        for page, name in zip(body["pages"], names, strict=True):
            text = "\n".join(line["text"] for line in page["lines"])
            assert cer(text, truth(name)) <= 0.05, (fmt, name, text)
    plain = client.post("/ocr", files={"file": data})
    assert plain.status_code == 200
    assert plain.text.count("\f") == 2


def test_exif_orientation_is_applied(client: httpx.Client) -> None:
    upright = source()
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # stored sideways
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90 degrees clockwise to display"
    body = ocr_json(client, "photo.jpg", encode(stored, "JPEG", quality=95, exif=exif))
    page = body["pages"][0]
    assert (page["width"], page["height"]) == upright.size
    assert page["rotation"] == 0
    assert cer(page_text(body), truth(LINE)) <= 0.02


@pytest.mark.parametrize("white_text", [False, True])
def test_transparency(client: httpx.Client, white_text: bool) -> None:
    rgba = Image.open(io.BytesIO(corpus_bytes("rapidocr_black_font_transparent.png")))
    rgba = rgba.convert("RGBA")
    if white_text:
        pixels = np.asarray(rgba).copy()
        pixels[:, :, :3] = 255 - pixels[:, :, :3]
        rgba = Image.fromarray(pixels, mode="RGBA")
    body = ocr_json(client, "t.png", encode(rgba, "PNG"))
    assert "我是中国人" in page_text(body)


@pytest.mark.parametrize(
    ("mode", "pixels", "expected"),
    [
        ("1", np.array([[0, 1]], dtype=bool), [0, 255]),
        ("I;16", np.array([[0, 65535]], dtype=np.uint16), [0, 255]),
        ("L", np.array([[7, 200]], dtype=np.uint8), [7, 200]),
    ],
)
def test_to_rgb_scales_every_depth(mode: str, pixels: np.ndarray, expected: list[int]) -> None:
    img = Image.fromarray(pixels)
    assert img.mode == mode
    rgb = to_rgb(img)
    assert rgb.dtype == np.uint8 and rgb.shape == (1, 2, 3)
    assert rgb[0, :, 0].tolist() == expected


def test_to_rgb_flattens_alpha_for_contrast() -> None:
    rgba = np.zeros((10, 10, 4), dtype=np.uint8)
    rgba[4:6, 2:8] = (255, 255, 255, 255)  # white strokes, transparent around
    flat = to_rgb(Image.fromarray(rgba, "RGBA"))
    assert flat[0, 0].tolist() == [0, 0, 0]  # background goes dark
    assert flat[5, 5].tolist() == [255, 255, 255]
