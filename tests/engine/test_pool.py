"""The model-set pool's scheduling: choice rules, lazy loading, LRU unloading, refusals.

Fake engines only (the loading and unloading order is what is tested); the real
sets are read in tests/engine/test_model_sets.py.
"""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from app.engine.catalogue import V6_SMALL_LANGS, V6_TINY_LANGS, build_catalogue
from app.engine.types import EngineInfo, EngineOptions, PageOCR
from app.errors import UnknownModelSet, UnsupportedLanguage
from app.main import create_app
from tests.support.fakes import EchoEngine


def _png(value: int) -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.full((40, 60, 3), value, np.uint8)).save(out, "PNG")
    return out.getvalue()


class NamedEngine(EchoEngine):
    """Echoes the page's mean and says which set it belongs to."""

    def __init__(self, model_set: str) -> None:
        super().__init__()
        self._info = EngineInfo(backend="fake", device="cpu", model_set=model_set,
                                det_model="d", rec_model="r")
        self.closed = False

    @property
    def info(self) -> EngineInfo:
        return self._info

    def predict(self, images: list[np.ndarray], options: EngineOptions) -> list[PageOCR]:
        return super().predict(images, options)

    def close(self) -> None:
        self.closed = True


class Factory:
    """Builds NamedEngines; a set named in ``gates`` loads only once its event is set."""

    def __init__(self, gates: dict[str, threading.Event] | None = None) -> None:
        self.gates = gates or {}
        self.built: list[NamedEngine] = []

    def __call__(self, settings: Settings) -> NamedEngine:
        gate = self.gates.get(settings.model_set)
        if gate is not None:
            assert gate.wait(30), "test gate never opened"
        engine = NamedEngine(settings.model_set)
        self.built.append(engine)
        return engine


def _settings(tmp_path: Path, **over: object) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", models_dir=tmp_path / "models",
                    workers_per_device=1, warmup=False, **over)  # type: ignore[arg-type]


def _ready(client: TestClient) -> None:
    for _ in range(200):
        if client.get("/health").status_code == 200:
            return
        time.sleep(0.05)
    raise AssertionError("never ready")


def _loaded(client: TestClient) -> dict[str, bool]:
    return {s["name"]: s["loaded"] for s in client.get("/models").json()["sets"]}


def test_catalogue_rules(tmp_path: Path) -> None:
    catalogue = build_catalogue(_settings(tmp_path))
    assert len(V6_SMALL_LANGS) == 52 and len(V6_TINY_LANGS) == 51
    assert catalogue.choose(None, None).name == "embedded"
    assert catalogue.choose(None, "de").name == "embedded"  # served by the default set
    assert catalogue.choose(None, "German").name == "embedded"
    assert catalogue.choose("fast", None).name == "embedded-tiny"
    assert catalogue.choose("accurate", "fr").name == "embedded"
    with pytest.raises(UnsupportedLanguage, match="japan"):
        catalogue.choose("fast", "japan")  # tiny reads 51 of the 52, not Japanese
    with pytest.raises(UnsupportedLanguage, match=r"Languages: .*vi"):
        catalogue.choose(None, "korean")
    with pytest.raises(UnknownModelSet, match=r"embedded-tiny.*fast"):
        catalogue.choose("nope", None)


def test_first_request_to_a_set_waits_others_do_not(tmp_path: Path) -> None:
    gate = threading.Event()
    factory = Factory({"embedded-tiny": gate})
    app = create_app(_settings(tmp_path), engine_factory=factory)
    with TestClient(app) as client:
        _ready(client)
        results: dict[str, object] = {}

        def cold() -> None:
            response = client.post("/ocr/json", files={"file": ("a.png", _png(40))},
                                   data={"model": "fast"})
            results["cold"] = response

        waiter = threading.Thread(target=cold)
        waiter.start()
        for _ in range(200):  # the tiny set is loading
            if client.get("/models").json()["sets"][1]["loading"]:
                break
            time.sleep(0.02)
        # While it loads, the default set answers (and more than once).
        for value in (10, 20):
            warm = client.post("/ocr/json", files={"file": ("b.png", _png(value))})
            assert warm.status_code == 200
            assert warm.json()["pages"][0]["lines"][0]["text"] == str(value)
            assert warm.json()["model"].startswith("embedded (")
        assert "cold" not in results  # still waiting for its set
        gate.set()
        waiter.join(30)
        response = results["cold"]
        assert response.status_code == 200  # type: ignore[attr-defined]
        body = response.json()  # type: ignore[attr-defined]
        assert body["model"].startswith("embedded-tiny") and body["pages"][0]["lines"]
        assert _loaded(client)["embedded-tiny"]


def test_least_recently_used_idle_set_is_unloaded(tmp_path: Path) -> None:
    factory = Factory()
    app = create_app(_settings(tmp_path, max_loaded_sets=2), engine_factory=factory)
    with TestClient(app) as client:
        _ready(client)
        assert client.post("/ocr", files={"file": ("a.png", _png(1))},
                           data={"model": "fast"}).status_code == 200
        assert _loaded(client) == {"embedded": True, "embedded-tiny": True,
                                   "paddle-v4-embedded": False}
        # A third set: the tiny one (idle, not the default) makes room.
        response = client.post("/ocr", files={"file": ("a.png", _png(2))},
                               data={"model": "paddle-v4-embedded"})
        assert response.status_code == 200
        for _ in range(100):
            if not _loaded(client)["embedded-tiny"]:
                break
            time.sleep(0.02)
        assert _loaded(client) == {"embedded": True, "embedded-tiny": False,
                                   "paddle-v4-embedded": True}
        tiny = [e for e in factory.built if e.info.model_set == "embedded-tiny"]
        assert tiny and all(e.closed for e in tiny)
        models = client.get("/models").json()
        assert models["unloads"] == 1 and models["max_loaded"] == 2
        metrics = client.get("/metrics").text
        assert 'ocr_model_set_loaded{model_set="embedded-tiny"} 0.0' in metrics
        assert 'ocr_engine_batches_total{model_set="paddle-v4-embedded"} 1.0' in metrics


def test_a_set_in_use_is_never_unloaded(tmp_path: Path) -> None:
    """With every slot held by a request, another set is refused (503), not squeezed in."""
    gate = threading.Event()

    class Slow(Factory):
        def __call__(self, settings: Settings) -> NamedEngine:
            engine = super().__call__(settings)
            if settings.model_set == "embedded-tiny":
                original = engine.predict

                def held(images: list[np.ndarray], options: EngineOptions) -> list[PageOCR]:
                    assert gate.wait(30)
                    return original(images, options)

                engine.predict = held  # type: ignore[method-assign]
            return engine

    app = create_app(_settings(tmp_path, max_loaded_sets=2), engine_factory=Slow())
    with TestClient(app) as client:
        _ready(client)
        done: list[int] = []
        worker = threading.Thread(target=lambda: done.append(client.post(
            "/ocr", files={"file": ("a.png", _png(3))}, data={"model": "fast"}).status_code))
        worker.start()
        for _ in range(200):
            sets = {s["name"]: s for s in client.get("/models").json()["sets"]}
            if sets["embedded-tiny"]["state"] and sets["embedded-tiny"]["state"]["requests"]:
                break
            time.sleep(0.02)
        refused = client.post("/ocr", files={"file": ("a.png", _png(4))},
                              data={"model": "paddle-v4-embedded"})
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "busy"
        assert refused.headers["Retry-After"]
        gate.set()
        worker.join(30)
        assert done == [200]
        assert _loaded(client)["embedded-tiny"]


def test_unknown_lang_and_model_are_422_with_what_is_available(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path), engine_factory=Factory())
    with TestClient(app) as client:
        _ready(client)
        bad_lang = client.post("/ocr", files={"file": ("a.png", _png(1))},
                               data={"lang": "klingon"})
        assert bad_lang.status_code == 422
        assert bad_lang.json()["error"]["code"] == "unsupported_language"
        assert "rs_latin" in bad_lang.json()["error"]["message"]
        bad_model = client.post("/ocr/json", files={"file": ("a.png", _png(1))},
                                data={"model": "huge"})
        assert bad_model.status_code == 422
        assert bad_model.json()["error"]["code"] == "unknown_model_set"
        assert "embedded-tiny" in bad_model.json()["error"]["message"]
        both = client.post("/ocr", files={"file": ("a.png", _png(1))},
                           data={"model": "fast", "lang": "japan"})
        assert both.json()["error"]["code"] == "unsupported_language"
        assert not _loaded(client)["embedded-tiny"]  # refused before anything loaded


def test_lang_sets_setting_is_parsed_and_checked() -> None:
    settings = Settings(lang_sets="Korean=PP-OCRv5-korean, th = v5-th")  # type: ignore[arg-type]
    assert settings.lang_sets == {"korean": "PP-OCRv5-korean", "th": "v5-th"}
    with pytest.raises(ValueError, match="lang=set"):
        Settings(lang_sets="korean")  # type: ignore[arg-type]
    base = Settings(workers_per_device=0)
    assert base.engine_workers >= 1  # cached on the original...
    copy = base.for_set("paddle-v4-embedded", "paddle")
    assert (copy.model_set, copy.backend, copy.engine_workers) == (
        "paddle-v4-embedded", "paddle", 1)  # Paddle keeps one engine: worked out afresh


def test_preloaded_sets_load_at_start_and_unknown_ones_fail_it(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, preload_sets="embedded-tiny"),  # type: ignore[arg-type]
                     engine_factory=Factory())
    with TestClient(app) as client:
        _ready(client)
        for _ in range(200):
            if _loaded(client)["embedded-tiny"]:
                break
            time.sleep(0.02)
        assert _loaded(client)["embedded-tiny"]  # before any request asked for it
    app = create_app(_settings(tmp_path, preload_sets="no-such-set"),  # type: ignore[arg-type]
                     engine_factory=Factory())
    with TestClient(app) as client:
        live = client.get("/health/live")
        assert live.status_code == 503 and live.json()["status"] == "failed"
