"""Levers: service settings at c4, one at a time, interleaved with the default.

Detector side, CPU threads, batching, auto-rotate, workers per device and the
model set (PP-OCRv4 on PaddlePaddle, the int8-recognizer prototype on opt-in).
"""

from __future__ import annotations

import importlib.util
import subprocess

from bench.peers import servers as peers
from bench.peers.servers import Server
from bench.quality.answers import quality, stability
from bench.speed.load import Run, closed_loop
from bench.speed.suite.context import Suite
from bench.speed.suite.figures import pooled
from tests.support.server import ROOT

LEVERS: dict[str, dict[str, str]] = {
    "default": {},
    "det736": {"OCR_DET_LIMIT_SIDE_LEN": "736"},
    "det4000": {"OCR_DET_LIMIT_SIDE_LEN": "4000"},
    # the default on 2 cores is 2 engines x 1 thread (OCR_WORKERS_PER_DEVICE=0: auto)
    "engine1_threads2": {"OCR_WORKERS_PER_DEVICE": "1"},
    "engine1_threads1": {"OCR_WORKERS_PER_DEVICE": "1", "OCR_CPU_THREADS": "1"},
    "batch4_wait5": {"OCR_MAX_BATCH": "4", "OCR_MAX_WAIT_MS": "5"},
    "batch4_wait20": {"OCR_MAX_BATCH": "4", "OCR_MAX_WAIT_MS": "20"},
    "rotate_off": {"OCR_AUTO_ROTATE": "false"},
    # model choice: the PP-OCRv4 mobile Paddle set on PaddlePaddle (oneDNN) ...
    "v4_paddle": {"OCR_BACKEND": "paddle", "OCR_MODEL_SET": "paddle-v4-embedded"},
    # ... and the PP-OCRv6 small set with an int8 recognizer (bench/speed/quantize.py prototype)
    "v6_int8rec": {"OCR_MODEL_SET": "v6-int8rec"},
}
DEFAULT_LEVERS = [n for n in LEVERS if n != "v6_int8rec"]  # int8: opt in with --levers
QUICK_LEVERS = ("default", "batch4_wait5")


def measure(suite: Suite) -> None:
    """Each setting at c4, all servers up, rounds interleaved: default, X, Y, ... x reps."""
    names = list(QUICK_LEVERS if suite.quick else suite.args.levers.split(","))
    reps = 1 if suite.quick else suite.args.reps
    if "v6_int8rec" in names and not _int8_set(suite):
        names.remove("v6_int8rec")
    if "v4_paddle" in names and importlib.util.find_spec("paddle") is None:
        names.remove("v4_paddle")
    servers: dict[str, Server] = {
        n: peers.service(f"lever-{n}", suite.tmp, **_lever_env(suite, n)) for n in names}
    runs: dict[str, list[Run]] = {n: [] for n in names}
    try:
        for server in servers.values():
            server.start()
        for name, server in servers.items():  # warm: Paddle compiles per new shape
            closed_loop(server, suite.jobs if "paddle" in name else suite.jobs[:3], 4, [])
        for _ in range(reps):
            for name, server in servers.items():
                runs[name].append(suite.run(server, suite.jobs, 4, list(servers.values())))
    finally:
        for server in servers.values():
            server.stop()
    base = pooled(runs["default"])["images_per_s"]
    suite.results["levers"] = {
        name: {
            "env": LEVERS[name],
            **pooled(runs[name]),
            "ratio_vs_default": round(pooled(runs[name])["images_per_s"] / base, 3),
            "runs_images_per_s": [round(r.images_per_s, 3) for r in runs[name]],
            "quality": quality({r.name: r.text for r in runs[name][0].ok}, suite.truths),
            "stability": stability((r.name, r.text) for run in runs[name] for r in run.ok),
        }
        for name in names
    }


def _lever_env(suite: Suite, name: str) -> dict[str, str]:
    env = dict(LEVERS[name])
    if name == "v6_int8rec":
        env["OCR_MODELS_DIR"] = str(suite.tmp / "models")
    return env


def _int8_set(suite: Suite) -> bool:
    """Build models/v6-int8rec under tmp with bench/speed/quantize.py (needs bench/.venv-quant)."""
    python = ROOT / "bench" / ".venv-quant" / "bin" / "python"
    if not python.exists():
        suite.log("bench/.venv-quant missing (bench/peers/setup_peers.sh quant): "
                  "int8 lever skipped")
        return False
    from app.config import Settings
    from app.engine.model_sets import resolve_model_set

    resolve_model_set("embedded", Settings().models_dir, suite.tmp / "cache-int8")
    source = suite.tmp / "cache-int8" / "model-sets" / "embedded"
    subprocess.run([str(python), str(ROOT / "bench" / "speed" / "quantize.py"), str(source),
                    str(suite.tmp / "models" / "v6-int8rec")], check=True)
    return True
