"""The fast decode path gives exactly the pixels of the old one, for every mode a page comes in.

``reference_rgb`` is the decode path as it was before issue 24 (exif_transpose
on every page, convert, float blend of the whole page); each corpus image and
each variant made from them (EXIF-rotated, palette with and without
transparency, 16-bit, CMYK, partly transparent, 1-bit) must decode to the same
bytes through ``decode_pages``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageOps

from app.documents.images import decode_pages
from app.domain import MediaKind
from tests.conftest import corpus_bytes, manifest, needs_corpus

KINDS = {"PNG": MediaKind.PNG, "JPEG": MediaKind.JPEG, "TIFF": MediaKind.TIFF,
         "GIF": MediaKind.GIF, "WEBP": MediaKind.WEBP, "BMP": MediaKind.BMP}
IMAGES = [e["file"] for e in manifest() if e["kind"] == "image"]


def reference_rgb(img: Image.Image) -> np.ndarray:
    """The decode path before issue 24, kept verbatim as the standard."""
    img.load()
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        arr = np.asarray(img).astype(np.float64)
        low, high = float(np.nanmin(arr)), float(np.nanmax(arr))
        if high <= low:
            gray = np.zeros(arr.shape, dtype=np.uint8)
        elif low >= 0 and high <= 255:
            gray = arr.astype(np.uint8)
        else:
            top = 65535.0 if low >= 0 and high <= 65535 else high
            gray = np.clip((arr - min(low, 0.0)) * (255.0 / top), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))
    if img.mode == "P" or img.mode == "PA":
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "La", "RGBa"):
        rgba = np.asarray(img.convert("RGBA"))
        alpha = rgba[:, :, 3:4].astype(np.float32) / 255.0
        rgb = rgba[:, :, :3].astype(np.float32)
        drawn = alpha[:, :, 0] > 0.5
        if drawn.any() and not drawn.all():
            luminance = rgb[drawn] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
            background = 0.0 if float(luminance.mean()) > 140.0 else 255.0
        else:
            background = 255.0
        out = rgb * alpha + background * (1.0 - alpha)
        return np.ascontiguousarray(np.clip(out + 0.5, 0, 255).astype(np.uint8))
    return np.ascontiguousarray(np.asarray(img.convert("RGB")), dtype=np.uint8)


def reference_pages(data: bytes) -> list[np.ndarray]:
    with Image.open(io.BytesIO(data)) as img:
        pages = []
        for index in range(getattr(img, "n_frames", 1)):
            img.seek(index)
            pages.append(reference_rgb(ImageOps.exif_transpose(img) if index == 0 else img))
        return pages


def assert_same_pixels(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as img:
        kind = KINDS[str(img.format)]
    fast = [p.image for p in decode_pages(data, kind, max_pixels=10**8, max_pages=10)]
    expected = reference_pages(data)
    assert len(fast) == len(expected)
    for got, want in zip(fast, expected, strict=True):
        assert got is not None
        assert got.dtype == np.uint8 and got.shape == want.shape
        assert got.flags.c_contiguous
        assert np.array_equal(got, want)


def save(img: Image.Image, fmt: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def exif_rotated(img: Image.Image) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6
    return save(img.convert("RGB"), "JPEG", exif=exif)


def palette_transparent(img: Image.Image) -> bytes:
    paletted = img.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    return save(paletted, "PNG", transparency=0)


def sixteen_bit(img: Image.Image) -> bytes:
    return save(Image.fromarray(np.asarray(img.convert("L")).astype(np.uint16) * 257), "PNG")


def half_transparent(img: Image.Image) -> bytes:
    rgba = np.asarray(img.convert("RGBA")).copy()
    rgba[:, : rgba.shape[1] // 3, 3] = 0
    rgba[:, rgba.shape[1] // 3 : rgba.shape[1] // 2, 3] = 100
    return save(Image.fromarray(rgba, "RGBA"), "PNG")


def light_on_clear(img: Image.Image) -> bytes:
    gray = 255 - np.asarray(img.convert("L"))  # light text, clear background
    rgba = np.dstack([gray, gray, gray, np.where(gray > 128, gray, 0).astype(np.uint8)])
    return save(Image.fromarray(rgba, "RGBA"), "PNG")


VARIANTS: dict[str, Callable[[Image.Image], bytes]] = {
    "exif-rotated": exif_rotated,
    "palette": lambda img: save(img.convert("RGB").convert("P"), "PNG"),
    "palette-transparent": palette_transparent,
    "gif": lambda img: save(img.convert("RGB"), "GIF"),
    "16-bit": sixteen_bit,
    "cmyk": lambda img: save(img.convert("CMYK"), "JPEG"),
    "cmyk-tiff": lambda img: save(img.convert("CMYK"), "TIFF"),
    "transparent": half_transparent,
    "light-on-clear": light_on_clear,
    "la": lambda img: save(img.convert("LA"), "PNG"),
    "gray": lambda img: save(img.convert("L"), "PNG"),
    "bilevel": lambda img: save(img.convert("1"), "TIFF", compression="group4"),
    "webp-alpha": lambda img: save(img.convert("RGBA"), "WEBP", lossless=True),
}


@needs_corpus
@pytest.mark.parametrize("name", IMAGES)
def test_corpus_image_decodes_to_the_same_pixels(name: str) -> None:
    assert_same_pixels(corpus_bytes(name))


@needs_corpus
@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", ["cnocr_multi-line_cn1.png", "tess_phototest.tif",
                                  "rapidocr_black_font_transparent.png"])
def test_variant_decodes_to_the_same_pixels(name: str, variant: str) -> None:
    with Image.open(io.BytesIO(corpus_bytes(name))) as img:
        data = VARIANTS[variant](img)
    assert_same_pixels(data)


@pytest.mark.parametrize("value", [0, 200, 300, 65535])
def test_uniform_sixteen_bit_page(value: int) -> None:
    data = save(Image.fromarray(np.full((4, 6), value, dtype=np.uint16)), "PNG")
    assert_same_pixels(data)


def test_upright_page_is_not_copied() -> None:
    from app.documents.pixels import upright

    img = Image.new("RGB", (8, 4))
    assert upright(img) is img
    exif = Image.Exif()
    exif[0x0112] = 6
    turned = Image.open(io.BytesIO(save(img, "JPEG", exif=exif)))
    assert upright(turned).size == (4, 8)
