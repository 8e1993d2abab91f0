"""The PaddleOCR 3.x adapter: one pipeline, ONNX Runtime or Paddle underneath.

The GPU path is this same code with another ``device`` and engine config, so
what CI proves on the CPU is what runs on a GPU. Backend imports happen here,
lazily, and backend errors leave as ``EngineError`` with a message of ours.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import platform
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from app.config import Backend, Settings
from app.domain import EngineOptions, Line, Pixels
from app.engine import (
    accelerators,
    devices,
    letterbox,
    openvino_rec,
    orientation,
    rec_sharing,
    words,
)
from app.engine.lending import Helper
from app.engine.model_files import ModelFormat, ModelSet
from app.engine.model_sets import resolve_model_set
from app.engine.types import EngineInfo, PageOCR
from app.errors import EngineError

logger = logging.getLogger("app.engine")


class PaddleOCREngine:
    """A warmed PaddleOCR pipeline. Not thread-safe: the scheduler owns it."""

    def __init__(self, pipeline: Any, info: EngineInfo) -> None:
        self._pipeline = pipeline
        self._info = info
        self._rec = rec_sharing.install(pipeline)

    @property
    def info(self) -> EngineInfo:
        """Static description of the engine."""
        return self._info

    def predict(self, images: list[Pixels], options: EngineOptions) -> list[PageOCR]:
        """OCR pages; turned pages are read upright when ``options.auto_rotate``."""
        first = self._read(images, options)
        if not options.auto_rotate:
            return [_page(lines) for lines in first]
        results = []
        for image, lines in zip(images, first, strict=True):
            best, rotation = orientation.upright(
                image, lines, lambda batch: self._read(batch, options)
            )
            results.append(_page(best, rotation))
        return results

    def predict_shared(
        self, images: list[Pixels], options: EngineOptions, helpers: Sequence[Helper]
    ) -> list[PageOCR]:
        """``predict``, with the text lines read by whichever ``helpers`` are idle too."""
        if self._rec is None:
            return self.predict(images, options)
        lent = []
        for helper in helpers:
            # Asked by name: a helper's engine may be wrapped (timed) by observability.
            lendable = getattr(helper.engine, "lendable_recognizer", None)
            model = lendable() if lendable is not None else None
            if model is not None:
                lent.append((helper, model))
        self._rec.lend(lent)
        try:
            return self.predict(images, options)
        finally:
            self._rec.lend(())

    def lendable_recognizer(self) -> Any:
        """The recognizer another engine of the set may read lines with while this one idles."""
        return self._rec.model if self._rec is not None else None

    def close(self) -> None:
        """Release the pipeline."""
        close = getattr(self._pipeline, "close", None)
        if close is not None:
            close()

    def _read(self, images: list[Pixels], options: EngineOptions) -> list[list[Line]]:
        padded = [letterbox.pad(img) for img in images]
        # PaddleX takes numpy input as OpenCV does: BGR.
        bgr = [np.ascontiguousarray(img[:, :, ::-1]) for img, _ in padded]
        try:
            outputs = list(
                self._pipeline.predict(
                    bgr,
                    text_det_limit_side_len=options.det_limit_side_len,
                    text_det_limit_type="max",
                    text_rec_score_thresh=0.0,
                    return_word_box=options.word_boxes,
                )
            )
        except Exception as exc:  # backend errors are wrapped, never shown
            logger.exception("inference failed")
            raise EngineError("Inference failed.") from exc
        if len(outputs) != len(images):
            raise EngineError("Inference returned a wrong number of pages.")
        return [
            letterbox.unpad(_lines(out), top, img.shape[0])
            for out, (_, top), img in zip(outputs, padded, images, strict=True)
        ]


def _page(lines: list[Line], rotation: int = 0) -> PageOCR:
    # Boxes the recognizer read nothing in only matter to orientation checks.
    return PageOCR(lines=tuple(ln for ln in lines if ln.text.strip()), rotation=rotation)


def _lines(output: Any) -> list[Line]:
    lines = []
    # Present only when the pipeline ran with return_word_box=True.
    tokens = output.get("text_word") or [None] * len(output["rec_texts"])
    regions = output.get("text_word_region") or [None] * len(output["rec_texts"])
    for text, score, poly, line_tokens, line_regions in zip(
        output["rec_texts"], output["rec_scores"], output["rec_polys"], tokens, regions,
        strict=True,
    ):
        polygon = tuple((float(x), float(y)) for x, y in np.asarray(poly).reshape(-1, 2))
        found = (
            words.from_tokens(line_tokens, line_regions, float(score))
            if line_tokens is not None else ()
        )
        lines.append(Line(text=text, score=float(score), polygon=polygon, words=found))
    return lines


def load_engine(settings: Settings) -> PaddleOCREngine:
    """Verify the model set, build the pipeline on the chosen device and return it."""
    os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
    os.environ.setdefault("PADDLE_PDX_MODEL_SOURCE", "local")
    model_set = resolve_model_set(settings.model_set, settings.models_dir, settings.cache_dir)
    choice = devices.choose(settings, _probe_model(model_set))
    device = choice.device
    devices.prepare_paddle(settings, device)
    pipeline = _build_pipeline(settings, model_set, device)
    devices.verify_placement(pipeline, settings.backend, device)
    versions = _versions(settings.backend)
    if _rec_on_openvino(settings, device):
        version = openvino_rec.install(pipeline, settings.threads_per_engine)
        if version is not None:
            versions["openvino"] = version
    info = EngineInfo(
        backend=settings.backend,
        device=device,
        model_set=model_set.name,
        det_model=model_set.det_name,
        rec_model=model_set.rec_name,
        versions=versions,
        files=model_set.files,
        gpu=devices.gpu_details(device),
        requested_device=choice.requested,
        device_fallback=choice.fallback_reason,
    )
    return PaddleOCREngine(pipeline, info)


def _rec_on_openvino(settings: Settings, device: str) -> bool:
    """Whether the recognizer runs on OpenVINO: ONNX sets on the CPU, when chosen."""
    return (settings.rec_runtime == "openvino" and device == "cpu"
            and settings.backend is Backend.ONNXRUNTIME)


def _probe_model(model_set: ModelSet) -> Path | None:
    """The detector's ONNX file, which ``devices.choose`` opens once on the GPU."""
    if model_set.model_format is not ModelFormat.ONNX:
        return None
    return next(iter(sorted(model_set.det_dir.glob("*.onnx"))), None)


def _build_pipeline(settings: Settings, model_set: ModelSet, device: str) -> Any:
    from paddleocr import PaddleOCR

    if settings.backend == "paddle" and importlib.util.find_spec("paddle") is None:
        raise EngineError(f"OCR_BACKEND=paddle: {accelerators.PADDLE_MISSING}")
    if (settings.backend is Backend.ONNXRUNTIME) != (model_set.model_format is ModelFormat.ONNX):
        raise EngineError(
            f"model set {model_set.name!r} is {model_set.model_format}, "
            f"backend {settings.backend!r} cannot run it"
        )
    return PaddleOCR(
        text_detection_model_name=model_set.det_name,
        text_detection_model_dir=str(model_set.det_dir),
        text_recognition_model_name=model_set.rec_name,
        text_recognition_model_dir=str(model_set.rec_dir),
        use_doc_orientation_classify=False,
        use_doc_unwarping=False,
        use_textline_orientation=settings.use_textline_orientation,
        text_det_limit_side_len=settings.det_limit_side_len,
        text_det_limit_type="max",
        text_recognition_batch_size=devices.rec_batch_size(settings, device),
        device=device,
        **devices.engine_kwargs(settings, model_set.model_format, device),
    )


def _versions(backend: str) -> dict[str, str]:
    # The GPU builds are other distributions of the same module: named as installed.
    runtimes = ["onnxruntime", "onnxruntime-gpu"] if backend == "onnxruntime" else [
        "paddlepaddle", "paddlepaddle-gpu"]
    versions = {"python": platform.python_version()}
    for name in ["paddleocr", "paddlex", *runtimes]:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions
