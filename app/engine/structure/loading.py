"""Loading the structure models at start: only from installed wheels, checked, never fetched.

The layout and table files live inside pinned PyPI wheels
(``requirements-structure.txt``). When a wheel is missing or a file's SHA-256 does
not match, the service still starts: OCR works, structure is reported as
unavailable with the reason on ``/system/info`` and ``/models``, and nothing is
downloaded.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from app.engine.structure.layout_model import LAYOUT_FILE, LayoutModel
from app.engine.structure.runner import StructureModels, StructureRunner
from app.engine.structure.table_model import TABLE_FILE, TableModel
from app.errors import ModelSetError

logger = logging.getLogger("app.engine")

INSTALL_HINT = "pip install --no-deps -r requirements-structure.txt"


@dataclass(frozen=True, slots=True)
class StructureStatus:
    """What start made of the structure models: a runner, or why there is none."""

    runner: StructureRunner | None
    reason: str | None = None

    def describe(self) -> dict[str, Any]:
        """The ``structure`` entry of /system/info and /models."""
        if self.runner is None:
            return {"loaded": False, "reason": self.reason,
                    "expected": [f"{f.package}/{f.relative}" for f in (LAYOUT_FILE, TABLE_FILE)],
                    "install": INSTALL_HINT}
        return {"loaded": True, "layout_model": self.runner.layout_name,
                "table_model": self.runner.table_name,
                "model_files": [asdict(f) for f in self.runner.files],
                "workers": self.runner.workers, "alive": self.runner.alive,
                "calls": self.runner.calls, "failed": self.runner.failed,
                "rejected": self.runner.rejected}


def load_structure(workers: int, max_queue: int, enabled: bool = True) -> StructureStatus:
    """Open ``workers`` pairs of (layout, table) sessions after checking the files.

    Blocks (a few hundred ms per pair): run it in a thread.
    """
    if not enabled:
        return StructureStatus(None, "disabled by configuration (OCR_STRUCTURE=false)")
    try:
        models = [StructureModels(LayoutModel(), TableModel()) for _ in range(max(1, workers))]
    except ModelSetError as exc:
        # Our own message (package name, file, digests): no document content.
        logger.warning("structure models not loaded: %s", exc)
        return StructureStatus(None, str(exc))
    except Exception as exc:
        logger.warning("structure models not loaded: %s", type(exc).__name__)
        return StructureStatus(None, f"the model files did not load ({type(exc).__name__})")
    runner = StructureRunner(models, max_queue)
    logger.info("structure models loaded: %s, %s (%d workers)",
                runner.layout_name, runner.table_name, runner.workers)
    return StructureStatus(runner)
