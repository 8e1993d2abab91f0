"""Can this backend run on that accelerator here? If not, why not, in words.

One question per backend and device kind, answered by the backend itself and,
for NVIDIA GPUs, by the driver (``cuda_driver``): ``problem`` returns ``None``
when the device can be used, or a ``Problem`` whose ``reason`` is ours (safe for
/system/info) and whose ``detail`` is the backend's own message (logs only).

* ONNX Runtime, ``gpu``: a GPU build (CUDAExecutionProvider), a driver, the device,
  then a real CUDA session on the model the engine will load, with ONNX Runtime's
  fallback to the CPU turned off, so "it would have run on the CPU" is a problem.
* Paddle, ``gpu``: a CUDA build, a driver, the device count Paddle sees.
* Paddle, ``xpu`` (Kunlun) and ``npu`` (Ascend, a custom-device plugin): a build or
  plugin for it, and the device count Paddle sees.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from app.engine import cuda_driver

logger = logging.getLogger("app.engine")

MIN_DRIVER_CUDA: Final = 12000
"""The image's CUDA 12 libraries need a driver for CUDA 12.0 or newer (>= 525),
through CUDA's minor-version compatibility."""
PADDLE_MISSING: Final = ("Paddle is not installed (a GPU image built with PADDLE_GPU=0 runs "
                         "ONNX Runtime only)")
NAMES: Final = {"gpu": "NVIDIA GPU", "xpu": "Kunlun XPU", "npu": "Ascend NPU"}


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a device cannot be used."""

    reason: str
    detail: str | None = None
    cpu_build: bool = False
    """The backend as installed has no support for the device at all (a CPU image):
    running on the CPU is then what was built, not a fallback."""

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}" if self.detail else self.reason


def problem(backend: str, kind: str, index: int, probe_model: Path | None) -> Problem | None:
    """Why ``backend`` cannot run on device ``kind:index`` here, or ``None`` if it can."""
    if backend == "onnxruntime":
        if kind != "gpu":
            return Problem(f"{NAMES[kind]}s need OCR_BACKEND=paddle (ONNX Runtime here runs "
                           "on the CPU and NVIDIA GPUs only)")
        return _onnxruntime_gpu(index, probe_model)
    try:
        import paddle
    except ImportError:
        return Problem(PADDLE_MISSING, cpu_build=True)

    if kind == "gpu":
        return _paddle_gpu(paddle, index)
    if kind == "xpu":
        if not paddle.device.is_compiled_with_xpu():
            return Problem("the installed Paddle has no Kunlun XPU support (it needs the "
                           "paddlepaddle-xpu build)")
        return _count_problem(kind, index, int(paddle.device.xpu.device_count()))
    if kind == "npu":
        if "npu" not in (paddle.device.get_all_custom_device_type() or []):
            return Problem("the installed Paddle has no Ascend NPU plugin (paddle-custom-npu)")
        devices = paddle.device.get_available_custom_device() or []
        return _count_problem(kind, index, sum(1 for d in devices if d.split(":")[0] == "npu"))
    return Problem(f"unknown device kind {kind!r}")


def _count_problem(kind: str, index: int, count: int, note: str = "") -> Problem | None:
    if index < count:
        return None
    if count == 0:
        return Problem(f"Paddle sees no {NAMES[kind]}{note}")
    return Problem(f"there is no {kind}:{index}: {count} {NAMES[kind]}(s) visible{note}")


def driver_problem(index: int) -> Problem | None:
    """Why the NVIDIA driver cannot give this process CUDA device ``index``, if it cannot."""
    status = cuda_driver.status()
    note = cuda_driver.visible_devices_note()
    if not status.loaded:
        return Problem(
            f"no NVIDIA driver in this container ({cuda_driver.LIBRARY} not found): start it "
            "with a GPU through the NVIDIA Container Toolkit (docker run --gpus all, a "
            "Kubernetes nvidia.com/gpu limit)"
        )
    if status.error is not None:
        return Problem(f"the NVIDIA driver found no usable GPU{note}", status.error)
    if status.device_count <= index:
        return Problem(f"there is no gpu:{index}: CUDA sees {status.device_count} GPU(s){note}")
    if status.cuda_version < MIN_DRIVER_CUDA:
        major, minor = divmod(status.cuda_version // 10, 100)
        return Problem(f"the NVIDIA driver supports CUDA {major}.{minor}; this image needs "
                       "a driver for CUDA 12 (525 or newer)")
    return None


def _onnxruntime_gpu(index: int, probe_model: Path | None) -> Problem | None:
    import onnxruntime as ort

    if "CUDAExecutionProvider" not in ort.get_available_providers():
        return Problem("the installed onnxruntime is a CPU build (no CUDAExecutionProvider); "
                       "the GPU image carries onnxruntime-gpu", cpu_build=True)
    found = driver_problem(index)
    if found is not None or probe_model is None:
        return found
    return _cuda_session_problem(ort, index, probe_model)


def _cuda_session_problem(ort: Any, index: int, model: Path) -> Problem | None:
    """Open ``model`` on the CUDA provider alone, fallback off: the engine's own path."""
    options = ort.SessionOptions()
    options.log_severity_level = 3  # its error comes back as the exception
    try:
        session = ort.InferenceSession(
            str(model), options, providers=[("CUDAExecutionProvider", {"device_id": index})],
            enable_fallback=0,
        )
    except Exception as exc:  # the backend's words go to the log, not to clients
        first_line = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc)
        return Problem("ONNX Runtime's CUDA provider failed to start", str(first_line))
    providers = session.get_providers()
    if not providers or providers[0] != "CUDAExecutionProvider":
        return Problem(f"ONNX Runtime put the model on {providers}, not on the GPU")
    return None


def _paddle_gpu(paddle: Any, index: int) -> Problem | None:
    if not paddle.device.is_compiled_with_cuda():
        return Problem("the installed Paddle is a CPU build (paddlepaddle); the GPU image "
                       "built with PADDLE_GPU=1 carries paddlepaddle-gpu", cpu_build=True)
    found = driver_problem(index)
    if found is not None:
        return found
    return _count_problem("gpu", index, int(paddle.device.cuda.device_count()),
                          cuda_driver.visible_devices_note())
