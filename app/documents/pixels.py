"""A decoded Pillow image as the RGB uint8 array the engine reads, in as few passes as it takes.

Measured on a 2550x3300 300-DPI page (bench/RESULTS.md, "Decoding"): the old
path copied the page three or four times after libpng/libjpeg had decoded it
(``exif_transpose`` copied every page even without an orientation tag, then
``convert("RGB")`` copied an RGB page, then ``np.asarray`` packed it), and
flattened every transparent or palette page through float32 copies of the
whole page. Here each mode takes its shortest road, and every road gives the
same pixels as the old one (tests/documents/test_pixels.py compares them).
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageOps

_DEEP_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})
_ALPHA_MODES = frozenset({"RGBA", "LA", "La", "RGBa", "PA"})
_ORIENTATION = 0x0112
_SIXTEEN_BIT = np.clip(np.arange(65536, dtype=np.float64) * (255.0 / 65535.0), 0, 255).astype(
    np.uint8)
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def upright(img: Image.Image) -> Image.Image:
    """``img`` turned as its EXIF orientation says; ``img`` itself (no copy) when upright."""
    if img.getexif().get(_ORIENTATION, 1) in (2, 3, 4, 5, 6, 7, 8):
        return ImageOps.exif_transpose(img)
    return img


def to_rgb(img: Image.Image) -> np.ndarray:
    """Any Pillow mode as an RGB uint8 array; transparency on a readable background."""
    img.load()
    mode = img.mode
    if mode in _DEEP_MODES:
        return _gray_to_rgb(_scale_to_uint8(np.asarray(img)))
    if mode == "RGB":
        return np.asarray(img)  # Pillow packs RGBX to RGB once: the only copy
    if mode in ("L", "1"):
        return _gray_to_rgb(np.asarray(img if mode == "L" else img.convert("L")))
    if mode == "P":
        if _opaque_palette(img):
            return np.asarray(img.convert("RGB"))
        img = img.convert("RGBA")
    elif mode in _ALPHA_MODES and mode != "RGBA":
        img = img.convert("RGBA")
    if img.mode == "RGBA":
        return _flatten_alpha(np.asarray(img))
    return np.asarray(img.convert("RGB"))


def _opaque_palette(img: Image.Image) -> bool:
    palette = img.palette
    return "transparency" not in img.info and (palette is None or palette.mode == "RGB")


def _scale_to_uint8(arr: np.ndarray) -> np.ndarray:
    # 16-bit and float scans: scale by their own range, never clip at 255.
    if arr.dtype.kind == "u" and arr.dtype.itemsize == 2 and int(arr.min()) < int(
            arr.max()) > 255:
        # What the float formula below gives for every 16-bit value, looked up
        # instead of computed per pixel (a float64 copy of the page).
        return np.take(_SIXTEEN_BIT, arr)
    arr = arr.astype(np.float64)
    low, high = float(np.nanmin(arr)), float(np.nanmax(arr))
    if high <= low:
        return np.zeros(arr.shape, dtype=np.uint8)
    if low >= 0 and high <= 255:
        return arr.astype(np.uint8)
    top = 65535.0 if low >= 0 and high <= 65535 else high
    return np.clip((arr - min(low, 0.0)) * (255.0 / top), 0, 255).astype(np.uint8)


def _gray_to_rgb(gray: np.ndarray) -> np.ndarray:
    # OpenCV's SIMD copy: 0.9 ms of CPU for a 2550x3300 page where numpy's
    # interleaving took 11-28 ms and Pillow's convert("RGB") 44 ms.
    return np.asarray(cv2.cvtColor(np.ascontiguousarray(gray), cv2.COLOR_GRAY2RGB))


def _flatten_alpha(rgba: np.ndarray) -> np.ndarray:
    """Composite on white or black, whichever contrasts with what is drawn.

    Dark text on transparency needs white; white text on transparency (common
    in exported UI assets) disappears on white and needs black. Opaque pixels
    keep their colour and clear ones take the background exactly as the float
    blend gives them, so only the partly transparent pixels are blended.
    """
    alpha = rgba[:, :, 3]
    if alpha.min() == 255:
        return np.ascontiguousarray(rgba[:, :, :3])
    drawn = alpha >= 128  # alpha / 255 > 0.5
    background = 255
    if drawn.any() and not drawn.all():
        luminance = rgba[drawn][:, :3].astype(np.float32) @ _LUMA
        background = 0 if float(luminance.mean()) > 140.0 else 255
    out = np.ascontiguousarray(rgba[:, :, :3])
    out[alpha == 0] = background
    partial = (alpha > 0) & (alpha < 255)
    if partial.any():
        rgb = rgba[partial][:, :3].astype(np.float32)
        weight = rgba[partial][:, 3:4].astype(np.float32) / 255.0
        blended = rgb * weight + float(background) * (1.0 - weight)
        out[partial] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)
    return out
