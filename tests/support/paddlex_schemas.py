"""PaddleX's own serving schemas, imported for validating our PaddleX-compatible answers."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest


def serving_schemas(pipeline: str) -> tuple[ModuleType, ModuleType]:
    """PaddleX's serving ``infra.models`` and ``schemas.<pipeline>`` modules.

    Its serving package refuses to import without the serving extra (FastAPI server,
    aiohttp...); the schemas need only pydantic, so that check is switched off for the
    import. Skips the calling test module when paddlex is not installed.
    """
    deps = pytest.importorskip("paddlex.utils.deps")
    original = deps.require_serving_plugin
    deps.require_serving_plugin = lambda: None
    try:
        models = importlib.import_module("paddlex.inference.serving.infra.models")
        schema = importlib.import_module(f"paddlex.inference.serving.schemas.{pipeline}")
    finally:
        deps.require_serving_plugin = original
    return models, schema
