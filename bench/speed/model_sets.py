"""Model sets in one process: tiny vs small speed and quality, memory per loaded set.

One live service (default settings, OCR_MAX_LOADED_SETS=3). In this order:

1. the default (small) set warm, one request read: RSS with one set;
2. first request to the cold tiny set (load + warm-up + read), then the same
   file again warm: cold first-request latency; RSS with two sets;
3. the same for the Paddle v4 set where PaddlePaddle is installed: three sets;
4. each set reads every corpus image, one request at a time, twice; img/s from
   the second pass, CER (bench/quality/answers.py rules) from the first answers.

    python -m bench.speed.model_sets [--out bench/results-model-sets.json]

The machine's load average is recorded before the run: other processes on the
same cores slow every figure alike, but ratios measured in one run stay fair.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import httpx

from bench.quality.answers import corpus_truths, quality
from bench.speed.procfs import rss_mib, tree
from tests.support.server import corpus_images, start_server


def _read(client: httpx.Client, path: Path, model: str) -> tuple[str, float]:
    started = time.perf_counter()
    response = client.post("/ocr", files={"file": (path.name, path.read_bytes())},
                           data={"model": model})
    response.raise_for_status()
    return response.text, time.perf_counter() - started


def _rss(pid: int) -> float:
    return round(rss_mib(tree(pid)), 1)


def run(out: Path) -> dict[str, object]:
    """Run the measurements and write them to ``out``."""
    images = corpus_images()
    probe = next(p for p in images if p.name == "tess_eurotext.tif")
    result: dict[str, object] = {"load_average_before": os.getloadavg(),
                                 "cpus": os.cpu_count(), "images": len(images)}
    with tempfile.TemporaryDirectory(prefix="bench-sets-") as tmp:
        server = start_server(Path(tmp), OCR_MAX_LOADED_SETS="3")
        try:
            with httpx.Client(base_url=server.url, timeout=600) as client:
                installed = [s["name"] for s in client.get("/models").json()["sets"]]
                sets = [n for n in ("embedded", "embedded-tiny", "paddle-v4-embedded")
                        if n in installed]
                pid = server.process.pid
                memory, cold = {}, {}
                _read(client, probe, "embedded")
                memory["1_set"] = _rss(pid)
                for count, name in enumerate(sets[1:], start=2):
                    _, first = _read(client, probe, name)
                    _, warm = _read(client, probe, name)
                    cold[name] = {"first_request_s": round(first, 2),
                                  "warm_request_s": round(warm, 2)}
                    memory[f"{count}_sets"] = _rss(pid)
                result["rss_mib"] = memory
                result["cold_set"] = cold
                speed: dict[str, object] = {}
                truths = corpus_truths()
                for name in sets:
                    answers = {p.name: _read(client, p, name)[0] for p in images}
                    started = time.perf_counter()
                    for path in images:
                        _read(client, path, name)
                    seconds = time.perf_counter() - started
                    q = quality(answers, truths)
                    speed[name] = {"img_per_s": round(len(images) / seconds, 3),
                                   "cer_mean": q["cer_mean"], "cer_pooled": q["cer_pooled"],
                                   "per_file": q["per_file"]}
                result["speed_quality"] = speed
                result["models"] = client.get("/models").json()
        finally:
            server.stop()
    result["load_average_after"] = os.getloadavg()
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return result


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench/results-model-sets.json"))
    result = run(parser.parse_args().out)
    speed = result["speed_quality"]
    assert isinstance(speed, dict)
    for name, figures in speed.items():
        print(f"{name}: {figures['img_per_s']} img/s, CER mean {figures['cer_mean']}, "
              f"pooled {figures['cer_pooled']}")
    print("RSS MiB:", result["rss_mib"], "cold sets:", result["cold_set"])
    print("load average before/after:", result["load_average_before"],
          result["load_average_after"])


if __name__ == "__main__":
    main()
