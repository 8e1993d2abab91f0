"""Seconds spent per stage on one document, as the answers report them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(slots=True)
class Timings:
    """Seconds spent per stage on one document (summed over its pages)."""

    started: float = field(default_factory=time.perf_counter)
    decode: float = 0.0
    ocr: float = 0.0
    layout: float = 0.0
    structure: float = 0.0
    """Layout and table models (reported only when they ran)."""

    def as_ms(self) -> dict[str, float]:
        """The timings the API reports, in milliseconds."""
        total = time.perf_counter() - self.started
        ms = {
            "decode": round(self.decode * 1000, 1),
            "ocr": round(self.ocr * 1000, 1),
            "layout": round(self.layout * 1000, 1),
        }
        if self.structure:
            ms["structure"] = round(self.structure * 1000, 1)
        ms["total"] = round(total * 1000, 1)
        return ms
