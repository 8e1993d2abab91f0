"""The engine interface: plain values in, plain values out, no backend imports.

Everything outside ``app/engine`` talks to OCR through these types, so a backend
(PaddleOCR on ONNX Runtime or on Paddle, or a fake in unit tests) can be swapped
without touching routes or documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from app.domain import EngineOptions, Line, Pixels


@dataclass(frozen=True, slots=True)
class PageOCR:
    """The engine's result for one page: lines in the detector's order (layout orders them)."""

    lines: tuple[Line, ...]
    rotation: int = 0
    """Degrees (clockwise) the page was turned to read it upright; 0 when upright."""


@dataclass(frozen=True, slots=True)
class ModelFile:
    """A model file and the checksum it was verified against."""

    path: str
    sha256: str


@dataclass(frozen=True, slots=True)
class EngineInfo:
    """What the engine is, for /system/info and logs."""

    backend: str
    device: str
    model_set: str
    det_model: str
    rec_model: str
    versions: dict[str, str] = field(default_factory=dict)
    files: tuple[ModelFile, ...] = ()
    gpu: dict[str, str] | None = None
    requested_device: str = ""
    """``OCR_DEVICE`` as set ('auto', 'gpu:0', ...); ``device`` is what it became."""
    device_fallback: str | None = None
    """Why ``auto`` runs on the CPU, when it does."""


class OCREngine(Protocol):
    """A loaded OCR pipeline. Not thread-safe: exactly one caller at a time."""

    @property
    def info(self) -> EngineInfo:
        """Static description of the engine."""
        ...

    def predict(self, images: list[Pixels], options: EngineOptions) -> list[PageOCR]:
        """OCR a batch of pages; returns one result per page, in order.

        Raises ``app.errors.EngineError`` when the batch as a whole failed.
        """
        ...

    def close(self) -> None:
        """Release the backend's resources."""
        ...


