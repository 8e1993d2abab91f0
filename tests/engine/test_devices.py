"""Device choice: auto / cpu / gpu:N / xpu:N / npu:N, and never a silent CPU run.

No GPU, XPU or NPU here: the driver and Paddle's device queries are faked; what
this machine really has (a CPU onnxruntime, no NVIDIA driver) is checked as is.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import ValidationError

from app.config import Settings
from app.engine import accelerators, cuda_driver, devices
from app.engine.accelerators import Problem
from app.engine.cuda_driver import DriverStatus
from app.engine.types import EngineInfo
from app.errors import DeviceUnavailable, EngineError
from app.observability.gpu_collector import GpuMemoryCollector

GPU_PROBLEM = Problem("the NVIDIA driver found no usable GPU", "CUDA_ERROR_NO_DEVICE")


@pytest.fixture(autouse=True)
def fresh_choice() -> Iterator[None]:
    devices._choose.cache_clear()
    yield
    devices._choose.cache_clear()


def _settings(device: str, backend: str = "onnxruntime", **extra: Any) -> Settings:
    model_set = "paddle-v4-embedded" if backend == "paddle" else "embedded"
    return Settings(device=device, backend=backend, model_set=model_set, **extra)


def _fake_paddle(monkeypatch: pytest.MonkeyPatch, *, cuda: int | None = None,
                 xpu: int | None = None, npu: int | None = None) -> None:
    """A ``paddle`` module whose builds and device counts are the arguments (None: no build)."""
    device = SimpleNamespace(
        is_compiled_with_cuda=lambda: cuda is not None,
        is_compiled_with_xpu=lambda: xpu is not None,
        cuda=SimpleNamespace(device_count=lambda: cuda or 0),
        xpu=SimpleNamespace(device_count=lambda: xpu or 0),
        get_all_custom_device_type=lambda: ["npu"] if npu is not None else [],
        get_available_custom_device=lambda: [f"npu:{i}" for i in range(npu or 0)] or None,
    )
    monkeypatch.setitem(sys.modules, "paddle", SimpleNamespace(device=device))


# --- settings ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["auto", "CPU", "gpu", "gpu:1", "xpu:0", "npu:3", " npu "])
def test_device_setting_accepts(value: str) -> None:
    backend = "paddle" if value.strip().lower().startswith(("xpu", "npu")) else "onnxruntime"
    assert _settings(value, backend).device == value.strip().lower()


@pytest.mark.parametrize("value", ["tpu:0", "gpu:x", "gpu:", "cuda", "xpu:-1"])
def test_device_setting_rejects(value: str) -> None:
    with pytest.raises(ValidationError, match="'xpu:N' or 'npu:N'"):
        _settings(value)


@pytest.mark.parametrize("value", ["xpu:0", "npu:1"])
def test_xpu_and_npu_need_the_paddle_backend(value: str) -> None:
    with pytest.raises(ValidationError, match="needs backend 'paddle'"):
        _settings(value, "onnxruntime")


def test_accelerators_default_to_one_engine() -> None:
    assert _settings("gpu:0").engine_workers == 1
    assert _settings("npu:0", "paddle").engine_workers == 1


# --- auto / cpu / gpu -------------------------------------------------------


def test_cpu_asks_no_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accelerators, "problem", lambda *a: pytest.fail("probed"))
    choice = devices.choose(_settings("cpu"), None)
    assert (choice.device, choice.fallback_reason) == ("cpu", None)


def test_auto_takes_the_first_gpu_that_works(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, str, int]] = []
    monkeypatch.setattr(accelerators, "problem",
                        lambda backend, kind, index, model: asked.append((backend, kind, index)))
    choice = devices.choose(_settings("auto"), None)
    assert (choice.device, choice.requested, choice.fallback_reason) == ("gpu:0", "auto", None)
    assert asked == [("onnxruntime", "gpu", 0)]


def test_auto_falls_back_to_the_cpu_loudly(monkeypatch: pytest.MonkeyPatch,
                                           caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(accelerators, "problem", lambda *a: GPU_PROBLEM)
    with caplog.at_level(logging.WARNING, logger="app.engine"):
        choice = devices.choose(_settings("auto"), None)
        devices.choose(_settings("auto"), None)  # a second engine: decided once
    assert choice.device == "cpu"
    assert choice.fallback_reason == GPU_PROBLEM.reason  # the backend's words stay in the log
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "OCR_DEVICE=auto: no usable GPU, running on the CPU: "
        "the NVIDIA driver found no usable GPU: CUDA_ERROR_NO_DEVICE"
    ]


def test_auto_on_a_cpu_build_is_no_fallback() -> None:
    """This machine's onnxruntime is the CPU package (as in the CPU image)."""
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("onnxruntime here is a GPU build")
    choice = devices.choose(_settings("auto"), None)
    assert (choice.device, choice.fallback_reason) == ("cpu", None)
    with pytest.raises(DeviceUnavailable, match="onnxruntime is a CPU build"):
        devices.choose(_settings("gpu"), None)


@pytest.mark.parametrize("requested", ["gpu", "gpu:1"])
def test_a_required_gpu_that_fails_is_a_start_up_error(monkeypatch: pytest.MonkeyPatch,
                                                       requested: str) -> None:
    monkeypatch.setattr(accelerators, "problem", lambda *a: GPU_PROBLEM)
    with pytest.raises(DeviceUnavailable) as caught:
        devices.choose(_settings(requested), None)
    assert str(caught.value) == (
        f"OCR_DEVICE={requested} cannot be used: the NVIDIA driver found no usable GPU: "
        "CUDA_ERROR_NO_DEVICE"
    )


def test_the_service_refuses_a_gpu_it_cannot_use(tmp_path: Path) -> None:
    """The real service, OCR_DEVICE=gpu on this machine: exit 3, one line naming the cause."""
    import onnxruntime

    from app.__main__ import EXIT_ENGINE_FAILED
    from tests.e2e.test_lifecycle import failure_lines, run_service

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("onnxruntime here is a GPU build")
    process, _ = run_service(tmp_path, "from app.__main__ import main; main()", OCR_DEVICE="gpu")
    log, _ = process.communicate(timeout=180)
    assert process.returncode == EXIT_ENGINE_FAILED, log
    [line] = failure_lines(log)
    assert "engine failed to start: " in line
    assert "OCR_DEVICE=gpu cannot be used: the installed onnxruntime is a CPU build" in line, line
    assert "DeviceUnavailable" not in line and "Traceback" not in log


# --- the driver's answers -------------------------------------------------------


@pytest.mark.parametrize(("status", "index", "expected"), [
    (DriverStatus(loaded=False), 0, "no NVIDIA driver in this container (libcuda.so.1 not found)"),
    (DriverStatus(loaded=True, error="CUDA_ERROR_NO_DEVICE: no CUDA-capable device"), 0,
     "the NVIDIA driver found no usable GPU"),
    (DriverStatus(loaded=True, cuda_version=12080, device_count=2), 2,
     "there is no gpu:2: CUDA sees 2 GPU(s)"),
    (DriverStatus(loaded=True, cuda_version=11080, device_count=1), 0,
     "the NVIDIA driver supports CUDA 11.8; this image needs a driver for CUDA 12"),
])
def test_driver_problems(monkeypatch: pytest.MonkeyPatch, status: DriverStatus, index: int,
                         expected: str) -> None:
    monkeypatch.setattr(cuda_driver, "status", lambda: status)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    found = accelerators.driver_problem(index)
    assert found is not None and found.reason.startswith(expected)


def test_driver_problem_names_cuda_visible_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cuda_driver, "status",
                        lambda: DriverStatus(loaded=True, cuda_version=12090, device_count=1))
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3")
    found = accelerators.driver_problem(1)
    assert found is not None
    assert found.reason == "there is no gpu:1: CUDA sees 1 GPU(s) (CUDA_VISIBLE_DEVICES='3')"
    assert accelerators.driver_problem(0) is None


def test_this_machine_has_no_driver() -> None:
    if cuda_driver.status().loaded:
        pytest.skip("an NVIDIA driver is installed here")
    assert cuda_driver.memory(0) is None
    assert cuda_driver.describe(0) == {"index": "0"}


# --- Paddle: gpu, xpu, npu ----------------------------------------------------------


def test_paddle_xpu_and_npu_pass_through(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_paddle(monkeypatch, xpu=2, npu=1)
    assert devices.choose(_settings("xpu:1", "paddle"), None).device == "xpu:1"
    assert devices.choose(_settings("npu", "paddle"), None).device == "npu:0"
    settings = _settings("xpu:1", "paddle")
    assert devices.engine_kwargs(settings, "paddle", "xpu:1") == {
        "engine": "paddle_static", "engine_config": {"run_mode": "paddle"}}
    assert devices.rec_batch_size(settings, "xpu:1") == devices.ACCELERATOR_REC_BATCH


@pytest.mark.parametrize(("requested", "paddle", "expected"), [
    ("xpu:0", {}, "no Kunlun XPU support (it needs the paddlepaddle-xpu build)"),
    ("xpu:2", {"xpu": 2}, "there is no xpu:2: 2 Kunlun XPU(s) visible"),
    ("xpu:0", {"xpu": 0}, "Paddle sees no Kunlun XPU"),
    ("npu:0", {"xpu": 1}, "no Ascend NPU plugin (paddle-custom-npu)"),
    ("npu:1", {"npu": 1}, "there is no npu:1: 1 Ascend NPU(s) visible"),
    ("gpu:0", {}, "the installed Paddle is a CPU build (paddlepaddle)"),
])
def test_paddle_devices_it_cannot_use(monkeypatch: pytest.MonkeyPatch, requested: str,
                                      paddle: dict[str, int], expected: str) -> None:
    _fake_paddle(monkeypatch, **paddle)
    with pytest.raises(DeviceUnavailable, match=expected.replace("(", r"\(").replace(")", r"\)")):
        devices.choose(_settings(requested, "paddle"), None)


def test_paddle_gpu_counts_what_cuda_sees(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_paddle(monkeypatch, cuda=1)
    monkeypatch.setattr(cuda_driver, "status",
                        lambda: DriverStatus(loaded=True, cuda_version=12090, device_count=1))
    assert devices.choose(_settings("gpu", "paddle"), None).device == "gpu:0"
    with pytest.raises(DeviceUnavailable, match="there is no gpu:1"):
        devices.choose(_settings("gpu:1", "paddle"), None)


def test_paddle_auto_without_a_driver_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_paddle(monkeypatch, cuda=0)
    monkeypatch.setattr(cuda_driver, "status", lambda: DriverStatus(loaded=False))
    choice = devices.choose(_settings("auto", "paddle"), None)
    assert choice.device == "cpu"
    assert choice.fallback_reason is not None and "libcuda.so.1" in choice.fallback_reason


# --- engine settings on the GPU -------------------------------------------------------


def test_cuda_provider_options_carry_the_memory_cap() -> None:
    capped = devices.engine_kwargs(_settings("gpu:1", gpu_mem_limit_mb=512), "onnx", "gpu:1")
    config = capped["engine_config"]
    assert config["device_type"] == "gpu" and config["device_id"] == 1
    assert config["provider_options"] == {
        "cudnn_conv_algo_search": "HEURISTIC",
        "gpu_mem_limit": str(512 * 1024 * 1024),
        "arena_extend_strategy": "kSameAsRequested",
    }
    free = devices.engine_kwargs(_settings("gpu:0"), "onnx", "gpu:0")["engine_config"]
    assert "gpu_mem_limit" not in free["provider_options"]
    cpu = devices.engine_kwargs(_settings("cpu"), "onnx", "cpu")["engine_config"]
    assert "provider_options" not in cpu


def test_paddle_memory_cap_covers_every_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    flags: dict[str, int] = {}
    monkeypatch.setitem(sys.modules, "paddle", SimpleNamespace(set_flags=flags.update))
    settings = _settings("gpu:0", "paddle", gpu_mem_limit_mb=1000, workers_per_device=2)
    devices.prepare_paddle(settings, "cpu")
    assert flags == {}
    devices.prepare_paddle(settings, "gpu:0")
    assert flags == {"FLAGS_gpu_memory_limit_mb": 2000}


class _Session:
    def __init__(self, providers: list[str]) -> None:
        self.providers = providers

    def get_providers(self) -> list[str]:
        return self.providers


def _pipeline(*providers: list[str]) -> Any:
    stages = dict(zip(("text_det_model", "text_rec_model"), providers, strict=False))
    inner = SimpleNamespace(**{name: SimpleNamespace(runner=SimpleNamespace(session=_Session(p)))
                               for name, p in stages.items()})
    return SimpleNamespace(paddlex_pipeline=SimpleNamespace(_pipeline=inner))


def test_a_model_onnx_runtime_left_on_the_cpu_fails_the_start() -> None:
    cuda = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    devices.verify_placement(_pipeline(cuda, cuda), "onnxruntime", "gpu:0")
    with pytest.raises(DeviceUnavailable, match="instead of gpu:0"):
        devices.verify_placement(_pipeline(cuda, ["CPUExecutionProvider"]), "onnxruntime",
                                 "gpu:0")
    with pytest.raises(EngineError):
        devices.verify_placement(SimpleNamespace(), "onnxruntime", "gpu:0")
    devices.verify_placement(SimpleNamespace(), "onnxruntime", "cpu")


def test_the_real_pipeline_exposes_its_sessions(tmp_path: Path) -> None:
    """What verify_placement walks is where PaddleOCR keeps its sessions (CPU here)."""
    from app.engine.paddleocr_engine import load_engine

    # ONNX Runtime for both models: on OpenVINO the recognizer has no ORT session.
    engine = load_engine(Settings(device="cpu", cache_dir=tmp_path, workers_per_device=1,
                                  rec_runtime="onnxruntime"))
    try:
        sessions = devices._onnx_sessions(engine._pipeline)
        assert [s.get_providers()[0] for s in sessions] == ["CPUExecutionProvider"] * 2
        assert engine.info.requested_device == "cpu" and engine.info.device_fallback is None
    finally:
        engine.close()


# --- /metrics --------------------------------------------------------------------------


def _collect(info: EngineInfo | None) -> dict[str, list[Any]]:
    return {f.name: f.samples for f in GpuMemoryCollector(lambda: info).collect()}


def test_gpu_memory_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cuda_driver, "memory", lambda index: (3 * 2**30, 80 * 2**30))
    on_cpu = EngineInfo("onnxruntime", "cpu", "embedded", "d", "r")
    assert _collect(on_cpu) == {"ocr_gpu_memory_used_bytes": [],
                                "ocr_gpu_memory_total_bytes": []}
    on_gpu = EngineInfo("onnxruntime", "gpu:0", "embedded", "d", "r",
                        gpu={"index": "0", "pci_bus_id": "0000:3B:00.0"})
    samples = _collect(on_gpu)
    used = samples["ocr_gpu_memory_used_bytes"][0]
    assert used.labels == {"device": "gpu:0", "pci_bus_id": "0000:3B:00.0"}
    assert used.value == 3 * 2**30
    assert samples["ocr_gpu_memory_total_bytes"][0].value == 80 * 2**30


# --- ONNX Runtime's own answer ------------------------------------------------------------


class _FakeOrt:
    """onnxruntime with the CUDA provider listed; sessions fail or land where told."""

    def __init__(self, error: str | None = None, providers: list[str] | None = None) -> None:
        self.error, self.providers = error, providers
        self.calls: list[dict[str, Any]] = []

    def get_available_providers(self) -> list[str]:
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]

    def SessionOptions(self) -> Any:
        return SimpleNamespace()

    def InferenceSession(self, model: str, options: Any, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        if self.error:
            raise RuntimeError(self.error)
        return _Session(self.providers or [])


@pytest.mark.parametrize(("fake", "reason", "detail"), [
    (_FakeOrt(error="CUDA failure 999: unknown error ; GPU=0\nmore"),
     "ONNX Runtime's CUDA provider failed to start", "CUDA failure 999: unknown error ; GPU=0"),
    (_FakeOrt(providers=["CPUExecutionProvider"]),
     "ONNX Runtime put the model on ['CPUExecutionProvider'], not on the GPU", None),
])
def test_onnx_runtime_probe_session(monkeypatch: pytest.MonkeyPatch, fake: _FakeOrt, reason: str,
                                    detail: str | None, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", fake)
    monkeypatch.setattr(cuda_driver, "status",
                        lambda: DriverStatus(loaded=True, cuda_version=12090, device_count=2))
    found = accelerators.problem("onnxruntime", "gpu", 1, tmp_path / "det.onnx")
    assert found == Problem(reason, detail)
    # The CUDA provider alone, on the asked device, and ONNX Runtime's fallback off.
    assert fake.calls == [{"providers": [("CUDAExecutionProvider", {"device_id": 1})],
                           "enable_fallback": 0}]


def test_onnx_runtime_probe_passes_on_a_working_gpu(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime",
                        _FakeOrt(providers=["CUDAExecutionProvider", "CPUExecutionProvider"]))
    monkeypatch.setattr(cuda_driver, "status",
                        lambda: DriverStatus(loaded=True, cuda_version=12090, device_count=1))
    assert accelerators.problem("onnxruntime", "gpu", 0, tmp_path / "det.onnx") is None
    assert devices.choose(_settings("auto"), tmp_path / "det.onnx").device == "gpu:0"
