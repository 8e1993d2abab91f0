"""GPU memory for /metrics, read from the NVIDIA driver when Prometheus scrapes.

``ocr_gpu_memory_used_bytes`` and ``ocr_gpu_memory_total_bytes`` describe the GPU
the engines run on, labelled with its device (``gpu:0``) and PCI bus id. "Used"
is the device's, every process on it together (the driver keeps no count per
process that a container could match): alone on its GPU, it is this service's
engines plus CUDA's own context. On the CPU (or before the engine is ready)
both families are present and empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from app.engine import cuda_driver
from app.engine.types import EngineInfo


class GpuMemoryCollector(Collector):
    """Used and total memory of the app's GPU, read at scrape time."""

    def __init__(self, engine_info: Callable[[], EngineInfo | None]) -> None:
        """``engine_info`` describes the default set's engine (None until it is ready)."""
        self._engine_info = engine_info

    def describe(self) -> Iterable[Metric]:
        return self._families(None)

    def collect(self) -> Iterable[Metric]:
        return self._families(self._engine_info())

    def _families(self, info: EngineInfo | None) -> list[Metric]:
        labels = ["device", "pci_bus_id"]
        used = GaugeMetricFamily(
            "ocr_gpu_memory_used_bytes",
            "Memory in use on the GPU the engines run on, all processes together.", labels=labels)
        total = GaugeMetricFamily(
            "ocr_gpu_memory_total_bytes", "Memory of the GPU the engines run on.", labels=labels)
        if info is not None and info.device.startswith("gpu"):
            index = int(info.device.partition(":")[2] or 0)
            reading = cuda_driver.memory(index)
            if reading is not None:
                bus = (info.gpu or {}).get("pci_bus_id", "")
                used.add_metric([info.device, bus], float(reading[0]))
                total.add_metric([info.device, bus], float(reading[1]))
        return [used, total]
