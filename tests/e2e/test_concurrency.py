"""Concurrent requests return exactly what they return one by one (real engine)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.conftest import LiveServer, corpus_bytes

FILES = [
    "cnocr_helloworld.jpg", "rapidocr_text_rec.jpg", "rapidocr_en_rec.jpg",
    "cnocr_multi-line_cn1.png", "tess_eurotext.tif", "rapidocr_ch_en_num.jpg",
    "cnocr_multi-line_en_black.png", "tess_phototest.tif",
]


def lines(body: dict[str, Any]) -> list[tuple[str, float, list[list[float]]]]:
    return [(ln["text"], ln["score"], ln["polygon"]) for p in body["pages"] for ln in p["lines"]]


def test_eight_simultaneous_requests_match_sequential(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=120) as client:
        sequential = [
            lines(client.post("/ocr/json", files={"file": corpus_bytes(n)}).json()) for n in FILES
        ]

    async def all_at_once() -> list[Any]:
        async with httpx.AsyncClient(base_url=live.url, timeout=300) as client:
            calls = [client.post("/ocr/json", files={"file": corpus_bytes(n)}) for n in FILES]
            return list(await asyncio.gather(*calls))

    responses = asyncio.run(all_at_once())
    assert [r.status_code for r in responses] == [200] * len(FILES)
    assert [lines(r.json()) for r in responses] == sequential
