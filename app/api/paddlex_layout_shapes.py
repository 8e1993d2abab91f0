"""PP-StructureV3 serving's layout-parsing request and answer, as plain values of ours.

The shapes follow PaddleX 3.x ``inference/serving/schemas/pp_structurev3.py``
(``InferRequest``, ``LayoutParsingResult``: ``prunedResult`` + ``markdown``) and what
its pipeline puts in ``prunedResult``: ``parsing_res_list`` (one entry per block:
``block_label``, ``block_content``, ``block_bbox``), ``layout_det_res`` (the layout
model's boxes), ``overall_ocr_res`` (the page's lines) and ``table_res_list``
(``pred_html`` per table). ``tests/api/test_paddlex_layout.py`` validates our answers
with PaddleX's own pydantic models.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import ConfigDict, Field

from app.api.paddlex_shapes import PaddleXOCRRequest, data_info, line_box, line_polygon
from app.domain import Document, Page, RegionKind
from app.formats.markdown import page_markdown
from app.formats.text import join_lines

LABELS: Final[dict[RegionKind | None, str]] = {
    RegionKind.TITLE: "paragraph_title", RegionKind.TEXT: "text", RegionKind.LIST: "text",
    RegionKind.TABLE: "table", RegionKind.FIGURE: "image", RegionKind.CAPTION: "figure_title",
    RegionKind.HEADER: "header", RegionKind.FOOTER: "footer",
    RegionKind.FOOTNOTE: "footnote", RegionKind.FORMULA: "formula", None: "text",
}
"""Our kinds as PP-DocLayout's labels (PP-StructureV3 names captions ``figure_title``)."""


class PaddleXLayoutRequest(PaddleXOCRRequest):
    """PP-StructureV3's ``InferRequest``: what this service can do, refused where not."""

    model_config = ConfigDict(extra="ignore")  # thresholds and markdown niceties we ignore

    useTableRecognition: bool | None = Field(
        None, description="Read tables into cells (default true).")
    useRegionDetection: bool | None = Field(None, description="Ignored: one layout model.")
    useSealRecognition: Literal[False] | None = Field(
        None, description="Not available: only false.")
    useFormulaRecognition: Literal[False] | None = Field(
        None, description="Not available: only false (formulas are given as their OCR "
        "text).")
    useChartRecognition: Literal[False] | None = Field(
        None, description="Not available: only false.")


def layout_result(document: Document, tables: bool, auto_rotate: bool) -> dict[str, Any]:
    """``{layoutParsingResults, dataInfo}`` for a read document."""
    results = []
    for n, page in enumerate(document.pages):
        markdown = page_markdown(page)
        results.append({
            "prunedResult": _pruned(page, n if len(document.pages) > 1 else None, tables,
                                    auto_rotate),
            "markdown": {"text": markdown, "isStart": True, "isEnd": True, "images": {}},
            "outputImages": None, "inputImage": None,
        })
    return {"layoutParsingResults": results, "dataInfo": data_info(document)}


def _pruned(page: Page, index: int | None, tables: bool, auto_rotate: bool) -> dict[str, Any]:
    lines = page.lines
    blocks = []
    for order, block in enumerate(page.layout.blocks, start=1):
        if block.table is not None:
            content = page.tables[block.table].html
        else:
            content = "\n".join(join_lines([lines[i].text for i in p.lines])
                                for p in block.paragraphs)
        blocks.append({
            "block_label": LABELS[block.kind], "block_content": content,
            "block_bbox": [round(v) for v in block.bbox], "block_id": block.index,
            "block_order": order if block.kind is None or block.kind.in_flow else None,
        })
    return {
        "page_index": index,
        "model_settings": {"use_doc_preprocessor": auto_rotate,
                           "use_seal_recognition": False, "use_table_recognition": tables,
                           "use_formula_recognition": False, "use_chart_recognition": False,
                           "use_region_detection": False},
        "parsing_res_list": blocks,
        "layout_det_res": {"boxes": [
            {"label": LABELS[r.kind], "score": round(r.score, 4),
             "coordinate": [round(v, 1) for v in r.bbox]} for r in page.regions]},
        "overall_ocr_res": {
            "rec_texts": [ln.text for ln in lines],
            "rec_scores": [ln.score for ln in lines],
            "rec_polys": [line_polygon(ln) for ln in lines],
            "rec_boxes": [line_box(ln) for ln in lines],
        },
        "table_res_list": [
            {"pred_html": t.html,
             "cell_box_list": [[round(v, 1) for v in c.bbox] for c in t.cells],
             "table_ocr_pred": {"rec_texts": [c.text for c in t.cells],
                                "rec_boxes": [[round(v) for v in c.bbox] for c in t.cells]}}
            for t in page.tables],
    }
