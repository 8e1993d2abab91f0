"""Build hostile requests for the OCR service, in memory and deterministically.

``build_cases(limits)`` returns several hundred requests: corpus files cut short
and with flipped bytes, files made from scratch whose headers lie (sizes, frame
and page counts), decompression bombs, malformed PDFs (page trees, MediaBoxes,
nesting, object streams), polyglots, lying names and content types, malformed
multipart bodies, hostile form options and bodies over the upload limit sent
without a Content-Length. Nothing is written to disk and nothing is random
between runs (every "random" choice comes from a seeded ``random.Random``).

Each case carries what it may answer: ``expect`` (allowed statuses; empty means
"any status below 500") and ``codes`` (allowed error codes). The suite asserts
the rest for every case: no 5xx, the error envelope on 4xx, a parseable body on 200.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

BOUNDARY = "hostile-boundary-7f3a"

# --------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Limits:
    """The limits the server under test runs with (its OCR_* settings)."""

    max_upload_bytes: int
    max_pages: int
    max_pixels: int


@dataclass(frozen=True)
class Case:
    """One request. ``body`` is sent with a Content-Length; ``stream`` is sent chunked."""

    name: str
    group: str
    body: bytes = b""
    content_type: str = f"multipart/form-data; boundary={BOUNDARY}"
    path: str = "/ocr/json"
    method: str = "POST"
    headers: tuple[tuple[str, str], ...] = ()
    stream: Callable[[], Iterator[bytes]] | None = None
    expect: frozenset[int] = frozenset()
    codes: frozenset[str] = frozenset()
    note: str = ""

    @property
    def size(self) -> int:
        """Bytes of the body (0 for a streamed one)."""
        return len(self.body)


@dataclass(frozen=True)
class Part:
    """One multipart part; ``filename`` None makes it a plain form field."""

    name: str
    content: bytes
    filename: str | None = None
    content_type: str | None = None


def multipart(parts: list[Part], boundary: str = BOUNDARY) -> bytes:
    """Encode ``parts`` as a multipart/form-data body (names are sent as given)."""
    out = io.BytesIO()
    for part in parts:
        out.write(f"--{boundary}\r\n".encode())
        disposition = f'Content-Disposition: form-data; name="{part.name}"'
        if part.filename is not None:
            disposition += f'; filename="{part.filename}"'
        out.write(disposition.encode("utf-8", "surrogateescape") + b"\r\n")
        if part.content_type is not None:
            out.write(f"Content-Type: {part.content_type}\r\n".encode())
        out.write(b"\r\n" + part.content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue()


def upload(
    name: str,
    group: str,
    data: bytes,
    *,
    filename: str = "upload.bin",
    content_type: str = "application/octet-stream",
    fields: dict[str, str] | None = None,
    path: str = "/ocr/json",
    expect: tuple[int, ...] = (),
    codes: tuple[str, ...] = (),
    note: str = "",
) -> Case:
    """A normal upload of ``data`` as field ``file``, with optional form fields."""
    parts = [Part(key, value.encode()) for key, value in (fields or {}).items()]
    parts.append(Part("file", data, filename, content_type))
    return Case(name, group, multipart(parts), path=path, expect=frozenset(expect),
                codes=frozenset(codes), note=note)


# --------------------------------------------------------------------------- images


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png(width: int, height: int, *, color_type: int = 0, depth: int = 8,
        raw: bytes | None = None, extra: list[bytes] | None = None) -> bytes:
    """A PNG whose IDAT holds ``raw`` (default: every row zero, i.e. a compressible bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    if raw is None:
        channels = {0: 1, 2: 3, 4: 2, 6: 4, 3: 1}[color_type]
        row = b"\x00" * (1 + (width * channels * depth + 7) // 8)
        compressor = zlib.compressobj(9)
        idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    else:
        idat = zlib.compress(raw)
    chunks = [_png_chunk(b"IHDR", ihdr), *(extra or []), _png_chunk(b"IDAT", idat),
              _png_chunk(b"IEND", b"")]
    return PNG_SIGNATURE + b"".join(chunks)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG claiming ``width`` x ``height`` with a stub of data."""
    return png(width, height, color_type=2, raw=b"\x00" * 64)


def apng_claiming_frames(frames: int) -> bytes:
    """A 1x1 APNG whose acTL chunk claims ``frames`` frames (it holds one)."""
    actl = _png_chunk(b"acTL", struct.pack(">II", frames, 0))
    fctl = _png_chunk(b"fcTL", struct.pack(">IIIIIHHBB", 0, 1, 1, 0, 0, 1, 10, 0, 0))
    return png(1, 1, extra=[actl, fctl])


def png_text_bomb(kind: bytes) -> bytes:
    """A small PNG with a zTXt or iCCP chunk that inflates to 64 MB."""
    payload = zlib.compress(b"\x00" * (64 << 20), 9)
    if kind == b"iCCP":
        chunk = _png_chunk(b"iCCP", b"bomb\x00\x00" + payload)
    else:
        chunk = _png_chunk(b"zTXt", b"Comment\x00\x00" + payload)
    return png(8, 8, extra=[chunk])


def pillow_bytes(img: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def text_image(text: str = "Hostile 42", size: tuple[int, int] = (240, 48)) -> Image.Image:
    img = Image.new("RGB", size, "white")
    ImageDraw.Draw(img).text((8, 16), text, fill="black")
    return img


def jpeg_claiming(width: int, height: int, *, progressive: bool = False) -> bytes:
    """A real 16x16 JPEG whose frame header is patched to ``width`` x ``height``."""
    data = bytearray(pillow_bytes(Image.new("RGB", (16, 16), "white"), "JPEG",
                                  progressive=progressive))
    marker = b"\xff\xc2" if progressive else b"\xff\xc0"
    at = data.index(marker)
    data[at + 5:at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def gif_claiming(width: int, height: int) -> bytes:
    """A GIF whose screen and only frame claim ``width`` x ``height`` (max 65535)."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0)
    frame = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02\x02\x44\x01\x00"
    return screen + frame + b";"


def gif_frames(count: int) -> bytes:
    """A 1x1 GIF with ``count`` frames (a valid file, a few bytes per frame)."""
    head = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    loop = b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    frame = (b"!\xf9\x04\x00\x01\x00\x00\x00" + b"," + struct.pack("<HHHHB", 0, 0, 1, 1, 0)
             + b"\x02\x02\x44\x01\x00")
    return head + loop + frame * count + b";"


def tiff(frames: list[tuple[int, int]], *, loop: bool = False, pixel: bytes | None = None,
         big_endian: bool = False) -> bytes:
    """A grayscale TIFF with one IFD per (width, height); strips hold ``pixel`` (or stubs).

    ``loop`` points the last IFD's next offset back at the first one.
    """
    order = ">" if big_endian else "<"
    out = bytearray(b"MM\x00*" if big_endian else b"II*\x00")
    out += struct.pack(order + "I", 8)
    first_ifd = 8
    for i, (width, height) in enumerate(frames):
        strip = pixel if pixel is not None else b"\x00" * min(width * height, 16)
        ifd_at = len(out)
        entries = [
            (256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1),
            (262, 3, 1, 1), (273, 4, 1, 0), (277, 3, 1, 1), (278, 4, 1, height),
            (279, 4, 1, len(strip)),
        ]
        ifd_size = 2 + 12 * len(entries) + 4
        strip_at = ifd_at + ifd_size
        next_at = strip_at + len(strip)
        if i == len(frames) - 1:
            next_at = first_ifd if loop else 0
        out += struct.pack(order + "H", len(entries))
        for tag, kind, count, value in entries:
            value = strip_at if tag == 273 else value
            if kind == 3:
                out += struct.pack(order + "HHIHH", tag, kind, count, value, 0)
            else:
                out += struct.pack(order + "HHII", tag, kind, count, value)
        out += struct.pack(order + "I", next_at)
        out += strip
    return bytes(out)


def webp_vp8l_claiming(width: int, height: int) -> bytes:
    """A lossless WebP header claiming ``width`` x ``height`` (max 16384), with stub data."""
    bits = (width - 1) | (height - 1) << 14
    payload = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 16
    chunk = b"VP8L" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def webp_vp8x_canvas(width: int, height: int) -> bytes:
    """An extended WebP whose canvas claims ``width`` x ``height``, around a real 16x16 image."""
    small = pillow_bytes(Image.new("RGB", (16, 16), "white"), "WEBP", lossless=True)
    inner = small[12:]  # the VP8L chunk
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    vp8x += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    body = b"WEBP" + vp8x + inner
    return b"RIFF" + struct.pack("<I", len(body)) + body


def bmp_claiming(width: int, height: int, *, bpp: int = 24, compression: int = 0,
                 data: bytes = b"\x00" * 64) -> bytes:
    """A BMP whose info header claims ``width`` x ``height`` (negative height: top-down)."""
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, bpp, compression, len(data),
                       2835, 2835, 0, 0)
    palette = b"\x00\x00\x00\x00\xff\xff\xff\x00" * 128 if bpp <= 8 else b""
    offset = 14 + len(info) + len(palette)
    head = b"BM" + struct.pack("<IHHI", offset + len(data), 0, 0, offset)
    return head + info + palette + data


def bmp_rle8_bomb(width: int, height: int) -> bytes:
    """An RLE8 BMP whose few bytes paint ``width`` x ``height`` pixels."""
    rows = bytearray()
    for _ in range(min(height, 64)):
        left = width
        while left > 0:
            run = min(left, 255)
            rows += bytes([run, 1])
            left -= run
        rows += b"\x00\x00"
    rows += b"\x00\x01"
    return bmp_claiming(width, height, bpp=8, compression=1, data=bytes(rows))


def jpeg_many_scans(scans: int, size: int = 1024) -> bytes:
    """A progressive JPEG with its last scan repeated ``scans`` times (a CPU bomb)."""
    img = Image.new("L", (size, size), 255)
    data = pillow_bytes(img, "JPEG", progressive=True, quality=50)
    # The last scan: from its SOS marker to the EOI.
    last_sos = data.rindex(b"\xff\xda")
    scan = data[last_sos:-2]
    return data[:-2] + scan * scans + b"\xff\xd9"


# --------------------------------------------------------------------------- PDFs


def pdf(objects: list[bytes], *, root: int = 1, trailer: bytes = b"",
        header: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", xref: bool = True) -> bytes:
    """A PDF with ``objects`` numbered from 1 and a correct cross-reference table."""
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    if not xref:
        return bytes(out) + b"trailer\n<< /Root %d 0 R >>\n%%%%EOF\n" % root
    at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, root, trailer, at)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", *, deflate: bool = False) -> bytes:
    if deflate:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def deflate_stream_of(chunk: bytes, repeat: int, extra: bytes = b"", *, head: bytes = b"") -> bytes:
    """A FlateDecode stream of ``head`` + ``chunk`` * ``repeat``, compressed piecewise."""
    compressor = zlib.compressobj(9)
    per_block = max(1, (1 << 20) // len(chunk))
    parts = [compressor.compress(head)]
    left = repeat
    while left > 0:
        count = min(left, per_block)
        parts.append(compressor.compress(chunk * count))
        left -= count
    data = b"".join(parts) + compressor.flush()
    return b"<< /Length %d /Filter /FlateDecode%s >>\nstream\n" % (len(data), extra) + \
        data + b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
TEXT = b"BT /F1 24 Tf 20 40 Td (Hostile PDF text layer 12345) Tj ET"


def simple_pdf(*, mediabox: bytes = b"[0 0 300 100]", content: bytes | None = None,
               page_extra: bytes = b"", pages_extra: bytes = b"", content_obj: bytes | None = None,
               more: list[bytes] | None = None) -> bytes:
    """One page: 1 catalog, 2 pages, 3 page, 4 font, 5 content, then ``more`` objects."""
    contents = content_obj if content_obj is not None else stream(
        content if content is not None else TEXT)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 %s>>" % pages_extra,
        b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R %s>>" % (mediabox, page_extra),
        FONT,
        contents,
        *(more or []),
    ]
    return pdf(objects)


def pdf_many_pages(count: int, *, claimed: int | None = None) -> bytes:
    """``count`` tiny empty pages (``claimed`` overrides /Count)."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, claimed if claimed is not None
                                                     else count),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 40 40] >>"] * count
    return pdf(objects)


def pdf_deep_page_tree(depth: int) -> bytes:
    """A page tree ``depth`` levels deep with one page at the bottom."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = 2 + level
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (number + 1))
    objects.append(b"<< /Type /Page /MediaBox [0 0 40 40] >>")
    return pdf(objects)


def pdf_kids_cycle() -> bytes:
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 /Parent 2 0 R >>",
    ])


def nested(depth: int, opener: bytes, closer: bytes, core: bytes = b"0") -> bytes:
    return opener * depth + core + closer * depth


def pdf_xref_stream(index: bytes, size: int, *, objstm: bytes | None = None) -> bytes:
    """A PDF whose only cross-reference is a stream with the given /Index and /Size."""
    head = b"%PDF-1.7\n"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 40 40] >>"]
    if objstm is not None:
        objects.append(objstm)
    out = bytearray(head)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    at = len(out)
    rows = b"\x00" + b"\x00" * 4 + b"\xff\xff"
    rows += b"".join(b"\x01" + struct.pack(">I", off) + b"\x00\x00" for off in offsets)
    xref_number = len(objects) + 1
    rows += b"\x01" + struct.pack(">I", at) + b"\x00\x00"
    body = stream(rows, b" /Type /XRef /W [1 4 2] /Index %s /Size %d /Root 1 0 R" % (index, size))
    out += b"%d 0 obj\n" % xref_number + body + b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % at
    return bytes(out)


def pdf_image_xobject(width: int, height: int) -> bytes:
    """A page drawing an image XObject that claims ``width`` x ``height`` (flate-compressed zeros)."""
    image = deflate_stream_of(
        b"\x00" * 4096, 1024,
        b" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8" % (width, height))
    return simple_pdf(
        content=b"q 300 0 0 100 0 0 cm /Im1 Do Q",
        page_extra=b"/Resources << /XObject << /Im1 6 0 R >> >>",
        more=[image],
    )


def pdf_encrypted_with_password(password: str) -> bytes:
    """A one-page text PDF encrypted (RC4-128) with ``password`` as user password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(simple_pdf())))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- corpus variants


def truncations(size: int, *, to_the_end: bool) -> list[int]:
    """Offsets to cut a file at: header bytes, structure points and (``to_the_end``) its end."""
    points = {1, 2, 7, 64, size // 3, size // 2}
    if to_the_end:
        points |= {size * 9 // 10, size - 1}
    return sorted(p for p in points if 0 < p < size)


def flips(data: bytes, seed: int) -> list[tuple[str, bytes]]:
    """Variants of ``data`` with flipped bytes: in the header, mid-file, scattered, dense."""
    rng = random.Random(seed)
    out: list[tuple[str, bytes]] = []

    def flipped(positions: list[int], mask: int | None = None) -> bytes:
        buf = bytearray(data)
        for pos in positions:
            buf[pos] ^= mask if mask is not None else rng.randrange(1, 256)
        return bytes(buf)

    n = len(data)
    out.append(("head", flipped([rng.randrange(0, min(n, 32))])))
    out.append(("header16", flipped(rng.sample(range(min(n, 256)), min(n, 16) // 2))))
    out.append(("mid", flipped([n // 2], 0xFF)))
    out.append(("scatter32", flipped(rng.sample(range(n), min(n, 32)))))
    out.append(("dense1pct", flipped(rng.sample(range(n), max(1, n // 100)))))
    return out


# Small images (OCR of a damaged-but-readable one stays cheap) and the small PDFs.
FLIP_FILES = (
    "cnocr_helloworld.jpg", "cnocr_rand_cn1.png", "rapidocr_text_cls_rot180.jpg",
    "rapidocr_text_rec.jpg", "rapidocr_en_rec.jpg", "tess_phototest.tif",
    "tess_phototest-rotated-L.png", "cnocr_multi-line_cn1.png", "rapidocr_black_font_transparent.png",
    "pypdf_crazyones.pdf", "pysf_minimal-document.pdf", "pypdf_multilang.pdf",
    "pypdf_issue-297_broken_xref.pdf", "pysf_libreoffice-writer-password.pdf",
)
# Files cut just before their end still decode whole and are OCRed for real: only
# these cheap ones are cut there (the others would cost seconds of OCR each).
CUT_AT_END = frozenset({
    "cnocr_helloworld.jpg", "cnocr_rand_cn1.png", "rapidocr_text_cls_rot180.jpg",
    "rapidocr_text_rec.jpg", "rapidocr_black_font_transparent.png", "tess_phototest.tif",
    "pypdf_crazyones.pdf", "pysf_minimal-document.pdf", "pypdf_multilang.pdf",
    "pypdf_issue-297_broken_xref.pdf", "pysf_libreoffice-writer-password.pdf",
    "pdfminer_issue_566_test_2.pdf", "qpdf_bad1_not_a_pdf.pdf",
})
# Damaged files that still decode are OCRed: keep that cheap (the suite measures
# robustness, not recognition): a small detector size, no re-reading of turned pages,
# and PDF pages rendered at 72 dpi.
IMAGE_FIELDS = {"det_limit_side_len": "320", "rotate": "false"}
PDF_FIELDS = {**IMAGE_FIELDS, "dpi": "72"}


def corpus_cases(corpus: Path) -> list[Case]:
    """Truncations of every corpus file and byte flips of the small ones (none without
    a corpus: the tests that send cases need it anyway and are skipped)."""
    cases: list[Case] = []
    if not (corpus / "manifest.json").is_file():
        return cases
    files = sorted(p for p in corpus.iterdir() if p.suffix.lower() in
                   {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".gif", ".webp", ".bmp", ".pdf"})
    for path in files:
        data = path.read_bytes()
        fields = PDF_FIELDS if path.suffix.lower() == ".pdf" else IMAGE_FIELDS
        for cut in truncations(len(data), to_the_end=path.name in CUT_AT_END):
            cases.append(upload(f"trunc-{path.name}-{cut}", "truncated", data[:cut],
                                filename=path.name, fields=fields))
    for seed, name in enumerate(FLIP_FILES):
        data = (corpus / name).read_bytes()
        fields = PDF_FIELDS if name.endswith(".pdf") else IMAGE_FIELDS
        for label, variant in flips(data, seed):
            cases.append(upload(f"flip-{name}-{label}", "flipped", variant, filename=name,
                                fields=fields))
    return cases


# --------------------------------------------------------------------------- scratch-built


def tiny_files() -> list[Case]:
    cases = [upload("zero-bytes", "tiny", b"", filename="a.png", expect=(400,),
                    codes=("empty_file",))]
    for byte in (b"\x00", b"\xff", b"%", b"B", b"I", b"G", b"\x89", b"R"):
        cases.append(upload(f"one-byte-{byte.hex()}", "tiny", byte, filename="x",
                            expect=(415,), codes=("unsupported_media_type",)))
    for prefix in (b"BM", b"II*\x00", b"MM\x00*", b"GIF89a", b"\xff\xd8\xff", PNG_SIGNATURE,
                   b"RIFF\x00\x00\x00\x00WEBP", b"%PDF-", b"%PDF-1.7\n%%EOF"):
        cases.append(upload(f"signature-only-{prefix[:4].hex()}-{len(prefix)}", "tiny", prefix,
                            expect=(422,), codes=("corrupt_file",)))
    cases.append(upload("one-byte-declared-png", "tiny", b"\x00", filename="a.png",
                        content_type="image/png", expect=(422,), codes=("corrupt_file",)))
    return cases


def huge_header_cases() -> list[Case]:
    """Headers claiming 100 000 x 100 000 pixels (or the format's maximum)."""
    too_large = (413,)
    code = ("image_too_large",)
    cases = [
        upload("png-100000x100000", "huge-header", png_header_only(100_000, 100_000),
               expect=too_large, codes=code),
        upload("png-1x2147483647", "huge-header", png_header_only(1, 2**31 - 1),
               expect=too_large, codes=code),
        upload("jpeg-65535x65535", "huge-header", jpeg_claiming(65535, 65535),
               expect=too_large, codes=code),
        upload("jpeg-progressive-65535x65535", "huge-header",
               jpeg_claiming(65535, 65535, progressive=True), expect=too_large, codes=code),
        upload("jpeg-0x0", "huge-header", jpeg_claiming(0, 0), expect=(422,)),
        upload("gif-65535x65535", "huge-header", gif_claiming(65535, 65535),
               expect=too_large, codes=code),
        upload("tiff-100000x100000", "huge-header", tiff([(100_000, 100_000)]),
               expect=too_large, codes=code),
        upload("tiff-be-100000x100000", "huge-header",
               tiff([(100_000, 100_000)], big_endian=True), expect=too_large, codes=code),
        upload("tiff-4294967295x1", "huge-header", tiff([(2**32 - 1, 1)]),
               expect=(413, 422)),
        upload("tiff-0x0", "huge-header", tiff([(0, 0)]), expect=(422,)),
        upload("webp-vp8l-16384x16384", "huge-header", webp_vp8l_claiming(16384, 16384),
               expect=(413, 422)),
        upload("webp-vp8x-canvas-100000x100000", "huge-header",
               webp_vp8x_canvas(100_000, 100_000), expect=(413, 422)),
        upload("webp-vp8x-canvas-60000x60000", "huge-header", webp_vp8x_canvas(60_000, 60_000),
               expect=(413, 422)),
        upload("bmp-100000x100000", "huge-header", bmp_claiming(100_000, 100_000),
               expect=too_large, codes=code),
        upload("bmp-100000x-100000-topdown", "huge-header", bmp_claiming(100_000, -100_000),
               expect=too_large, codes=code),
        upload("bmp-1x-2147483648", "huge-header", bmp_claiming(1, -(2**31)),
               expect=(413, 422)),
        upload("bmp-negative-width", "huge-header", bmp_claiming(-5, 5), expect=(413, 422)),
    ]
    # The same lie under every name and content type: still judged from the bytes.
    cases.append(upload("png-100000x100000-named-pdf", "huge-header",
                        png_header_only(100_000, 100_000), filename="doc.pdf",
                        content_type="application/pdf", expect=too_large, codes=code))
    return cases


def bomb_cases(limits: Limits) -> list[Case]:
    """Small files that decode to far more pixels than the limit (and some just under it)."""
    side_over = int((limits.max_pixels * 4) ** 0.5)
    side_under = int(limits.max_pixels ** 0.5) - 1
    over = (413,)
    code = ("image_too_large",)
    blank_under = Image.new("L", (side_under, side_under), 255)
    cases = [
        upload("png-bomb-gray", "bomb", png(side_over, side_over), expect=over, codes=code),
        upload("png-bomb-rgba16", "bomb", png(side_over // 2 + 100, side_over // 2 + 100, color_type=6,
                                              depth=16), expect=over, codes=code),
        upload("png-bomb-1bit-20000", "bomb", png(20_000, 20_000, depth=1), expect=over,
               codes=code),
        upload("png-just-under-limit", "bomb", png(side_under, side_under), expect=(200,)),
        upload("png-ztxt-bomb", "bomb", png_text_bomb(b"zTXt"), expect=(200, 422)),
        upload("png-iccp-bomb", "bomb", png_text_bomb(b"iCCP"), expect=(200, 422)),
        upload("gif-bomb", "bomb", pillow_bytes(Image.new("P", (side_over, side_over)), "GIF"),
               expect=over, codes=code),
        upload("gif-just-under-limit", "bomb", pillow_bytes(blank_under.convert("P"), "GIF"),
               expect=(200,)),
        upload("tiff-deflate-bomb", "bomb",
               pillow_bytes(Image.new("L", (side_over, side_over), 255), "TIFF",
                            compression="tiff_deflate"), expect=over, codes=code),
        upload("tiff-deflate-just-under", "bomb",
               pillow_bytes(blank_under, "TIFF", compression="tiff_deflate"), expect=(200,)),
        upload("webp-lossless-bomb", "bomb",
               pillow_bytes(Image.new("RGB", (side_over // 2 + 8, side_over // 2 + 8), "white"),
                            "WEBP", lossless=True), expect=over, codes=code),
        upload("bmp-rle8-bomb", "bomb", bmp_rle8_bomb(side_over, side_over), expect=over,
               codes=code),
        upload("bmp-rle8-short", "bomb", bmp_rle8_bomb(side_under, side_under),
               expect=(200, 422)),
        upload("jpeg-bomb-white", "bomb",
               pillow_bytes(Image.new("L", (side_over, side_over), 255), "JPEG", quality=1),
               expect=over, codes=code),
    ]
    return cases


def frame_cases(limits: Limits) -> list[Case]:
    many = (413,)
    code = ("page_limit_exceeded",)
    frame = text_image()
    cases = [
        upload("gif-5000-frames", "frames", gif_frames(5000), expect=many, codes=code),
        upload("tiff-5000-frames", "frames", tiff([(1, 1)] * 5000, pixel=b"\x00"),
               expect=many, codes=code),
        upload("tiff-ifd-loop", "frames", tiff([(8, 8)], loop=True, pixel=b"\xff" * 64),
               expect=(200, 413, 422)),
        upload("tiff-ifd-loop-3", "frames", tiff([(8, 8)] * 3, loop=True, pixel=b"\xff" * 64),
               expect=(200, 413, 422)),
        upload("apng-claims-2147483647-frames", "frames", apng_claiming_frames(2**31 - 1),
               expect=(200, 413, 422)),
        upload("tiff-at-page-limit", "frames",
               pillow_bytes(frame, "TIFF", save_all=True,
                            append_images=[frame] * (limits.max_pages - 1)), expect=(200,)),
        upload("tiff-page-limit-plus-1", "frames",
               pillow_bytes(frame, "TIFF", save_all=True,
                            append_images=[frame] * limits.max_pages), expect=many, codes=code),
        upload("tiff-second-frame-huge", "frames",
               tiff([(8, 8), (100_000, 100_000)], pixel=b"\xff" * 64), expect=(413, 422)),
        upload("webp-animated-300-frames", "frames",
               pillow_bytes(Image.new("RGB", (4, 4)), "WEBP", save_all=True,
                            append_images=[Image.new("RGB", (4, 4), (i, 0, 0))
                                           for i in range(1, 300)], lossless=True),
               expect=(200, 413), codes=code),
        upload("gif-frames-then-garbage", "frames", gif_frames(3)[:-1] + b"\x99" * 100,
               expect=(200, 422)),
    ]
    return cases


def pdf_cases(limits: Limits) -> list[Case]:
    """Malformed and hostile PDFs: page counts, MediaBoxes, nesting, streams, encryption."""
    big = b"9" * 60 + b".0"  # 1e60 points: finite, absurd (pypdf reads numbers up to 64 chars)
    inf = b"9" * 400 + b".0"  # a number too long for pypdf (and beyond a float)
    ok = (200,)
    many_pages = pdf_many_pages(3000)
    text = {"mode": "text"}
    cases = [
        upload("pdf-3000-pages", "pdf-pages", many_pages, expect=(413,),
               codes=("page_limit_exceeded",)),
        upload("pdf-3000-pages-select-last", "pdf-pages", many_pages,
               fields={"pages": "3000", "mode": "text"}, expect=ok),
        upload("pdf-3000-pages-select-open-range", "pdf-pages", many_pages,
               fields={"pages": "2-"}, expect=(413,), codes=("page_limit_exceeded",)),
        upload("pdf-3000-pages-select-repeated", "pdf-pages", many_pages,
               fields={"pages": ",".join(["1-3000"] * 90), "mode": "text"}, expect=(413,)),
        upload("pdf-count-claims-1000000", "pdf-pages", pdf_many_pages(1, claimed=1_000_000),
               fields=text, expect=ok),
        upload("pdf-count-negative", "pdf-pages", pdf_many_pages(1, claimed=-5),
               fields=text, expect=ok),
        upload("pdf-encrypted-no-password", "pdf-pages",
               pdf_encrypted_with_password("secret"), fields=text, expect=(422,),
               codes=("pdf_password_required",)),
        upload("pdf-no-pages", "pdf-pages", pdf_many_pages(0), expect=(422,)),
        upload("pdf-deep-page-tree-3000", "pdf-pages", pdf_deep_page_tree(3000),
               fields=text, expect=(200, 422)),
        upload("pdf-kids-cycle", "pdf-pages", pdf_kids_cycle(), expect=(422,)),
        upload("pdf-pages-not-dict", "pdf-pages",
               pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"[1 2 3]"]), expect=(422,)),
        upload("pdf-no-root", "pdf-pages", pdf([b"<< /Type /Catalog >>"], root=7),
               expect=(422,)),
    ]
    # A page of enormous or nonsensical geometry, in every mode.
    boxes = {
        "14400": b"[0 0 14400 14400]",
        "1e6": b"[0 0 1000000 1000000]",
        "1e60": b"[0 0 %s %s]" % (big, big),
        "400-digits": b"[0 0 %s %s]" % (inf, inf),
        "minus-1e60-to-1e60": b"[-%s -%s %s %s]" % (big, big, big, big),
        "tiny": b"[0 0 0.001 0.001]",
        "empty": b"[0 0 0 0]",
        "names": b"[/a /b /c /d]",
        "two-numbers": b"[0 0]",
        "dict": b"<< /A 1 >>",
        "missing-ref": b"99 0 R",
        "negative": b"[0 0 -300 -100]",
    }
    for label, box in boxes.items():
        for mode in ("auto", "ocr", "text"):
            cases.append(upload(f"pdf-mediabox-{label}-{mode}", "pdf-mediabox",
                                simple_pdf(mediabox=box),
                                fields={"mode": mode, "dpi": "72"}))
    cases.append(upload("pdf-mediabox-14400-dpi600", "pdf-mediabox",
                        simple_pdf(mediabox=b"[0 0 14400 14400]"),
                        fields={"mode": "ocr", "dpi": "600"}, expect=(413,),
                        codes=("image_too_large",)))
    cases.append(upload("pdf-mediabox-inherited-huge", "pdf-mediabox",
                        pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                             b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 1e9 1e9] >>",
                             b"<< /Type /Page /Parent 2 0 R >>"]), expect=(413, 422, 200)))
    for label, rotate in {"45": b"45", "400-digits": inf, "1e60": big, "name": b"/R",
                          "minus-90": b"-90", "huge-int": b"9" * 40}.items():
        cases.append(upload(f"pdf-rotate-{label}", "pdf-mediabox",
                            simple_pdf(page_extra=b"/Rotate %s" % rotate),
                            fields={"dpi": "72"}))
    cases.append(upload("pdf-userunit-75000", "pdf-mediabox",
                        simple_pdf(page_extra=b"/UserUnit 75000"), fields={"dpi": "72"}))
    # Deep nesting, in the page, the trailer, the content stream and a form that draws itself.
    cases += [
        upload("pdf-nested-arrays-page", "pdf-nesting",
               simple_pdf(page_extra=b"/Deep " + nested(20_000, b"[", b"]")), fields=PDF_FIELDS),
        upload("pdf-nested-dicts-page", "pdf-nesting",
               simple_pdf(page_extra=b"/Deep " + nested(20_000, b"<< /A ", b" >>")),
               fields=PDF_FIELDS),
        upload("pdf-nested-arrays-trailer", "pdf-nesting",
               pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 40 40] >>"],
                   trailer=b"/Deep " + nested(20_000, b"[", b"]")), fields=PDF_FIELDS),
        upload("pdf-nested-arrays-content", "pdf-nesting",
               simple_pdf(content=b"BT /F1 12 Tf " + nested(50_000, b"[", b"]") + b" TJ ET"),
               fields=PDF_FIELDS),
        upload("pdf-nested-q-content", "pdf-nesting",
               simple_pdf(content=b"q " * 100_000 + TEXT + b" Q" * 100_000), fields=PDF_FIELDS),
        upload("pdf-form-draws-itself", "pdf-nesting",
               simple_pdf(content=b"/Fm1 Do " + TEXT,
                          page_extra=b"/Resources << /XObject << /Fm1 6 0 R >> "
                                     b"/Font << /F1 4 0 R >> >>",
                          more=[stream(b"/Fm1 Do " + TEXT,
                                       b" /Type /XObject /Subtype /Form /BBox [0 0 300 100] "
                                       b"/Resources << /XObject << /Fm1 6 0 R >> "
                                       b"/Font << /F1 4 0 R >> >>")]),
               fields=PDF_FIELDS),
        upload("pdf-ref-chain-1000", "pdf-nesting",
               simple_pdf(page_extra=b"/Chain 6 0 R",
                          more=[b"%d 0 R" % (7 + i) for i in range(1000)] + [b"0"]),
               fields=PDF_FIELDS),
        upload("pdf-ref-self", "pdf-nesting",
               simple_pdf(mediabox=b"6 0 R", more=[b"6 0 R"]), fields=PDF_FIELDS),
    ]
    # Huge (claimed or real) streams and cross-reference / object streams.
    objstm = stream(b"1 0 2 5 ", b" /Type /ObjStm /N 100000000 /First 8")
    cases += [
        upload("pdf-xref-stream-index-2e9", "pdf-streams",
               pdf_xref_stream(b"[0 2000000000]", 2_000_000_000), fields=PDF_FIELDS),
        upload("pdf-xref-stream-size-huge", "pdf-streams",
               pdf_xref_stream(b"[0 6]", 2**62), fields=PDF_FIELDS),
        upload("pdf-xref-stream-many-subsections", "pdf-streams",
               pdf_xref_stream(b"[" + b" ".join(b"%d 1" % (i * 7) for i in range(20_000)) + b"]",
                               200_000), fields=PDF_FIELDS),
        upload("pdf-objstm-claims-1e8-objects", "pdf-streams",
               pdf_xref_stream(b"[0 6]", 6, objstm=objstm), fields=PDF_FIELDS),
        upload("pdf-stream-length-huge", "pdf-streams",
               simple_pdf(content_obj=b"<< /Length 999999999999 >>\nstream\n" + TEXT +
                          b"\nendstream"), fields=PDF_FIELDS),
        upload("pdf-stream-length-negative", "pdf-streams",
               simple_pdf(content_obj=b"<< /Length -5 >>\nstream\n" + TEXT + b"\nendstream"),
               fields=PDF_FIELDS),
        upload("pdf-content-flate-zeros-200MB", "pdf-streams",
               simple_pdf(content_obj=deflate_stream_of(b"\x00" * 4096, 50_000)),
               fields=PDF_FIELDS),
        upload("pdf-content-flate-blanks-4MB", "pdf-streams",
               simple_pdf(content_obj=deflate_stream_of(b" " * 4096, 1_000)),
               fields=PDF_FIELDS),
        upload("pdf-content-truncated-flate", "pdf-streams",
               simple_pdf(content_obj=stream(zlib.compress(TEXT * 100)[:40],
                                             b" /Filter /FlateDecode")), fields=PDF_FIELDS),
        upload("pdf-content-unknown-filter", "pdf-streams",
               simple_pdf(content_obj=stream(TEXT, b" /Filter /NoSuchDecode")),
               fields=PDF_FIELDS),
        upload("pdf-content-filter-chain-50", "pdf-streams",
               simple_pdf(content_obj=stream(TEXT, b" /Filter [" +
                                             b"/ASCIIHexDecode " * 50 + b"]")),
               fields=PDF_FIELDS),
        upload("pdf-image-xobject-100000x100000", "pdf-streams",
               pdf_image_xobject(100_000, 100_000), fields=PDF_FIELDS),
        upload("pdf-objects-40000", "pdf-streams",
               simple_pdf(more=[b"<< /N %d >>" % i for i in range(40_000)]),
               fields=PDF_FIELDS),
    ]
    # Broken structure and encryption.
    cases += [
        upload("pdf-header-only", "pdf-structure", b"%PDF-1.7\n", expect=(422,),
               codes=("corrupt_file",)),
        upload("pdf-header-then-garbage", "pdf-structure",
               b"%PDF-1.4\n" + bytes(random.Random(1).randbytes(4000)), expect=(422,)),
        # The sniffer takes junk before the header (as readers do); pypdf then cannot
        # find the objects: 422 is acceptable, a readable 200 better.
        upload("pdf-header-at-1000", "pdf-structure", b"x" * 1000 + simple_pdf(),
               fields=PDF_FIELDS, expect=(200, 422)),
        upload("pdf-header-at-1100", "pdf-structure", b"x" * 1100 + simple_pdf(),
               expect=(415,), codes=("unsupported_media_type",)),
        upload("pdf-no-xref", "pdf-structure", pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 40 40] >>"], xref=False),
               fields=PDF_FIELDS, expect=(200, 422)),
        upload("pdf-startxref-points-past-end", "pdf-structure",
               simple_pdf().replace(b"startxref\n", b"startxref\n99999999") , fields=PDF_FIELDS),
        upload("pdf-startxref-negative", "pdf-structure",
               simple_pdf().rsplit(b"startxref", 1)[0] + b"startxref\n-1\n%%EOF\n",
               fields=PDF_FIELDS),
        upload("pdf-bogus-encrypt", "pdf-structure",
               pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 40 40] >>",
                    b"<< /Filter /Standard /V 99 /R 99 /O <00> /U <00> /P -1 /Length 40 >>"],
                   trailer=b"/Encrypt 4 0 R /ID [<01> <01>]"), expect=(422,)),
        upload("pdf-encrypt-missing-ref", "pdf-structure",
               pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 40 40] >>"],
                   trailer=b"/Encrypt 77 0 R"), fields=PDF_FIELDS, expect=(200, 422)),
        upload("pdf-encrypted-wrong-password", "pdf-structure",
               pdf_encrypted_with_password("secret"), fields={"password": "nope"},
               expect=(422,), codes=("pdf_password_incorrect",)),
        upload("pdf-encrypted-right-password", "pdf-structure",
               pdf_encrypted_with_password("secret"),
               fields={"password": "secret", "dpi": "72"}, expect=ok),
        upload("pdf-encrypted-unicode-password", "pdf-structure",
               pdf_encrypted_with_password("secret"), fields={"password": "пароль密码"},
               expect=(422,)),
        upload("pdf-encrypted-nul-in-password", "pdf-structure",
               pdf_encrypted_with_password("se\x00cret"),
               fields={"password": "se\x00cret", "dpi": "72", "mode": "ocr"}),
        upload("pdf-js-openaction", "pdf-structure",
               simple_pdf(more=[b"<< /S /JavaScript /JS (app.alert(1)) >>"]).replace(
                   b"/Type /Catalog", b"/Type /Catalog /OpenAction 6 0 R"), fields=PDF_FIELDS,
               expect=ok),
    ]
    return cases


def polyglot_cases() -> list[Case]:
    image = pillow_bytes(text_image(), "PNG")
    jpeg = pillow_bytes(text_image(), "JPEG")
    document = simple_pdf()
    comment = b"\xff\xfe" + struct.pack(">H", len(document[:900]) + 2) + document[:900]
    return [
        upload("polyglot-png-then-pdf", "polyglot", image + document, filename="x.pdf",
               content_type="application/pdf", expect=(200,)),
        upload("polyglot-pdf-then-png", "polyglot", document + image, filename="x.png",
               content_type="image/png", fields=PDF_FIELDS, expect=(200,)),
        upload("polyglot-jpeg-with-pdf-comment", "polyglot", jpeg[:2] + comment + jpeg[2:],
               expect=(200,)),
        upload("polyglot-gif-header-pdf-body", "polyglot", b"GIF89a" + document,
               expect=(422,)),
        upload("polyglot-html-pdf", "polyglot", b"<html><!-- " + document + b" --></html>",
               fields=PDF_FIELDS),
        upload("polyglot-zip-png", "polyglot", image + b"PK\x03\x04" + b"\x00" * 26 +
               b"PK\x05\x06" + b"\x00" * 18, expect=(200,)),
    ]


def lying_cases() -> list[Case]:
    """Wrong extensions, lying content types, hostile file names."""
    image = pillow_bytes(text_image(), "PNG")
    document = simple_pdf()
    text = b"just some text, certainly not an image"
    ok = (200,)
    cases = [
        upload("png-named-pdf", "lying", image, filename="a.pdf", content_type="application/pdf",
               expect=ok),
        upload("pdf-named-jpg", "lying", document, filename="a.jpg", content_type="image/jpeg",
               fields=PDF_FIELDS, expect=ok),
        upload("text-named-png", "lying", text, filename="a.png", content_type="image/png",
               expect=(422,), codes=("corrupt_file",)),
        upload("text-as-pdf-type", "lying", text, filename="a", content_type="application/pdf",
               expect=(422,), codes=("corrupt_file",)),
        upload("exe-named-jpg", "lying", b"MZ\x90\x00" + b"\x00" * 200, filename="a.jpg",
               content_type="image/jpeg", expect=(422,)),
        upload("elf-no-name", "lying", b"\x7fELF" + b"\x00" * 200, expect=(415,)),
        upload("svg-xxe", "lying",
               b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
               b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
               filename="a.svg", content_type="image/svg+xml", expect=(415,)),
        upload("png-type-with-params", "lying", image,
               content_type="image/png; charset=utf-8; boundary=zzz", expect=ok),
        upload("content-type-garbage", "lying", image, content_type="\x01\x02/\x03", expect=ok),
        upload("filename-traversal", "lying", image, filename="../../../../etc/passwd",
               expect=ok),
        upload("filename-long", "lying", image, filename="a" * 20_000 + ".png",
               expect=(200, 400)),
        upload("filename-unicode", "lying", image, filename="скан 扫描 ✓.png", expect=ok),
        upload("filename-nul", "lying", text, filename="a\x00.png", expect=(415, 422)),
        upload("filename-empty", "lying", image, filename="", expect=(200, 422)),
        upload("filename-dot-pdf-only", "lying", text, filename=".pdf", expect=(415, 422)),
    ]
    return cases


def multipart_cases(limits: Limits) -> list[Case]:
    image = pillow_bytes(text_image(), "PNG")
    other = pillow_bytes(text_image("Second file"), "PNG")
    missing = (422,)
    cases = [
        Case("multipart-no-file", "multipart", multipart([Part("min_score", b"0.5")]),
             expect=frozenset(missing), codes=frozenset({"missing_file"})),
        Case("multipart-empty", "multipart", f"--{BOUNDARY}--\r\n".encode(),
             expect=frozenset({400, 422})),
        Case("multipart-file-without-filename", "multipart", multipart([Part("file", image)]),
             expect=frozenset(missing), codes=frozenset({"missing_file"})),
        Case("multipart-file-under-other-name", "multipart",
             multipart([Part("upload", image, "a.png", "image/png")]),
             expect=frozenset(missing), codes=frozenset({"missing_file"})),
        # Two files in 'file': one is read (FastAPI keeps the last); never a 5xx.
        Case("multipart-two-files", "multipart",
             multipart([Part("file", image, "a.png", "image/png"),
                        Part("file", other, "b.png", "image/png")]),
             expect=frozenset({200, 422})),
        Case("multipart-file-and-empty-file", "multipart",
             multipart([Part("file", image, "a.png", "image/png"), Part("file", b"", "b.png")]),
             expect=frozenset({200, 400, 422})),
        Case("multipart-1001-fields", "multipart",
             multipart([Part(f"f{i}", b"x") for i in range(1001)] +
                       [Part("file", image, "a.png")]), expect=frozenset({400, 422, 200})),
        Case("multipart-1001-files", "multipart",
             multipart([Part(f"f{i}", b"x", f"{i}.png") for i in range(1001)] +
                       [Part("file", image, "a.png")]), expect=frozenset({400, 422, 200})),
        Case("multipart-text-field-1.5MB", "multipart",
             multipart([Part("pages", b"1" * 1_500_000), Part("file", image, "a.png")]),
             expect=frozenset({400, 413, 422})),
        Case("multipart-text-field-over-limit", "multipart",
             multipart([Part("pages", b"1" * (limits.max_upload_bytes + 200_000)),
                        Part("file", image, "a.png")]),
             expect=frozenset({413}), codes=frozenset({"file_too_large"})),
        Case("multipart-unknown-field-1MB", "multipart",
             multipart([Part("junk", b"z" * 900_000), Part("file", image, "a.png")]),
             expect=frozenset({200, 400, 413})),
        Case("multipart-header-100KB", "multipart",
             multipart([Part("file", image, "a" * 100_000 + ".png")]),
             expect=frozenset({200, 400, 413, 422})),
        Case("multipart-no-boundary-param", "multipart", multipart([Part("file", image, "a")]),
             content_type="multipart/form-data", expect=frozenset({400, 422})),
        Case("multipart-wrong-boundary", "multipart", multipart([Part("file", image, "a")]),
             content_type="multipart/form-data; boundary=other", expect=frozenset({400, 422})),
        Case("multipart-no-closing-boundary", "multipart",
             multipart([Part("file", image, "a.png")])[:-(len(BOUNDARY) + 6)],
             expect=frozenset({200, 400, 422})),
        Case("multipart-garbage", "multipart", random.Random(7).randbytes(5000),
             expect=frozenset({400, 422})),
        Case("multipart-boundary-200-chars", "multipart",
             multipart([Part("file", image, "a.png")], boundary="b" * 200),
             content_type="multipart/form-data; boundary=" + "b" * 200,
             expect=frozenset({200, 400, 422})),
        Case("body-json", "multipart", b'{"file": "aGVsbG8="}', content_type="application/json",
             expect=frozenset(missing)),
        Case("body-urlencoded", "multipart", b"file=hello&min_score=0.5",
             content_type="application/x-www-form-urlencoded", expect=frozenset(missing)),
        Case("body-raw-image", "multipart", image, content_type="image/png",
             expect=frozenset(missing)),
        Case("body-none", "multipart", b"", content_type="", expect=frozenset(missing)),
        Case("body-over-limit-content-length", "over-limit",
             multipart([Part("file", b"\xff" * (limits.max_upload_bytes + 100_000), "a.jpg")]),
             expect=frozenset({413}), codes=frozenset({"file_too_large"})),
        Case("body-over-limit-chunked", "over-limit", stream=_chunked_over(limits),
             expect=frozenset({413}), codes=frozenset({"file_too_large"})),
        Case("body-over-limit-chunked-no-multipart", "over-limit",
             stream=_chunked_raw(limits.max_upload_bytes + 300_000),
             content_type="application/octet-stream", expect=frozenset({413, 422})),
        Case("body-file-just-over-limit", "over-limit",
             multipart([Part("file", b"\xff" * (limits.max_upload_bytes + 1), "a.jpg")]),
             expect=frozenset({413}), codes=frozenset({"file_too_large"})),
        Case("body-file-at-limit", "over-limit",
             multipart([Part("file", b"\x00" * limits.max_upload_bytes, "a.bin")]),
             expect=frozenset({415}), codes=frozenset({"unsupported_media_type"})),
    ]
    return cases


def _chunked_over(limits: Limits) -> Callable[[], Iterator[bytes]]:
    """A multipart upload larger than the limit, as a generator (sent chunked)."""

    def body() -> Iterator[bytes]:
        yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
               "filename=\"big.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode()
        sent = 0
        while sent < limits.max_upload_bytes + 300_000:
            yield b"\xff" * 65536
            sent += 65536
        yield f"\r\n--{BOUNDARY}--\r\n".encode()

    return body


def _chunked_raw(size: int) -> Callable[[], Iterator[bytes]]:
    def body() -> Iterator[bytes]:
        for _ in range(size // 65536 + 1):
            yield b"\x00" * 65536

    return body


def option_cases() -> list[Case]:
    """Hostile form options beside a valid small image or PDF."""
    image = pillow_bytes(text_image(), "PNG")
    document = pdf_many_pages(3)
    invalid = (422,)
    cases = []
    image_options = {
        "min_score-nan": {"min_score": "nan"}, "min_score-inf": {"min_score": "inf"},
        "min_score-neg": {"min_score": "-0.1"}, "min_score-huge": {"min_score": "1e999"},
        "min_score-text": {"min_score": "high"},
        "det-limit-huge": {"det_limit_side_len": "99999999999999999999999"},
        "det-limit-float": {"det_limit_side_len": "960.5"},
        "det-limit-low": {"det_limit_side_len": "1"},
        "timeout-zero": {"timeout_ms": "0"}, "timeout-negative": {"timeout_ms": "-1"},
        "timeout-huge": {"timeout_ms": "9" * 50},
        "rotate-maybe": {"rotate": "maybe"}, "mode-bogus": {"mode": "OCR; rm -rf /"},
        "dpi-zero": {"dpi": "0"}, "dpi-huge": {"dpi": "100000"},
        "password-too-long": {"password": "p" * 1001},
    }
    for label, fields in image_options.items():
        cases.append(upload(f"opt-{label}", "options", image, fields=fields, expect=invalid,
                            codes=("invalid_option",)))
    accepted = {
        "min_score-zero": {"min_score": "0"}, "min_score-one": {"min_score": "1"},
        "rotate-false": {"rotate": "false"}, "min_score-empty": {"min_score": ""}, "password-on-image": {"password": "x" * 1000},
        "pages-on-image": {"pages": "1-999"}, "unknown-field": {"evil": "<script>"},
        "dpi-600-on-image": {"dpi": "600"},
    }
    for label, fields in accepted.items():
        cases.append(upload(f"opt-{label}", "options", image, fields=fields, expect=(200,)))
    page_specs = {
        "zero": "0", "negative": "-1-", "backwards": "3-1", "beyond": "4",
        "huge-number": "1-" + "9" * 200, "letters": "a-b", "commas": "," * 999,
        "too-long": "1," * 600, "arabic-digits": "١-٢", "fullwidth": "１", "double-dash": "1--2",
        "spaces-only": "   ", "nul": "1\x002",
    }
    for label, spec in page_specs.items():
        cases.append(upload(f"opt-pages-{label}", "options", document,
                            fields={"pages": spec, "mode": "text"},
                            expect=(200, 422) if label == "spaces-only" else invalid,
                            codes=("invalid_pages", "invalid_option")))
    cases.append(upload("opt-pages-many-items", "options", document,
                        fields={"pages": ",".join(["1-3"] * 250), "mode": "text"},
                        expect=(200, 422)))
    return cases


def header_cases() -> list[Case]:
    image = pillow_bytes(text_image(), "PNG")
    body = multipart([Part("file", image, "a.png", "image/png")])
    return [
        Case("request-id-long", "headers", body, headers=(("X-Request-ID", "a" * 5000),),
             expect=frozenset({200})),
        Case("request-id-unicode", "headers", body,
             headers=(("X-Request-ID", "id\u00e9\u00e8".encode().decode("latin-1")),),
             expect=frozenset({200})),
        Case("request-id-injection", "headers", b"",
             headers=(("X-Request-ID", "<script>alert(1)</script>"),), content_type="",
             expect=frozenset({422})),
        Case("get-on-post-route", "headers", b"", method="GET", content_type="",
             expect=frozenset({405})),
        Case("put-on-post-route", "headers", body, method="PUT", expect=frozenset({405})),
        Case("unknown-route", "headers", body, path="/ocr/../../etc/passwd",
             expect=frozenset({404})),
        Case("content-encoding-gzip-lie", "headers", body,
             headers=(("Content-Encoding", "gzip"),), expect=frozenset({200, 400, 415, 422})),
        Case("plain-text-route", "headers", body, path="/ocr", expect=frozenset({200})),
        Case("debug-route", "headers", body, path="/ocr/debug", expect=frozenset({200})),
    ]


def pdf_pages_sharing(content: bytes, pages: int) -> bytes:
    """``pages`` pages that all draw one content stream object (``content``, a stream)."""
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>")
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
                FONT, content, *[page] * pages])


def cpu_bomb_cases(limits: Limits) -> list[Case]:
    """Small files whose decoding costs minutes of CPU while every size limit holds.

    They occupy the server's decode threads long after their client gave up, so the
    suite sends them last, after everything else was measured.
    """
    side = int(limits.max_pixels ** 0.5) - 10
    showing = deflate_stream_of(b"(a) Tj " * 1000, 640, head=TEXT + b"\n")
    spaces = deflate_stream_of(b" " * 4096, 17_000, head=TEXT + b"\n")
    return [
        # 20 000 copies of a progressive scan: libjpeg reruns each over the whole image.
        upload("jpeg-progressive-20000-scans", "cpu-bomb", jpeg_many_scans(20_000, side),
               fields=IMAGE_FIELDS),
        # ~1.3 million text-showing tokens per page (under pypdf's 2 million per stream),
        # on every page: the text layer is read in pure Python, page after page, and a
        # text-layer page never reaches the engine's deadline check.
        upload(f"pdf-{limits.max_pages}-pages-sharing-4.5MB-of-Tj", "cpu-bomb",
               pdf_pages_sharing(showing, limits.max_pages), fields=PDF_FIELDS),
        # 70 MB of blanks (behind a line of text) on every page: the same, more slowly.
        upload(f"pdf-{limits.max_pages}-pages-sharing-70MB-of-blanks", "cpu-bomb",
               pdf_pages_sharing(spaces, limits.max_pages), fields=PDF_FIELDS),
    ]


def annotate_cases() -> list[Case]:
    """/ocr/annotate decodes or renders the page a second time: the same lies, there."""
    image = pillow_bytes(text_image(), "PNG")
    frames = pillow_bytes(text_image(), "TIFF", save_all=True, append_images=[text_image()] * 2)
    path = "/ocr/annotate"
    big = b"9" * 60 + b".0"
    cases = [
        upload("annotate-page-0", "annotate", image, fields={"page": "0"}, path=path,
               expect=(422,)),
        upload("annotate-page-10001", "annotate", image, fields={"page": "10001"}, path=path,
               expect=(422,)),
        upload("annotate-page-beyond-image", "annotate", image, fields={"page": "2"}, path=path,
               expect=(422,), codes=("invalid_pages",)),
        upload("annotate-frame-3-of-tiff", "annotate", frames, fields={"page": "3"}, path=path,
               expect=(200,)),
        upload("annotate-frame-4-of-tiff", "annotate", frames, fields={"page": "4"}, path=path,
               expect=(422,)),
        upload("annotate-png-bomb", "annotate", png(4100, 4100), path=path, expect=(413,)),
        upload("annotate-gif-5000-frames", "annotate", gif_frames(5000), path=path,
               expect=(413,)),
        upload("annotate-pdf-3000-pages-last", "annotate", pdf_many_pages(3000),
               fields={"page": "3000", **PDF_FIELDS}, path=path, expect=(200,)),
        upload("annotate-pdf-page-beyond", "annotate", simple_pdf(),
               fields={"page": "2", **PDF_FIELDS}, path=path, expect=(422,)),
        upload("annotate-pdf-truncated", "annotate", simple_pdf()[:300], path=path,
               fields=PDF_FIELDS, expect=(422,)),
    ]
    for label, box in {"14400": b"[0 0 14400 14400]", "1e60": b"[0 0 %s %s]" % (big, big),
                       "self-ref": b"6 0 R"}.items():
        more = [b"6 0 R"] if label == "self-ref" else None
        for mode in ("text", "auto"):
            cases.append(upload(f"annotate-pdf-mediabox-{label}-{mode}", "annotate",
                                simple_pdf(mediabox=box, more=more),
                                fields={"mode": mode, "dpi": "72"}, path=path))
    cases.append(upload("annotate-pdf-nul-password", "annotate",
                        pdf_encrypted_with_password("se\x00cret"),
                        fields={"password": "se\x00cret", "dpi": "72"}, path=path))
    return cases


def build_cases(limits: Limits, corpus: Path) -> list[Case]:
    """Every hostile case, in a fixed order; names are unique."""
    cases = [
        *corpus_cases(corpus),
        *tiny_files(),
        *huge_header_cases(),
        *bomb_cases(limits),
        *frame_cases(limits),
        *pdf_cases(limits),
        *polyglot_cases(),
        *lying_cases(),
        *multipart_cases(limits),
        *option_cases(),
        *header_cases(),
        *annotate_cases(),
        *cpu_bomb_cases(limits),
    ]
    names = [case.name for case in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    assert not duplicates, f"duplicate case names: {sorted(duplicates)}"
    return cases


__all__ = ["Case", "Limits", "Part", "build_cases", "multipart", "upload"]
