"""Every error code, on the real service: status first, then the envelope."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.conftest import LiveServer, corpus_bytes, start_server

SMALL_UPLOAD = 200_000
SMALL_PIXELS = 2_000_000


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """A service with small limits, to hit them with modest files."""
    server: LiveServer = start_server(
        tmp_path_factory.mktemp("small"),
        OCR_MAX_UPLOAD_BYTES=str(SMALL_UPLOAD),
        OCR_MAX_PIXELS=str(SMALL_PIXELS),
        OCR_MAX_PAGES="2",
    )
    with httpx.Client(base_url=server.url, timeout=60) as http:
        yield http
    server.stop()


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    error: dict[str, str] = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    return error


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` and whose data is a stub."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    stub = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", stub) + chunk(b"IEND", b"")


def test_missing_file(client: httpx.Client) -> None:
    assert_error(client.post("/ocr", data={"min_score": "0.5"}), 422, "missing_file")


def test_empty_file(client: httpx.Client) -> None:
    assert_error(client.post("/ocr/json", files={"file": ("a.png", b"")}), 400, "empty_file")


def test_unsupported_media_type(client: httpx.Client) -> None:
    files = {"file": ("notes.txt", b"hello, not an image", "text/plain")}
    assert_error(client.post("/ocr", files=files), 415, "unsupported_media_type")


def test_declared_image_that_is_not_one_is_corrupt(client: httpx.Client) -> None:
    files = {"file": ("scan.png", b"hello, not an image", "image/png")}
    error = assert_error(client.post("/ocr", files=files), 422, "corrupt_file")
    assert "PNG" in error["message"]


@pytest.mark.parametrize("name", ["tess_phototest.tif", "cnocr_multi-line_cn1.png",
                                  "sroie_receipt_050.jpg"])
def test_truncated_image_is_corrupt(client: httpx.Client, name: str) -> None:
    data = corpus_bytes(name)
    response = client.post("/ocr", files={"file": data[: len(data) // 3]})
    assert_error(response, 422, "corrupt_file")


def test_invalid_option(client: httpx.Client) -> None:
    files = {"file": corpus_bytes("cnocr_helloworld.jpg")}
    response = client.post("/ocr", files=files, data={"min_score": "2"})
    error = assert_error(response, 422, "invalid_option")
    assert "min_score" in error["message"]
    response = client.post("/ocr", files=files, data={"timeout_ms": str(10**9)})
    assert_error(response, 422, "invalid_option")


def test_unknown_route_uses_envelope(client: httpx.Client) -> None:
    assert_error(client.get("/nope"), 404, "not_found")


def test_request_id_is_echoed(client: httpx.Client) -> None:
    response = client.post("/ocr", files={"file": b""}, headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.json()["error"]["request_id"] == "abc-123"


def test_upload_over_limit(small: httpx.Client) -> None:
    data = corpus_bytes("sroie_receipt_070.jpg")  # 278 kB > 200 kB
    assert len(data) > SMALL_UPLOAD
    assert_error(small.post("/ocr", files={"file": data}), 413, "file_too_large")


def test_upload_over_limit_without_content_length(small: httpx.Client) -> None:
    boundary = "xyzzy"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            "filename=\"big.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode()

    def body() -> Iterator[bytes]:  # a generator: sent chunked, no Content-Length
        yield head
        for _ in range(40):
            yield b"\xff" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    response = small.post("/ocr", content=body(),
                          headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert_error(response, 413, "file_too_large")


def test_header_claiming_huge_image(client: httpx.Client) -> None:
    response = client.post("/ocr", files={"file": png_header_only(100_000, 100_000)})
    assert_error(response, 413, "image_too_large")


def test_decompression_bomb(small: httpx.Client, tmp_path: Path) -> None:
    bomb = io.BytesIO()
    Image.new("L", (4000, 4000), 255).save(bomb, format="PNG", optimize=True)
    assert len(bomb.getvalue()) < 100_000  # small file, 16 Mpx of pixels
    assert_error(small.post("/ocr", files={"file": bomb.getvalue()}), 413, "image_too_large")


def test_too_many_frames(small: httpx.Client) -> None:
    frame = Image.open(io.BytesIO(corpus_bytes("cnocr_helloworld.jpg"))).convert("RGB")
    buffer = io.BytesIO()
    frame.save(buffer, format="TIFF", save_all=True, append_images=[frame, frame])
    error = assert_error(small.post("/ocr", files={"file": buffer.getvalue()}), 413,
                         "page_limit_exceeded")
    assert "3" in error["message"]


def test_service_survives_bad_inputs(client: httpx.Client) -> None:
    response = client.post("/ocr", files={"file": corpus_bytes("cnocr_helloworld.jpg")})
    assert response.status_code == 200
    assert "Hello world" in response.text


@pytest.mark.parametrize("dpi", ["71", "601"])
def test_dpi_outside_its_range_is_refused_where_options_are_built(
    client: httpx.Client, dpi: str
) -> None:
    # Checked once, when the form becomes RequestOptions: documents never see such a value.
    response = client.post("/ocr", files={"file": ("a.pdf", corpus_bytes("pypdf_crazyones.pdf"))},
                           data={"dpi": dpi})
    assert "dpi" in assert_error(response, 422, "invalid_option")["message"]


@pytest.mark.parametrize(("field", "value"), [("optimize", "3"), ("existing_text", "maybe")])
def test_pdf_output_options_outside_their_range_are_refused(
    client: httpx.Client, field: str, value: str
) -> None:
    response = client.post("/ocr", files={"file": ("a.pdf", corpus_bytes("pypdf_crazyones.pdf"))},
                           data={field: value, "format": "pdf"})
    assert field in assert_error(response, 422, "invalid_option")["message"]
