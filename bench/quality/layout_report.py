"""A layout-eval result as Markdown tables (what bench/RESULTS.md shows).

    python -m bench.quality.layout_report [RESULT.json] [--label TEXT]   # default: the newest

Per layout kind and version (pdf = text layer, image = OCR): mean ordered CER,
mean order-free CER, mean Kendall tau, mean coverage (share of true lines
matched), and the paragraph-break F1 pooled over the kind's pages. Then the
corpus files, and layout's time.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

LOW_COVERAGE = 0.8
GOALS = "goals (issue 12): UNLV ordered CER ≤ 0.08, tau ≥ 0.95, layout ≤ 2 % and ≤ 20 ms"


def _mean(values: list[float | None]) -> str:
    present = [v for v in values if v is not None]
    return f"{statistics.fmean(present):.3f}" if present else "–"


def _f1(rows: list[dict[str, Any]]) -> str:
    tp = sum(r["paragraph_breaks"]["tp"] for r in rows)
    wrong = sum(r["paragraph_breaks"]["fp"] + r["paragraph_breaks"]["fn"] for r in rows)
    return f"{2 * tp / (2 * tp + wrong):.2f}" if tp + wrong else "–"


def set_table(pages: dict[str, dict[str, Any]]) -> list[str]:
    """One row per (kind, version), then one per version over all pages."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in pages.values():
        groups[(row["kind"], row["version"])].append(row)
        groups[("**all**", row["version"])].append(row)
    out = ["| kind | version | pages | CER ordered | CER order-free | Kendall tau | coverage "
           "| paragraph-break F1 |", "|---|---|---|---|---|---|---|---|"]
    for (kind, version), rows in sorted(groups.items(), key=lambda kv: (kv[0][0] == "**all**",
                                                                          kv[0])):
        sources = {r["source"] for r in rows}
        label = version if sources <= {"text-layer", "ocr"} and len(sources) == 1 else (
            f"{version} ({'/'.join(sorted(sources))})")
        low = any(r["coverage"] < LOW_COVERAGE for r in rows)
        out.append(f"| {kind} | {label} | {len(rows)} | {_mean([r['cer'] for r in rows])} | "
                   f"{_mean([r['cer_order_free'] for r in rows])} | "
                   f"{_mean([r['tau'] for r in rows])}{' †' if low else ''} | "
                   f"{_mean([r['coverage'] for r in rows])} | {_f1(rows)} |")
    return [*out, "", f"† a page of this row had coverage < {LOW_COVERAGE}: its tau rests on "
            "few matched lines (lines merged across items, or not read)."]


def corpus_table(corpus: dict[str, dict[str, Any]]) -> list[str]:
    """Ordered against order-free CER for every corpus file with a truth."""
    out = ["| file | source | CER ordered | CER order-free |", "|---|---|---|---|"]
    for name, row in sorted(corpus.items()):
        bold = "**" if name.startswith("tess_unlv") else ""
        out.append(f"| {bold}{name}{bold} | {'/'.join(row['sources']) or '–'} | "
                   f"{bold}{row['cer']:.3f}{bold} | {row['cer_order_free']:.3f} |")
    return out


def _shares(rows: list[dict[str, Any]], what: str) -> str:
    if not rows:
        return f"no {what} answers"
    shares = sorted(r["layout_share"] for r in rows)
    worst = max(rows, key=lambda r: r["layout_share"])
    return (f"{what} ({len(rows)} answers): median {100 * statistics.median(shares):.2f} %, "
            f"max {100 * shares[-1]:.2f} % ({worst['layout_ms']:.1f} of "
            f"{worst['total_ms']:.1f} ms)")


def time_lines(result: dict[str, Any]) -> list[str]:
    """Layout's share of page time (OCR and text-layer pages apart), and the 500-line page."""
    rows = [*result["pages"].values(), *result["corpus"].values()]
    ocr = [r for r in rows if r.get("source", "/".join(r.get("sources", []))) == "ocr"]
    text = [r for r in rows if r not in ocr]
    timed = result["analyze_500_lines"]
    return [f"Layout time, `timings_ms.layout` ÷ `timings_ms.total` per one-page answer: "
            f"{_shares(ocr, 'OCR pages')}; {_shares(text, 'text-layer pages')}.",
            f"`app.layout.analyze` on a synthetic {timed['lines']}-line page "
            f"(bench/quality/layout_timing.py): median {timed['median_ms']:.1f} ms wall "
            f"(best {timed['best_ms']:.1f} ms), {timed['cpu_median_ms']:.1f} ms CPU, over "
            f"{timed['rounds']} calls."]


def markdown(result: dict[str, Any], source: str) -> str:
    """The whole section for bench/RESULTS.md."""
    m = result["machine"]
    rescored = f" (scored from saved answers {result['answers']})" if "answers" in result else ""
    head = (f"## Reading order: {result.get('label') or 'unlabelled'}"
            f"{' (quick run)' if result['quick'] else ''}\n\n"
            f"`python -m bench.quality.layout_eval`, {result['started']}, commit {m['commit']}"
            f"{' + uncommitted changes' if m['dirty'] else ''}, {m['host']}, {m['cpus']} CPUs, "
            f"load average at the end {m['loadavg']} (shared host: timings are indicative). "
            f"Raw: `bench/results/{source}`{rescored}. {GOALS}.\n")
    parts = [head, "Layout set (`python -m tests.support.layout_set build DIR`; "
             "pdf = text layer with `mode=text`, image = OCR of the 200 dpi render), "
             "means over pages:\n",
             *set_table(result["pages"])]
    if result["corpus"]:
        parts += ["", "Corpus files with a truth (`../shared/corpus/manifest.json`):\n",
                  *corpus_table(result["corpus"])]
    parts += ["", *time_lines(result)]
    return "\n".join(parts) + "\n"


def main() -> None:
    """Command line: render a saved result (the newest by default)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("result", nargs="?", type=Path)
    parser.add_argument("--label")
    args = parser.parse_args()
    found = Path(__file__).parents[1].joinpath("results").glob("layout-eval*.json")
    path = args.result or max(found, key=lambda p: p.stat().st_mtime)
    result = json.loads(path.read_text("utf-8"))
    if args.label:
        result["label"] = args.label
    print(markdown(result, path.name))


if __name__ == "__main__":
    main()
