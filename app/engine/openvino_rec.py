"""The text recognizer on OpenVINO: the same verified ONNX file, compiled for the CPU.

Recognition is 88-95 % of a page's time on the CPU. Measured side by side in
one process (bench/speed/runtimes.py, bench/RESULTS.md "Runtimes"), OpenVINO
read the embedded set's recognizer in about two thirds of ONNX Runtime's CPU
time at the same CER; an int8 dynamically quantized recognizer on ONNX Runtime
saved only 6 %. The detector (5 % of a dense page) stays on ONNX Runtime,
and PaddleX keeps its pre- and post-processing: only the session under the
recognizer's runner changes, so ``OCR_REC_RUNTIME=onnxruntime`` gives back
today's engine exactly.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from app.errors import EngineError

logger = logging.getLogger("app.engine")


class OpenVINOSession:
    """An OpenVINO compiled model behind ONNX Runtime's ``session.run`` (what PaddleX calls).

    Not thread-safe, like the engine that owns it: one infer request, one caller.
    """

    def __init__(self, onnx_file: Path, threads: int) -> None:
        import openvino as ov

        core = ov.Core()
        self._model = core.compile_model(
            str(onnx_file), "CPU",
            # One stream, the engine's own thread count: engines stay one-thread
            # each, as on ONNX Runtime, so several of them share the cores.
            {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
             "NUM_STREAMS": 1},
        )
        self._request = self._model.create_infer_request()
        self._inputs = [port.get_any_name() for port in self._model.inputs]
        self._outputs = {name: port for port in self._model.outputs
                         for name in port.get_names()}

    def get_providers(self) -> list[str]:
        """ONNX Runtime's question, answered for OpenVINO (placement checks ask it)."""
        return ["OpenVINO:CPU"]

    def run(self, output_names: list[str] | None, feeds: dict[str, np.ndarray]) -> list[Any]:
        """Infer one batch; the outputs named (all, in the model's order, for None)."""
        result = self._request.infer({name: feeds[name] for name in self._inputs})
        if not output_names:
            return [np.asarray(result[port]) for port in self._model.outputs]
        return [np.asarray(result[self._outputs[name]]) for name in output_names]


def install(pipeline: Any, threads: int) -> str | None:
    """Put the recognizer of a PaddleOCR pipeline on OpenVINO; return OpenVINO's version.

    When OpenVINO is missing or cannot compile the model, the recognizer stays on
    ONNX Runtime, with a warning in the log, and None is returned (so
    /system/info lists no OpenVINO version).
    """
    try:
        import openvino as ov
    except ImportError:
        logger.warning("OCR_REC_RUNTIME=openvino: the 'openvino' package is not installed; "
                       "the recognizer runs on ONNX Runtime")
        return None
    inner = getattr(getattr(pipeline, "paddlex_pipeline", None), "_pipeline", None)
    model = getattr(inner, "text_rec_model", None)
    model = getattr(model, "model", model)  # under a SharedRecognizer
    runner = getattr(model, "runner", None)
    if runner is None or not hasattr(runner, "session"):
        raise EngineError("Cannot find the recognizer's ONNX Runtime session to replace.")
    onnx_file = Path(runner.model_dir) / f"{runner.model_file_prefix}.onnx"
    try:
        runner.session = OpenVINOSession(onnx_file, threads)
    except Exception as exc:  # OpenVINO's errors are its own types
        logger.warning("OpenVINO cannot compile %s (%s); the recognizer runs on ONNX Runtime",
                       onnx_file.name, exc)
        return None
    version = str(ov.get_version()).split("-")[0]
    logger.info("recognizer on OpenVINO %s (%d thread(s))", version, threads)
    return version
