"""The engine interface: plain values in, plain values out, no backend imports.

Everything outside ``app/engine`` talks to OCR through these types, so a backend
(PaddleOCR on ONNX Runtime or on Paddle, or a fake in unit tests) can be swapped
without touching routes or documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
"""An RGB page, shape (height, width, 3), dtype uint8."""

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """Per-request inference options. Immutable: passed along, never stored on the engine.

    Pages are only batched together when their options are equal.
    """

    det_limit_side_len: int = 960
    auto_rotate: bool = True


@dataclass(frozen=True, slots=True)
class RecognizedLine:
    """One text line as the engine read it, in the page's pixel coordinates."""

    text: str
    score: float
    polygon: tuple[Point, ...]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """Axis-aligned box (x_min, y_min, x_max, y_max) around the polygon."""
        xs = [p[0] for p in self.polygon]
        ys = [p[1] for p in self.polygon]
        return (min(xs), min(ys), max(xs), max(ys))


@dataclass(frozen=True, slots=True)
class PageOCR:
    """The engine's result for one page: lines in reading order."""

    lines: tuple[RecognizedLine, ...]
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


class OCREngine(Protocol):
    """A loaded OCR pipeline. Not thread-safe: exactly one caller at a time."""

    @property
    def info(self) -> EngineInfo:
        """Static description of the engine."""
        ...

    def predict(self, images: list[Image], options: EngineOptions) -> list[PageOCR]:
        """OCR a batch of pages; returns one result per page, in order.

        Raises ``app.errors.EngineError`` when the batch as a whole failed.
        """
        ...

    def close(self) -> None:
        """Release the backend's resources."""
        ...
