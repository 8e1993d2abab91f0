"""The JSON answer's wire form: the API's view of the domain's pages, lines and words.

These pydantic models are what /ocr/json, ``format=json``, streams and jobs send and
what OpenAPI documents; ``app.formats.json`` builds them from the domain values
(``app.domain``), so a domain ``Line`` and a wire ``Line`` are one idea in two forms.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Word(BaseModel):
    text: str = Field(examples=["Hello"])
    bbox: list[float] = Field(
        examples=[[10, 12, 90, 40]], description="[x_min, y_min, x_max, y_max] in pixels."
    )


class Line(BaseModel):
    text: str = Field(examples=["Hello world!"])
    score: float | None = Field(
        examples=[0.998], description="Recognition confidence 0..1; null for PDF text-layer lines."
    )
    polygon: list[list[float]] = Field(
        examples=[[[10, 12], [220, 12], [220, 40], [10, 40]]],
        description="Corner points in pixels of the page as decoded (after EXIF rotation).",
    )
    bbox: list[float] = Field(
        examples=[[10, 12, 220, 40]], description="[x_min, y_min, x_max, y_max] in pixels."
    )
    block: int = Field(0, examples=[0], description="Index of the line's block in `blocks`.")
    paragraph: int = Field(
        0, examples=[0], description="Index of the line's paragraph within its block."
    )
    words: list[Word] | None = Field(
        None,
        exclude_if=lambda v: v is None,
        description="Only with `words=true`: the line's words (characters in CJK) with "
        "their boxes, from the recognizer (OCR pages) or the PDF text layer.",
    )


class Paragraph(BaseModel):
    index: int = Field(examples=[0], description="Position within the block, in reading order.")
    bbox: list[float] = Field(examples=[[10, 12, 220, 80]])
    lines: list[int] = Field(
        examples=[[0, 1]], description="Indices into the page's `lines` (reading order)."
    )
    heading: bool = Field(
        False, description="Markedly taller text than the page's body: a title or heading."
    )


class Block(BaseModel):
    index: int = Field(examples=[0], description="Position on the page, in reading order.")
    bbox: list[float] = Field(examples=[[10, 12, 220, 80]])
    paragraphs: list[Paragraph]
    kind: Literal["title", "text", "list", "table", "figure", "caption", "header", "footer",
                  "footnote", "formula"] | None = Field(
        None, examples=["text"],
        description="With regions (default on OCR pages): what the block is. Headers, "
        "footers and footnotes are out of the main flow (listed first or last); lines of a "
        "`figure` block are text inside a figure. The layout model has no `list` or "
        "`footnote` class. Null when the page's regions were not classified.")
    caption_of: int | None = Field(
        None, exclude_if=lambda v: v is None,
        description="A caption: the index of the figure or table block it describes.")
    table: int | None = Field(
        None, exclude_if=lambda v: v is None,
        description="A table block: the index of its table in the page's `tables`.")


class Cell(BaseModel):
    row: int = Field(examples=[0], description="0-based row of the cell's top-left corner.")
    col: int = Field(examples=[0], description="0-based column of the cell's top-left corner.")
    rowspan: int = Field(1, examples=[1])
    colspan: int = Field(1, examples=[1])
    bbox: list[float] = Field(examples=[[110, 420, 260, 452]],
                              description="The cell's content box in page pixels.")
    text: str = Field(examples=["Revenue"], description="The words that fell in the cell.")


class Table(BaseModel):
    bbox: list[float] = Field(examples=[[100, 400, 1100, 900]])
    rows: int = Field(examples=[5])
    cols: int = Field(examples=[4])
    header_rows: int = Field(0, description="Rows the model read as the table's header.")
    cells: list[Cell]
    html: str = Field(examples=["<table><tbody><tr><td>Revenue</td></tr></tbody></table>"],
                      description="The table as HTML, with rowspan/colspan where cells span.")
    truncated: bool = Field(
        False, description="Rows are missing: the model stopped before the table's end, or "
        "the cells limit (OCR_MAX_TABLE_CELLS) cut it.")
    block: int | None = Field(None, description="Index of the table's block in `blocks`.")


class PageResult(BaseModel):
    index: int = Field(examples=[1], description="1-based page number in the document.")
    width: int = Field(examples=[1080])
    height: int = Field(examples=[1528])
    source: Literal["ocr", "text-layer"] = Field(examples=["ocr"])
    text_layer: str | None = Field(
        None,
        examples=["no unicode map"],
        description="PDF only: why the page's text layer was not trusted (the page was then "
        "OCRed), or, with mode=text, what is wrong with the layer that was used anyway.",
    )
    rotation: int = Field(
        0, description="Degrees (clockwise) the page was turned to read it upright."
    )
    skew: float = Field(
        0.0, examples=[-2.4],
        description="Degrees the page's text lines are tilted (counter-clockwise, on the page "
        "turned by `rotation`): the reading order was computed on the page turned straight; "
        "every box is still on the page as sent.",
    )
    dpi: int | None = Field(
        None, examples=[200],
        description="PDF pages: the resolution the page was read at, which its pixel "
        "coordinates are in: the asked `dpi`, or lower where the page would exceed the "
        "pixel limit (a `warnings` entry then says so). Null for images.",
    )
    lines: list[Line] = Field(description="Every kept line, in reading order.")
    blocks: list[Block] = Field(
        description="Blocks in reading order, each with its paragraphs (line indices)."
    )
    tables: list[Table] | None = Field(
        None, exclude_if=lambda v: not v,
        description="With tables (default on OCR pages): each table read into cells; "
        "absent when the page has none.")
    warnings: list[str] | None = Field(
        None, exclude_if=lambda v: not v,
        description="What the client should know about this page: a limit or substitution "
        "that applied (a PDF page read at a lowered dpi), or what went wrong without "
        "failing it (a structure model error: the page is then given as plain lines); "
        "absent when there is nothing to say.")


class DebugPage(PageResult):
    below_min_score: list[Line] = Field(description="Lines dropped by min_score.")


class OCRResponse(BaseModel):
    request_id: str = Field(examples=["9f1c2b7e4d0a4c55"])
    model: str = Field(examples=["embedded (PP-OCRv6 small, ONNX)"])
    page_count: int = Field(examples=[1], description="Pages in the document.")
    processed_pages: list[int] = Field(examples=[[1]], description="1-based pages processed.")
    pages: list[PageResult]
    timings_ms: dict[str, float] = Field(examples=[{"decode": 12.5, "ocr": 640.2, "total": 655}])


class DebugResponse(OCRResponse):
    pages: list[DebugPage]  # type: ignore[assignment]
    options: dict[str, object] = Field(description="The options this request ran with.")
