"""The README's configuration table is generated from the settings."""


from __future__ import annotations

from app.domain import Line
from app.layout.rows import row_order


def box(text: str, x0: float, y0: float, x1: float, y1: float, skew: float = 0) -> Line:
    poly = ((x0, y0), (x1, y0 + skew), (x1, y1 + skew), (x0, y1))
    return Line(text=text, score=0.9, polygon=poly)


def sort_reading_order(lines: list[Line]) -> list[Line]:
    return [lines[i] for i in row_order([ln.bbox for ln in lines], range(len(lines)))]




def test_readme_config_table_is_in_sync() -> None:
    from app.config.readme_table import config_table
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- config-table:start -->\n") + len("<!-- config-table:start -->\n")
    end = readme.index("<!-- config-table:end -->")
    assert readme[start:end] == config_table(), "run: python -m app.config.readme_table"
