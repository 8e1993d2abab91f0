"""The ``inference.yml`` contents PaddleOCR 3.x reads beside each model.

PaddleOCR builds its pre- and post-processing from this file and checks that
``Global.model_name`` matches the name it is given. The values follow the
PP-OCR training configs: DB detection on ImageNet-normalised BGR input, CTC
recognition on 48-pixel-high lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

Config = dict[str, Any]

_DET_MEAN = [0.485, 0.456, 0.406]
_DET_STD = [0.229, 0.224, 0.225]


def det_config(model_name: str, resize_long: int = 960, unclip_ratio: float = 1.5) -> Config:
    """A DB text detector's config."""
    return {
        "Global": {"model_name": model_name},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"DetLabelEncode": None},
                {"DetResizeForTest": {"resize_long": resize_long}},
                {
                    "NormalizeImage": {
                        "mean": _DET_MEAN,
                        "std": _DET_STD,
                        "scale": 1.0 / 255.0,
                        "order": "hwc",
                    }
                },
                {"ToCHWImage": None},
                {"KeepKeys": {"keep_keys": ["image", "shape", "polys", "ignore_tags"]}},
            ]
        },
        "PostProcess": {
            "name": "DBPostProcess",
            "thresh": 0.3,
            "box_thresh": 0.6,
            "max_candidates": 1000,
            "unclip_ratio": unclip_ratio,
        },
    }


def rec_config(model_name: str, characters: list[str]) -> Config:
    """A CTC text recognizer's config with its character dictionary."""
    return {
        "Global": {"model_name": model_name},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"MultiLabelEncode": {"gtc_encode": "NRTRLabelEncode"}},
                {"RecResizeImg": {"image_shape": [3, 48, 320]}},
                {"KeepKeys": {"keep_keys": ["image", "label_ctc", "length", "valid_ratio"]}},
            ]
        },
        "PostProcess": {"name": "CTCLabelDecode", "character_dict": _compact(characters)},
    }


def _compact(characters: list[str]) -> str | list[str]:
    # PaddleX builds its decoder with list(character_dict) and parses the file
    # with PyYAML's pure-Python loader: an 18 000-item list takes ~0.6 s to load
    # at every start, the same characters as one string ~10 ms.
    if all(len(char) == 1 for char in characters):
        return "".join(characters)
    return characters


def v6_small_det() -> Config:
    """PP-OCRv6 small detection."""
    return det_config("PP-OCRv6_small_det")


def v6_small_rec(onnx_file: Path) -> Config:
    """PP-OCRv6 small recognition; its dictionary lives in the ONNX metadata."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    # Only the metadata is read: skip the graph optimizations.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(
        str(onnx_file), sess_options=options, providers=["CPUExecutionProvider"]
    )
    meta = session.get_modelmeta().custom_metadata_map
    characters = meta.get("character", "").split("\n")
    if len(characters) < 100:
        from app.errors import ModelSetError

        raise ModelSetError(f"{onnx_file.name} carries no character dictionary")
    return rec_config("PP-OCRv6_small_rec", characters)
