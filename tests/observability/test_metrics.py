"""GET /metrics: scraped from the real service after real requests, and per-app registries."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.config import Settings
from app.main import create_app
from tests.conftest import corpus_bytes
from tests.e2e.test_lifecycle import png, wait_until
from tests.support.fakes import EchoEngine
from tests.support.server import ROOT

MONITORING = ROOT / "deploy" / "monitoring"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def scrape(client: httpx.Client | TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def test_counts_move_with_real_requests(client: httpx.Client) -> None:
    before = scrape(client)
    image = corpus_bytes("cnocr_helloworld.jpg")
    assert client.post("/ocr/json", files={"file": ("h.jpg", image)}).status_code == 200
    pdf = corpus_bytes("pypdf_crazyones.pdf")  # one page, read from its text layer
    assert client.post("/ocr/json", files={"file": ("c.pdf", pdf)}).status_code == 200
    assert client.post("/ocr", files={"file": ("x.bin", b"not a document")}).status_code == 415
    late = client.post("/ocr/json", files={"file": ("h.jpg", image)}, data={"timeout_ms": "1"})
    assert late.status_code == 504
    raw_path = f"/no-such-page-{uuid.uuid4().hex}"
    assert client.get(raw_path).status_code == 404
    after_text = client.get("/metrics").text
    after = parse(after_text)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # Requests by route template and status, and their latency.
    assert moved("ocr_http_requests_total", method="POST", route="/ocr/json", status="200") == 2
    assert moved("ocr_http_requests_total", method="POST", route="/ocr/json", status="504") == 1
    assert moved("ocr_http_requests_total", method="POST", route="/ocr", status="415") == 1
    assert moved("ocr_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert raw_path not in after_text  # raw paths never become labels
    assert moved("ocr_http_request_duration_seconds_count", method="POST", route="/ocr/json") == 3
    # Pages by source: the image was OCRed, the PDF page read from its text layer.
    assert moved("ocr_pages_total", source="ocr") == 1
    assert moved("ocr_pages_total", source="text-layer") == 1
    # The engine ran once more (the late request never reached it).
    assert moved("ocr_inference_duration_seconds_count", model_set="embedded") >= 1
    assert moved("ocr_engine_batches_total", model_set="embedded") >= 1
    assert moved("ocr_batch_size_count", model_set="embedded") >= 1
    assert value(after, "ocr_batch_size_bucket", le="1", model_set="embedded") == value(after, "ocr_batch_size_count", model_set="embedded")
    assert moved("ocr_requests_timed_out_total", model_set="embedded") == 1
    assert moved("ocr_engine_busy_seconds_total", model_set="embedded") > 0
    # Gauges and the model's identity.
    assert value(after, "ocr_engine_ready") == 1
    assert value(after, "ocr_queue_depth_pages", model_set="embedded") == 0
    assert value(after, "ocr_queue_capacity_pages") == Settings().max_queue
    assert 0 < value(after, "ocr_engine_busy_ratio", model_set="embedded") <= 1
    assert ("ocr_requests_rejected_total", frozenset({("model_set", "embedded")})) in after
    info = [labels for (name, labels) in after if name == "ocr_model_info"]
    assert len(info) == 1
    assert dict(info[0])["backend"] == "onnxruntime"
    assert "process_resident_memory_bytes" in {name for name, _ in after}


def test_openmetrics_on_request(client: httpx.Client) -> None:
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")


def _exprs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, item in node.items():
            if key == "expr" and isinstance(item, str):
                yield item
            else:
                yield from _exprs(item)
    elif isinstance(node, list):
        for item in node:
            yield from _exprs(item)


@pytest.mark.parametrize("name", ["grafana-dashboard.json", "alerts.yml"])
def test_monitoring_files_use_real_metrics(client: httpx.Client, name: str) -> None:
    """Every metric the dashboard and the alerts query exists in a real scrape."""
    path: Path = MONITORING / name
    text = path.read_text(encoding="utf-8")
    document = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    exprs = list(_exprs(document))
    assert exprs
    used = {m for expr in exprs for m in re.findall(r"\b((?:ocr|process)_[a-z_]+)\b", expr)}
    exposed = {sample for sample, _ in scrape(client)}
    assert used and used <= exposed, f"not exposed: {sorted(used - exposed)}"


def test_prometheus_example_scrapes_metrics() -> None:
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text(encoding="utf-8"))
    jobs = config["scrape_configs"]
    assert jobs and all(job["metrics_path"] == "/metrics" for job in jobs)


# --- in process, with a fake engine ------------------------------------------


def _app(tmp_path: Path, **overrides: object) -> TestClient:
    settings = Settings(cache_dir=tmp_path, warmup=False, **overrides)  # type: ignore[arg-type]
    return TestClient(create_app(settings, lambda _: EchoEngine()))


def test_each_app_has_its_own_registry(tmp_path: Path) -> None:
    with _app(tmp_path / "a") as first, _app(tmp_path / "b") as second:
        wait_until(lambda: first.get("/health").status_code == 200)
        wait_until(lambda: second.get("/health").status_code == 200)
        for _ in range(3):
            assert first.post("/ocr", files={"file": png()}).status_code == 200
        one, two = scrape(first), scrape(second)
        labels = {"method": "POST", "route": "/ocr", "status": "200"}
        assert value(one, "ocr_http_requests_total", **labels) == 3
        assert value(two, "ocr_http_requests_total", **labels) == 0
        assert value(one, "ocr_pages_total", source="ocr") == 3
        assert value(one, "ocr_inference_duration_seconds_count", model_set="embedded") == 3
        assert dict(next(lb for (n, lb) in one if n == "ocr_model_info"))["backend"] == "fake"


def test_scheduler_counters_are_read_at_scrape_time(tmp_path: Path) -> None:
    with _app(tmp_path) as client:
        wait_until(lambda: client.get("/health").status_code == 200)
        stats = client.app.state.ocr.service.scheduler.stats  # type: ignore[attr-defined]
        stats.rejected += 2
        stats.timed_out += 1
        stats.record_batch(3, 0.5)
        samples = scrape(client)
        assert value(samples, "ocr_requests_rejected_total", model_set="embedded") == 2
        assert value(samples, "ocr_requests_timed_out_total", model_set="embedded") == 1
        assert value(samples, "ocr_batch_size_count", model_set="embedded") == 1
        assert value(samples, "ocr_batch_size_sum", model_set="embedded") == 3
        assert value(samples, "ocr_batch_size_bucket", le="2", model_set="embedded") == 0
        assert value(samples, "ocr_batch_size_bucket", le="4", model_set="embedded") == 1
        assert value(samples, "ocr_engine_busy_seconds_total", model_set="embedded") == pytest.approx(0.5)


def test_metrics_need_the_api_key_when_keys_are_set(tmp_path: Path) -> None:
    with _app(tmp_path, api_keys="k-1") as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer k-1"}).status_code == 200
