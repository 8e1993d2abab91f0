"""A PNG's own compressed pixels as a PDF image: no decoding, no growth.

PDF's Flate filter with PNG predictors (``Predictor 15``) reads exactly what a
PNG's IDAT chunks hold, so a non-interlaced PNG without transparency goes into
the searchable PDF as its bytes: palette images stay palette (``Indexed``),
grey stays one channel, 1, 2 and 4-bit depths stay packed. Before, every PNG was
decoded and stored as 8-bit RGB or grey with Flate: a palette scan grew to
several times its size. PNGs with alpha or tRNS (the service flattened their
transparency for OCR), interlaced or animated ones are written from the decoded
pixels as before.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Final

import pikepdf
from pikepdf import Array, Dictionary, Name

_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_COLORS: Final = {0: 1, 2: 3, 3: 1}
"""Colour types without alpha: grey, RGB, palette, and their channels."""


@dataclass(frozen=True, slots=True)
class PngPixels:
    """What a PDF image needs from a PNG: size, depth, colour type, palette, IDAT bytes."""

    width: int
    height: int
    depth: int
    color_type: int
    palette: bytes
    data: bytes


def read_png(upload: bytes) -> PngPixels | None:
    """The PNG's pixels as stored, or None when they cannot go into a PDF as they are."""
    if not upload.startswith(_SIGNATURE):
        return None
    pos, header, palette, data = len(_SIGNATURE), None, b"", bytearray()
    while pos + 8 <= len(upload):
        length, kind = struct.unpack(">I4s", upload[pos:pos + 8])
        body = upload[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR" and len(body) == 13:
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"IDAT":
            data += body
        elif kind in (b"tRNS", b"acTL"):  # transparency, animation: not as stored
            return None
        elif kind == b"IEND":
            break
    if header is None or not data:
        return None
    width, height, depth, color_type, _, _, interlace = header
    if interlace or color_type not in _COLORS or depth > 8 or (color_type == 3
                                                                and not palette):
        return None
    try:  # a damaged stream would make an unreadable PDF: decode it once to be sure
        zlib.decompress(bytes(data))
    except zlib.error:
        return None
    return PngPixels(width, height, depth, color_type, palette, bytes(data))


def png_xobject(pdf: pikepdf.Pdf, png: PngPixels) -> pikepdf.Object:
    """An image XObject drawing ``png`` from its own IDAT bytes."""
    stream = pikepdf.Stream(pdf, png.data)
    stream.Type, stream.Subtype = Name.XObject, Name.Image
    stream.Width, stream.Height = png.width, png.height
    stream.BitsPerComponent = png.depth
    if png.color_type == 3:
        stream.ColorSpace = Array([Name.Indexed, Name.DeviceRGB, len(png.palette) // 3 - 1,
                                   pikepdf.String(png.palette)])
    else:
        stream.ColorSpace = Name.DeviceRGB if png.color_type == 2 else Name.DeviceGray
    stream.Filter = Name.FlateDecode
    stream.DecodeParms = Dictionary(Predictor=15, Colors=_COLORS[png.color_type],
                                    BitsPerComponent=png.depth, Columns=png.width)
    return pdf.make_indirect(stream)
