"""A job keeps its structure options (regions, tables, running heads) through its record."""

from __future__ import annotations

import json

import pytest

from app.domain import EngineOptions, OutputFormat, Priority, RequestOptions, Source
from app.jobs.model import options_from_dict, options_to_dict


@pytest.mark.parametrize(("regions", "tables"), [(None, None), (False, True), (True, False)])
def test_structure_options_survive_the_stored_record(
        regions: bool | None, tables: bool | None) -> None:
    asked = RequestOptions(min_score=0.4, engine=EngineOptions(), deadline=0.0,
                           regions=regions, tables=tables, running_heads=True)
    stored = json.loads(json.dumps(options_to_dict(asked)))  # as a store keeps it
    back = options_from_dict(stored, 5.0, "markdown")
    assert (back.regions, back.tables, back.running_heads) == (regions, tables, True)
    assert back.format is OutputFormat.MARKDOWN and back.priority is Priority.BACKGROUND
    assert back.structure_for(Source.OCR) == asked.structure_for(Source.OCR)


def test_a_record_from_before_structure_reads_with_the_defaults() -> None:
    stored = options_to_dict(RequestOptions(min_score=0.5, engine=EngineOptions(),
                                            deadline=0.0))
    for key in ("regions", "tables", "running_heads"):
        del stored[key]
    back = options_from_dict(stored, 5.0, "json")
    assert back.structure_for(Source.OCR) == (True, True)
    assert back.structure_for(Source.TEXT_LAYER) == (False, False)
    assert RequestOptions(0.5, EngineOptions(), 0.0, tables=True).structure_for(
        Source.TEXT_LAYER) == (True, True)
