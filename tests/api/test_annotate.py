"""POST /ocr/annotate on the real engine: the page as PNG, the /ocr/json lines drawn on it."""

from __future__ import annotations

import io
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image, ImageOps

from tests.conftest import corpus_bytes


def _post(client: httpx.Client, path: str, name: str, data: bytes,
          **fields: str) -> httpx.Response:
    return client.post(path, files={"file": (name, data)}, data=fields)


def _original(data: bytes, frame: int = 0) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        image.seek(frame)
        page = ImageOps.exif_transpose(image) if frame == 0 else image
        return np.asarray(page.convert("RGB")).astype(int)


def _edge_points(polygon: list[list[float]], per_edge: int = 12) -> list[tuple[int, int]]:
    points = []
    for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        for t in np.linspace(0.1, 0.9, per_edge):
            points.append((round(x0 + (x1 - x0) * t), round(y0 + (y1 - y0) * t)))
    return points


def _check_drawn(png: np.ndarray, original: np.ndarray, page: dict[str, Any]) -> None:
    """Every line's outline changed the pixels under it; far from the lines nothing did."""
    height, width = original.shape[:2]
    assert png.shape == original.shape
    assert (page["width"], page["height"]) == (width, height)
    changed = np.abs(png - original).sum(axis=2) > 60
    assert page["lines"], "the page has no lines to draw"
    for line in page["lines"]:
        points = [(x, y) for x, y in _edge_points(line["polygon"])
                  if 0 <= x < width and 0 <= y < height]
        hits = sum(bool(changed[y, x]) for x, y in points)
        assert hits >= 0.7 * len(points), f"outline of {line['bbox']} not drawn ({hits})"
    # Away from every line (and its number tag, left of it) the page is untouched.
    near = np.zeros((height, width), dtype=bool)
    for line in page["lines"]:
        x0, y0, x1, y1 = line["bbox"]
        pad = max(x1 - x0, y1 - y0) * 0.1 + 70
        near[max(0, int(y0 - pad)):int(y1 + pad) + 1, max(0, int(x0 - pad)):int(x1 + pad) + 1] = True
    if (~near).any():
        assert changed[~near].mean() < 0.001


@pytest.mark.parametrize("name", ["tess_phototest.tif", "tess_phototest-rotated-L.png"])
def test_annotated_image_matches_json(client: httpx.Client, name: str) -> None:
    data = corpus_bytes(name)
    json_page = _post(client, "/ocr/json", name, data).json()["pages"][0]
    response = _post(client, "/ocr/annotate", name, data)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-ocr-page"] == "1"
    assert response.headers["x-ocr-page-count"] == "1"
    assert response.headers["x-ocr-lines"] == str(len(json_page["lines"]))
    assert response.headers["x-ocr-source"] == "ocr"
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.format == "PNG"
        assert image.size == (json_page["width"], json_page["height"])
        png = np.asarray(image.convert("RGB")).astype(int)
    _check_drawn(png, _original(data), json_page)


def test_second_frame_of_a_tiff(client: httpx.Client) -> None:
    """page=2 of a two-frame TIFF: that frame alone, drawn with /ocr/json's page 2 lines."""
    first = Image.open(io.BytesIO(corpus_bytes("cnocr_helloworld.jpg"))).convert("RGB")
    second = Image.open(io.BytesIO(corpus_bytes("tess_phototest.tif"))).convert("RGB")
    buffer = io.BytesIO()
    first.save(buffer, "TIFF", save_all=True, append_images=[second])
    data = buffer.getvalue()
    json_page = _post(client, "/ocr/json", "two.tif", data).json()["pages"][1]
    response = _post(client, "/ocr/annotate", "two.tif", data, page="2")
    assert response.status_code == 200, response.text
    assert response.headers["x-ocr-page"] == "2"
    assert response.headers["x-ocr-page-count"] == "2"
    assert response.headers["x-ocr-lines"] == str(len(json_page["lines"]))
    with Image.open(io.BytesIO(response.content)) as image:
        png = np.asarray(image.convert("RGB")).astype(int)
    _check_drawn(png, _original(data, frame=1), json_page)


def test_pdf_text_layer_page(client: httpx.Client) -> None:
    data = corpus_bytes("pypdf_crazyones.pdf")
    json_page = _post(client, "/ocr/json", "c.pdf", data).json()["pages"][0]
    response = _post(client, "/ocr/annotate", "c.pdf", data, page="1")
    assert response.status_code == 200, response.text
    assert response.headers["x-ocr-source"] == "text-layer"
    assert response.headers["x-ocr-lines"] == str(len(json_page["lines"]))
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == (json_page["width"], json_page["height"])


def test_page_out_of_range_and_bad_input(client: httpx.Client) -> None:
    beyond = _post(client, "/ocr/annotate", "h.jpg", corpus_bytes("cnocr_helloworld.jpg"),
                   page="2")
    assert beyond.status_code == 422
    assert beyond.json()["error"]["code"] == "invalid_pages"
    assert "page 2" in beyond.json()["error"]["message"]
    pdf_beyond = _post(client, "/ocr/annotate", "c.pdf", corpus_bytes("pypdf_crazyones.pdf"),
                       page="3")
    assert pdf_beyond.json()["error"]["code"] == "invalid_pages"
    not_a_page = _post(client, "/ocr/annotate", "x.bin", b"just some bytes, no image")
    assert not_a_page.status_code == 415
    assert not_a_page.json()["error"]["code"] == "unsupported_media_type"
    zero = _post(client, "/ocr/annotate", "h.jpg", corpus_bytes("cnocr_helloworld.jpg"), page="0")
    assert zero.status_code == 422
    assert zero.json()["error"]["code"] == "invalid_option"
