"""What structure costs an OCR page, and what it reads: the live service, drawn pages.

    python -m bench.quality.structure_cost [--seeds 2] [--json OUT]

For each drawn A4 page (tests/engine/structure/drawn_tables.py: title, paragraphs, a
table, a caption) the page is posted three times, interleaved: ``regions=false
tables=false`` (today's OCR), ``tables=false`` (layout only) and the default (layout +
tables). The figure is the server process's CPU time (user + system, from /proc) per
request, so it counts every thread the request used; the median over pages is compared.
TEDS (table-recognition-metric) scores the table the service returned against the
drawn truth (0 when it found none).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

import httpx
import psutil
from PIL import Image

from tests.engine.structure.drawn_tables import KINDS, draw_page
from tests.support.server import start_server

MODES = {"off": {"regions": "false", "tables": "false"}, "layout": {"tables": "false"},
         "default": {}}


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def run(seeds: int) -> list[dict[str, Any]]:
    """One row per (page, mode): CPU seconds, wall ms, tables found, TEDS."""
    from table_recognition_metric import TEDS

    teds = TEDS()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp))
        process = psutil.Process(server.process.pid)
        try:
            with httpx.Client(base_url=server.url, timeout=300) as client:
                for kind in KINDS:
                    for seed in range(seeds):
                        page = draw_page(kind, seed)
                        buffer = io.BytesIO()
                        Image.fromarray(page.image).save(buffer, "PNG")
                        for mode, form in MODES.items():
                            before = _cpu(process)
                            response = client.post(
                                "/ocr", files={"file": ("page.png", buffer.getvalue())},
                                data={"format": "json", **form})
                            cpu = _cpu(process) - before
                            response.raise_for_status()
                            body = response.json()
                            tables = body["pages"][0].get("tables") or []
                            score = 0.0
                            if tables and mode == "default":
                                wrap = "<html><body>{}</body></html>".format
                                score = float(teds(wrap(tables[0]["html"]), wrap(page.html)))
                            rows.append({"kind": kind, "seed": seed, "mode": mode,
                                         "cpu_s": cpu, "timings": body["timings_ms"],
                                         "tables": len(tables), "teds": score})
        finally:
            server.stop()
    return rows


def report(rows: list[dict[str, Any]]) -> str:
    """Median CPU per mode, the added share, and TEDS by kind."""
    out = ["| mode | pages | CPU s per page (median) | added to OCR | structure ms wall |",
           "|---|---|---|---|---|"]
    base = statistics.median(r["cpu_s"] for r in rows if r["mode"] == "off")
    for mode in MODES:
        chosen = [r for r in rows if r["mode"] == mode]
        cpu = statistics.median(r["cpu_s"] for r in chosen)
        wall = statistics.median(r["timings"].get("structure", 0.0) for r in chosen)
        out.append(f"| {mode} | {len(chosen)} | {cpu:.3f} | {100 * (cpu / base - 1):+.1f} % "
                   f"| {wall:.0f} |")
    out += ["", "| kind | pages | table found | TEDS (0 when none) |", "|---|---|---|---|"]
    for kind in KINDS:
        chosen = [r for r in rows if r["mode"] == "default" and r["kind"] == kind]
        found = sum(1 for r in chosen if r["tables"])
        mean = statistics.mean(r["teds"] for r in chosen)
        out.append(f"| {kind} | {len(chosen)} | {found}/{len(chosen)} | {mean:.3f} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = run(args.seeds)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    print(report(rows))


if __name__ == "__main__":
    main()
