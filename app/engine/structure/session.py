"""One place that opens ONNX Runtime sessions for the structure models."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from app.engine.model_files import EmbeddedFile, package_file
from app.engine.types import ModelFile

CPU: Final = ("CPUExecutionProvider",)


def open_session(spec: EmbeddedFile, threads: int = 1,
                 providers: Sequence[str] = CPU) -> tuple[Any, Path]:
    """Verify ``spec`` by SHA-256 inside its installed wheel and open a session on it.

    One intra-op thread by default: the service scales with its own engine pool,
    and ORT's default (one thread per core) would fight the OCR workers for cores.
    ``providers`` is where the GPU image would put ``CUDAExecutionProvider`` first.
    """
    import onnxruntime as ort  # imported here so importing the package stays cheap

    path = package_file(spec)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # SLANet's Loop node warns about shape merging on load
    session = ort.InferenceSession(str(path), sess_options=options, providers=list(providers))
    return session, path


def model_file(spec: EmbeddedFile) -> ModelFile:
    """What ``/models`` and ``/system/info`` would list for a verified file."""
    return ModelFile(f"{spec.package}/{spec.relative}", spec.sha256)


def metadata_lines(session: Any, key: str = "character") -> list[str]:
    """A newline-separated list the exporter stored in the ONNX metadata (class names, tokens)."""
    meta: dict[str, str] = session.get_modelmeta().custom_metadata_map
    if key not in meta:
        raise ValueError(f"ONNX metadata has no {key!r} entry")
    return meta[key].splitlines()
