"""What the NVIDIA driver says about this container's GPUs, read through ``libcuda``.

Why the driver API and not ``nvidia-smi`` or NVML: it numbers GPUs as CUDA (and so
ONNX Runtime and Paddle) does, after ``CUDA_VISIBLE_DEVICES``; it needs nothing
but the driver library the NVIDIA Container Toolkit mounts; and its errors say
why a GPU cannot be used (no driver, no device, a driver too old). The handful
of read-only calls used here do not justify a binding package (cuda-python).

Nothing here creates a CUDA context: memory is read from the primary context
the inference backend already holds, and not at all before it exists.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from functools import cache
from typing import Final

LIBRARY: Final = "libcuda.so.1"
_SUCCESS: Final = 0


class CudaError(Exception):
    """A driver call failed; the message is the driver's error name and text."""


@dataclass(frozen=True, slots=True)
class DriverStatus:
    """The driver as this process sees it."""

    loaded: bool
    """``libcuda.so.1`` could be loaded (the container was given the driver)."""
    error: str | None = None
    """Why ``cuInit`` failed (no device, driver/kernel module mismatch...), if it did."""
    cuda_version: int = 0
    """Newest CUDA the driver supports, as 1000 * major + 10 * minor (12090: 12.9)."""
    device_count: int = 0


@cache
def _library() -> ctypes.CDLL | None:
    # Loaded once: the driver library of a process does not change.
    try:
        return ctypes.CDLL(LIBRARY)
    except OSError:
        return None


def _call(lib: ctypes.CDLL, name: str, *args: object) -> None:
    code = getattr(lib, name)(*args)
    if code != _SUCCESS:
        raise CudaError(_describe(lib, int(code)))


def _describe(lib: ctypes.CDLL, code: int) -> str:
    name, text = ctypes.c_char_p(), ctypes.c_char_p()
    lib.cuGetErrorName(code, ctypes.byref(name))
    lib.cuGetErrorString(code, ctypes.byref(text))
    label = (name.value or b"CUDA error %d" % code).decode()
    return f"{label}: {(text.value or b'').decode()}".rstrip(": ")


def status() -> DriverStatus:
    """Load and initialise the driver; never raises."""
    lib = _library()
    if lib is None:
        return DriverStatus(loaded=False)
    try:
        _call(lib, "cuInit", 0)
        version, count = ctypes.c_int(), ctypes.c_int()
        _call(lib, "cuDriverGetVersion", ctypes.byref(version))
        _call(lib, "cuDeviceGetCount", ctypes.byref(count))
    except CudaError as exc:
        return DriverStatus(loaded=True, error=str(exc))
    return DriverStatus(loaded=True, cuda_version=version.value, device_count=count.value)


def visible_devices_note() -> str:
    """`` (CUDA_VISIBLE_DEVICES=...)`` when that variable narrows what CUDA sees."""
    value = os.environ.get("CUDA_VISIBLE_DEVICES")
    return f" (CUDA_VISIBLE_DEVICES={value!r})" if value is not None else ""


def describe(index: int) -> dict[str, str]:
    """Name, memory, PCI bus id and driver CUDA version of CUDA device ``index``."""
    lib = _library()
    if lib is None:
        return {"index": str(index)}
    try:
        _call(lib, "cuInit", 0)
        device = ctypes.c_int()
        _call(lib, "cuDeviceGet", ctypes.byref(device), index)
        name = ctypes.create_string_buffer(256)
        _call(lib, "cuDeviceGetName", name, 256, device)
        total = ctypes.c_size_t()
        _call(lib, "cuDeviceTotalMem_v2", ctypes.byref(total), device)
        bus = ctypes.create_string_buffer(32)
        _call(lib, "cuDeviceGetPCIBusId", bus, 32, device)
        version = ctypes.c_int()
        _call(lib, "cuDriverGetVersion", ctypes.byref(version))
    except CudaError:
        return {"index": str(index)}
    return {
        "index": str(index),
        "name": name.value.decode(),
        "memory_total_mib": str(total.value // (1024 * 1024)),
        "pci_bus_id": bus.value.decode(),
        "driver_cuda_version": f"{version.value // 1000}.{version.value % 1000 // 10}",
    }


def memory(index: int) -> tuple[int, int] | None:
    """(used, total) bytes of CUDA device ``index``, all processes together.

    Read inside the device's primary context, which the backend holds while it
    runs there; ``None`` before that (creating a context would cost memory itself).
    """
    lib = _library()
    if lib is None:
        return None
    device, context = ctypes.c_int(), ctypes.c_void_p()
    flags, active = ctypes.c_uint(), ctypes.c_int()
    free, total = ctypes.c_size_t(), ctypes.c_size_t()
    try:
        _call(lib, "cuDeviceGet", ctypes.byref(device), index)
        _call(lib, "cuDevicePrimaryCtxGetState", device, ctypes.byref(flags), ctypes.byref(active))
        if not active.value:
            return None
        _call(lib, "cuDevicePrimaryCtxRetain", ctypes.byref(context), device)
        try:
            _call(lib, "cuCtxPushCurrent_v2", context)
            try:
                _call(lib, "cuMemGetInfo_v2", ctypes.byref(free), ctypes.byref(total))
            finally:
                lib.cuCtxPopCurrent_v2(ctypes.byref(ctypes.c_void_p()))
        finally:
            lib.cuDevicePrimaryCtxRelease_v2(device)
    except CudaError:
        return None
    return total.value - free.value, total.value
