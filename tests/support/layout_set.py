"""The layout evaluation set: pages of known text, as text-layer PDFs and as images.

    python -m tests.support.layout_set build DIR      # every page
    python -m tests.support.layout_set build DIR --only 2-column-0,receipt-1

Each page ``NAME`` gives ``NAME.pdf`` (fpdf2, embedded TrueType subsets with a
ToUnicode map: a text layer the service can read), ``NAME.png`` (the PDF
rendered by pdftoppm at ``DPI``, the input for OCR) and ``NAME.json``: the true
reading order as items (lines, table cells, vertical columns) with their
paragraph and their box in pixels of the rendered page. Turned pages
(``rotate``) exist only as images, turned clockwise after rendering, their boxes
turned with them, to exercise the service's auto-rotate. ``manifest.json`` lists
the pages. Everything is deterministic: the same commit builds the same set.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image

from tests.support import layout_pages as prose
from tests.support import layout_pages_rows as rows
from tests.support.layout_compose import Item, Sheet

DPI = 200
SCALE = DPI / 72


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One page of the set: its layout kind, how to draw it, how it is turned."""

    kind: str
    build: Callable[[int], Sheet]
    variant: int = 0
    rotate: int = 0
    """Clockwise degrees the image is turned (0, 90 or 270); turned pages have no PDF."""

    @property
    def name(self) -> str:
        """File stem, e.g. ``2-column-1`` (turned pages: ``rotated-90``)."""
        return f"{self.kind}-{self.rotate or self.variant}"


PAGES: tuple[PageSpec, ...] = (
    *(PageSpec("1-column", prose.one_column, v) for v in range(3)),
    *(PageSpec("2-column", prose.two_columns, v) for v in range(4)),
    *(PageSpec("3-column", prose.three_columns, v) for v in range(3)),
    *(PageSpec("sections", prose.sections, v) for v in range(2)),
    PageSpec("table", rows.invoice, 0),
    PageSpec("form", rows.form, 0),
    *(PageSpec("receipt", rows.receipt, v) for v in range(2)),
    *(PageSpec("vertical-cjk", rows.vertical_cjk, v) for v in range(2)),
    PageSpec("cjk-2-column", rows.cjk_two_columns, 0),
    PageSpec("rotated", prose.two_columns, 3, rotate=90),
    PageSpec("rotated", prose.one_column, 3, rotate=270),
)
QUICK = ("cjk-2-column-0", "receipt-0", "vertical-cjk-0")
"""Pages of the ``--quick`` smoke run, the smallest with columns, rows and vertical text."""


def turn_box(box: tuple[float, ...], clockwise: int, width: float, height: float
             ) -> tuple[float, float, float, float]:
    """A box of the upright page (``width`` x ``height``) on the page turned clockwise."""
    x0, y0, x1, y1 = box
    if clockwise == 90:
        return (height - y1, x0, height - y0, x1)
    if clockwise == 270:
        return (y0, width - x1, y1, width - x0)
    return (x0, y0, x1, y1)


def render(pdf: Path, png: Path) -> None:
    """The PDF's first page as a PNG at ``DPI`` (pdftoppm, as the service renders PDFs)."""
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-singlefile", str(pdf),
                    str(png.with_suffix(""))], check=True, timeout=120)


def build_page(spec: PageSpec, out: Path) -> dict[str, object]:
    """Write one page's PDF (unless turned), image and truth; return its manifest entry."""
    sheet = spec.build(spec.variant)
    pdf, png = out / f"{spec.name}.pdf", out / f"{spec.name}.png"
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "page.pdf" if spec.rotate else pdf
        sheet.pdf.output(str(source))
        render(source, png)
    with Image.open(png) as image:
        width, height = image.size
        if spec.rotate:
            image.rotate(-spec.rotate, expand=True).save(png)
    items = [_scaled(item, spec.rotate, width, height) for item in sheet.items]
    truth = {"name": spec.name, "kind": spec.kind, "dpi": DPI, "rotate": spec.rotate,
             "items": items}
    (out / f"{spec.name}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
    return {"name": spec.name, "kind": spec.kind, "image": png.name,
            "pdf": None if spec.rotate else pdf.name, "truth": f"{spec.name}.json"}


def _scaled(item: Item, rotate: int, width: int, height: int) -> dict[str, object]:
    box = tuple(round(v * SCALE, 1) for v in item.box)
    return {**asdict(item), "box": list(turn_box(box, rotate, width, height))}


def build(out: Path, only: set[str] | None = None) -> list[dict[str, object]]:
    """Build the set (or the pages named in ``only``) into ``out``; returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    chosen = [p for p in PAGES if only is None or p.name in only]
    if only is not None and len(chosen) != len(only):
        raise SystemExit(f"unknown pages: {sorted(only - {p.name for p in PAGES})}")
    manifest = [build_page(spec, out) for spec in chosen]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def main() -> None:
    """Command line: ``build DIR [--only NAME,...]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["build"])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--only", help="comma-separated page names")
    args = parser.parse_args()
    manifest = build(args.dir, set(args.only.split(",")) if args.only else None)
    print(f"{len(manifest)} pages in {args.dir}")


if __name__ == "__main__":
    main()
