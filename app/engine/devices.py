"""Device choice and per-backend engine settings.

``OCR_DEVICE``:

* ``auto``: the first GPU when the backend can really run there, else the CPU,
  with a warning in the log and the reason in /system/info (never silently;
  a CPU build of the backend, as in the CPU image, simply runs on the CPU);
* ``cpu``;
* ``gpu`` / ``gpu:N``: that GPU, or a start-up error naming why not;
* ``xpu:N`` / ``npu:N`` (Paddle backend): a Kunlun XPU or Ascend NPU, when the
  installed Paddle build supports it, or a start-up error.

The accelerator path differs from the CPU path only in the values returned here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from app.config import ACCELERATORS, MIB, Settings
from app.engine import accelerators, cuda_driver
from app.engine.model_files import ModelFormat
from app.errors import DeviceUnavailable, EngineError

logger = logging.getLogger("app.engine")

MKLDNN_CACHE_CAPACITY = 10
"""Input shapes oneDNN keeps compiled kernels for. Unbounded, it grows with
every new page size (PaddleOCR users report RSS creeping up for days)."""

CPU_REC_BATCH: Final = 1
"""Text lines per recognizer call on the CPU. Each line is read at its own width
instead of padded to the widest of its batch: 3-5 % faster on the benchmark's
files, and a line's text never depends on the lines read beside it."""
ACCELERATOR_REC_BATCH: Final = 6
"""PaddleOCR's default; on a GPU wider batches may pay (scripts/gpu_check.sh)."""


@dataclass(frozen=True, slots=True)
class DeviceChoice:
    """The device an engine runs on, what was asked for, and why they differ."""

    device: str
    """'cpu', 'gpu:N', 'xpu:N' or 'npu:N'."""
    requested: str
    fallback_reason: str | None = None
    """Why ``auto`` runs on the CPU (no GPU build, no driver, no device...)."""

    @property
    def kind(self) -> str:
        """'cpu', 'gpu', 'xpu' or 'npu'."""
        return self.device.partition(":")[0]

    @property
    def index(self) -> int:
        """The device number (0 on the CPU)."""
        return int(self.device.partition(":")[2] or 0)


def on_accelerator(device: str) -> bool:
    """Whether ``device`` names a GPU, XPU or NPU."""
    return device.partition(":")[0] in ACCELERATORS


def choose(settings: Settings, probe_model: Path | None) -> DeviceChoice:
    """Resolve ``settings.device`` for ``settings.backend``; raise ``DeviceUnavailable``.

    ``probe_model``: an ONNX file the engine will load, opened once on the GPU to
    prove ONNX Runtime really runs there. Decided once per process: the answer
    depends on the machine, not on the engine asking.
    """
    return _choose(settings.backend, settings.device, probe_model)


@cache
def _choose(backend: str, requested: str, probe_model: Path | None) -> DeviceChoice:
    kind, _, number = requested.partition(":")
    if kind == "cpu":
        return DeviceChoice("cpu", requested)
    if kind == "auto":
        found = accelerators.problem(backend, "gpu", 0, probe_model)
        if found is None:
            return DeviceChoice("gpu:0", requested)
        if found.cpu_build:
            logger.info("OCR_DEVICE=auto: running on the CPU (%s)", found.reason)
            return DeviceChoice("cpu", requested)
        logger.warning("OCR_DEVICE=auto: no usable GPU, running on the CPU: %s", found)
        return DeviceChoice("cpu", requested, fallback_reason=found.reason)
    index = int(number or 0)
    found = accelerators.problem(backend, kind, index, probe_model)
    if found is not None:
        raise DeviceUnavailable(f"OCR_DEVICE={requested} cannot be used: {found}")
    return DeviceChoice(f"{kind}:{index}", requested)


def rec_batch_size(settings: Settings, device: str) -> int:
    """Lines per recognizer call: the setting, or the device's default."""
    if settings.rec_batch_size:
        return settings.rec_batch_size
    return ACCELERATOR_REC_BATCH if on_accelerator(device) else CPU_REC_BATCH


def gpu_details(device: str) -> dict[str, str] | None:
    """Name, memory and PCI bus id of the GPU in use, when one is."""
    if not device.startswith("gpu"):
        return None
    return cuda_driver.describe(int(device.partition(":")[2] or 0))


def engine_kwargs(settings: Settings, model_format: ModelFormat, device: str) -> dict[str, Any]:
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
            config["provider_options"] = cuda_provider_options(settings)
        return {"engine": "onnxruntime", "engine_config": config}
    if on_accelerator(device):
        return {"engine": "paddle_static", "engine_config": {"run_mode": "paddle"}}
    return {
        "engine": "paddle_static",
        "engine_config": {
            # oneDNN runs v4 .pdmodel programs only on the old IR (PIR fails on
            # an attribute); without oneDNN the CPU is about 7x slower.
            "run_mode": "mkldnn",
            "enable_new_ir": model_format is ModelFormat.PADDLE_PIR,
            "cpu_threads": settings.threads_per_engine,
            "mkldnn_cache_capacity": MKLDNN_CACHE_CAPACITY,
        },
    }


def cuda_provider_options(settings: Settings) -> dict[str, str]:
    """ONNX Runtime's CUDA provider options for one engine."""
    options = {
        # Every page has its own size, so every input shape is new: an exhaustive
        # cuDNN search (the default) would benchmark the convolutions again for
        # each one; the heuristic picks an algorithm at once.
        "cudnn_conv_algo_search": "HEURISTIC",
    }
    if settings.gpu_mem_limit_mb:
        # The arena then grows by what is asked, not to the next power of two,
        # so the cap is reached late rather than by one doubling.
        options["gpu_mem_limit"] = str(settings.gpu_mem_limit_mb * MIB)
        options["arena_extend_strategy"] = "kSameAsRequested"
    return options


def prepare_paddle(settings: Settings, device: str) -> None:
    """Process-wide Paddle flags for ``device``: the GPU memory cap of all engines."""
    if settings.backend != "paddle" or not settings.gpu_mem_limit_mb:
        return
    if not device.startswith("gpu"):
        return
    import paddle

    # One allocator per process and GPU, shared by every engine in it.
    paddle.set_flags(
        {"FLAGS_gpu_memory_limit_mb": settings.gpu_mem_limit_mb * settings.engine_workers}
    )


def verify_placement(pipeline: Any, backend: str, device: str) -> None:
    """Fail when ONNX Runtime put a model on the CPU although a GPU was chosen.

    ONNX Runtime falls back to the CPU on its own when its CUDA provider fails;
    that must be a start-up error, not a slow service.
    """
    if backend != "onnxruntime" or not device.startswith("gpu"):
        return
    sessions = _onnx_sessions(pipeline)
    if not sessions:
        raise EngineError("Cannot find the ONNX Runtime sessions to check their device.")
    for session in sessions:
        providers = session.get_providers()
        if not providers or providers[0] != "CUDAExecutionProvider":
            raise DeviceUnavailable(
                f"ONNX Runtime runs a model on {providers} instead of {device}"
            )


def _onnx_sessions(pipeline: Any) -> list[Any]:
    # PaddleOCR -> PaddleX OCR pipeline -> one model per stage -> runner -> session.
    inner = getattr(getattr(pipeline, "paddlex_pipeline", None), "_pipeline", None)
    sessions = []
    for stage in ("text_det_model", "text_rec_model", "textline_orientation_model"):
        runner = getattr(getattr(inner, stage, None), "runner", None)
        session = getattr(runner, "session", None)
        if session is not None:
            sessions.append(session)
    return sessions
