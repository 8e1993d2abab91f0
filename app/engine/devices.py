"""Device choice and per-backend engine settings.

``auto`` picks the first GPU when the installed backend can use one, else the
CPU. The GPU path differs from the CPU path only in the values returned here.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from typing import Any, Final

from app.config import Settings
from app.errors import ModelSetError

logger = logging.getLogger("app.engine")

MKLDNN_CACHE_CAPACITY = 10
"""Input shapes oneDNN keeps compiled kernels for. Unbounded, it grows with
every new page size (PaddleOCR users report RSS creeping up for days)."""


CPU_REC_BATCH: Final = 1
"""Text lines per recognizer call on the CPU. Each line is read at its own width
instead of padded to the widest of its batch: 3-5 % faster on the benchmark's
files, and a line's text never depends on the lines read beside it."""
GPU_REC_BATCH: Final = 6
"""PaddleOCR's default; on a GPU wider batches may pay (scripts/gpu_check.sh)."""


def rec_batch_size(settings: Settings, device: str) -> int:
    """Lines per recognizer call: the setting, or the device's default."""
    if settings.rec_batch_size:
        return settings.rec_batch_size
    return GPU_REC_BATCH if device.startswith("gpu") else CPU_REC_BATCH


def resolve(backend: str, requested: str) -> str:
    """Turn 'auto' / 'cpu' / 'gpu' / 'gpu:N' into the device the backend will use."""
    if requested == "cpu":
        return "cpu"
    gpus = _gpu_count(backend)
    if requested == "auto":
        return "gpu:0" if gpus > 0 else "cpu"
    index = int(requested.partition(":")[2] or 0)
    if index >= gpus:
        raise ModelSetError(f"device {requested!r} requested but {backend} sees {gpus} GPU(s)")
    return f"gpu:{index}"


def _gpu_count(backend: str) -> int:
    if backend == "onnxruntime":
        import onnxruntime as ort

        if "CUDAExecutionProvider" not in ort.get_available_providers():
            return 0
        return _nvidia_smi_count()
    import paddle

    if not paddle.device.is_compiled_with_cuda():
        return 0
    return int(paddle.device.cuda.device_count())


def _nvidia_smi_count() -> int:
    return len(_nvidia_smi("index"))


def _nvidia_smi(fields: str) -> list[str]:
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        out = subprocess.run(
            ["nvidia-smi", f"--query-gpu={fields}", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip()]


def gpu_details(device: str) -> dict[str, str] | None:
    """Name and memory of the GPU in use, when one is."""
    if not device.startswith("gpu"):
        return None
    index = int(device.partition(":")[2] or 0)
    rows = _nvidia_smi("name,memory.total")
    if index >= len(rows):
        return {"index": str(index)}
    name, _, memory = rows[index].partition(",")
    return {"index": str(index), "name": name.strip(), "memory_total": memory.strip()}


def engine_kwargs(settings: Settings, model_format: str, device: str) -> dict[str, Any]:
    """PaddleOCR's ``engine`` and ``engine_config`` for this backend and device."""
    on_gpu = device.startswith("gpu")
    if settings.backend == "onnxruntime":
        config: dict[str, Any] = {
            "device_type": "gpu" if on_gpu else "cpu",
            "intra_op_num_threads": settings.threads_per_engine,
            "inter_op_num_threads": 1,
            # Without the arena every buffer is a fresh malloc (about 20 % slower
            # here). Memory patterns plan one block per input shape, and pages come
            # in every shape: with them the arena grows with each new page size.
            "enable_cpu_mem_arena": settings.ort_memory_arena,
            "enable_mem_pattern": False,
        }
        if on_gpu:
            config["device_id"] = int(device.partition(":")[2] or 0)
        return {"engine": "onnxruntime", "engine_config": config}
    if on_gpu:
        return {"engine": "paddle_static", "engine_config": {"run_mode": "paddle"}}
    return {
        "engine": "paddle_static",
        "engine_config": {
            # oneDNN runs v4 .pdmodel programs only on the old IR (PIR fails on
            # an attribute); without oneDNN the CPU is about 7x slower.
            "run_mode": "mkldnn",
            "enable_new_ir": model_format == "paddle-pir",
            "cpu_threads": settings.threads_per_engine,
            "mkldnn_cache_capacity": MKLDNN_CACHE_CAPACITY,
        },
    }
