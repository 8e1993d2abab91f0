"""Reading order, measured: the layout set and the corpus through the live service.

    python -m bench.quality.layout_eval                  # full run (~10 min on 2 busy cores)
    python -m bench.quality.layout_eval --quick          # 4 pages, no corpus (CI smoke run)
    python -m bench.quality.layout_eval --label "after (column-aware)" --append  # + RESULTS.md
    python -m bench.quality.layout_eval --answers bench/results/layout-answers-….json  # rescore

The service is started as a user would (``python -m app``, tests/support/server.py) and
every page goes through ``POST /ocr/json``: the layout set's pages both as PDF
(``mode=text``: the text layer) and as image (OCR, auto-rotate on), then every
corpus image and PDF whose manifest has a truth. Scores: tests/support/layout_score.py;
the layout stage alone on a 500-line page: bench/quality/layout_timing.py. Results go
to ``bench/results/layout-eval-<time>.json`` and the service's answers to
``layout-answers-<time>.json`` (``--answers`` scores those again without a
service: the set is deterministic); the Markdown tables go to stdout
(``--append`` also appends them to bench/RESULTS.md under ``--label``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.quality.layout_report import markdown
from bench.quality.layout_timing import time_analyze
from tests.support import layout_set
from tests.support.layout_score import score_corpus, score_page
from tests.support.server import CORPUS, ROOT, start_service

RESULTS = ROOT / "bench" / "results"
TEXT_PDF_FORM = {"mode": "text", "dpi": str(layout_set.DPI)}


def ask(client: httpx.Client, path: Path, form: dict[str, str] | None = None
        ) -> dict[str, Any]:
    """One ``/ocr/json`` answer for a file."""
    response = client.post("/ocr/json", files={"file": (path.name, path.read_bytes())},
                           data=form or {})
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def corpus_files() -> list[dict[str, Any]]:
    """Manifest entries of every corpus image and PDF that has a truth."""
    entries: list[dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text("utf-8"))
    return [e for e in entries if e["truth"] is not None and e["kind"] in ("image", "pdf-text",
                                                                            "pdf-scanned")]


def collect(set_dir: Path, pages: list[dict[str, Any]], with_corpus: bool
            ) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Every answer the run needs from one live service: set pages, then corpus files."""
    answers: dict[str, dict[str, Any]] = {}
    corpus: dict[str, Any] = {}
    with start_service() as url, httpx.Client(base_url=url, timeout=600) as client:
        for page in pages:
            answers[f"{page['name']}/image"] = ask(client, set_dir / page["image"])
            if page["pdf"]:
                answers[f"{page['name']}/pdf"] = ask(client, set_dir / page["pdf"],
                                                     TEXT_PDF_FORM)
        for entry in corpus_files() if with_corpus else []:
            corpus[entry["file"]] = ask(client, CORPUS / entry["file"])
    return answers, corpus


def machine() -> dict[str, Any]:
    """Where and on what this ran; the load says how busy the host was."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=False).stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
            "host": platform.node(), "cpus": os.cpu_count(),
            "loadavg": [round(v, 2) for v in os.getloadavg()]}


def run(set_dir: Path, quick: bool, saved: Path | None, stamp: str) -> dict[str, Any]:
    """Build (or reuse) the set, ask the service (or read saved answers), score everything."""
    only = set(layout_set.QUICK) if quick else None
    manifest_path = set_dir / "manifest.json"
    if manifest_path.exists():
        pages = [p for p in json.loads(manifest_path.read_text("utf-8"))
                 if only is None or p["name"] in only]
    else:
        pages = layout_set.build(set_dir, only)
    started = time.time()
    if saved is not None:
        answers, corpus_answers = json.loads(saved.read_text("utf-8"))
    else:
        answers, corpus_answers = collect(set_dir, pages, with_corpus=not quick)
        path = RESULTS / f"layout-answers{'-quick' if quick else ''}-{stamp}.json"
        path.write_text(json.dumps([answers, corpus_answers], ensure_ascii=False), "utf-8")
    scored: dict[str, Any] = {}
    for page in pages:
        truth = json.loads((set_dir / page["truth"]).read_text("utf-8"))
        for version in ("image", "pdf"):
            answer = answers.get(f"{page['name']}/{version}")
            if answer is not None:
                scored[f"{page['name']}/{version}"] = {
                    "page": page["name"], "kind": page["kind"], "version": version,
                    **score_page(answer, truth)}
    truths = {e["file"]: e["truth"] for e in corpus_files()}
    corpus = {name: score_corpus(answer, truths[name]) for name, answer in corpus_answers.items()}
    return {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
            "quick": quick, "machine": machine(), "pages": scored, "corpus": corpus,
            "analyze_500_lines": time_analyze()}


def main() -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few pages, no corpus")
    parser.add_argument("--set", type=Path, help="a set built by tests.support.layout_set (reused)")
    parser.add_argument("--label", default="", help="e.g. 'before (rows-only order)'")
    parser.add_argument("--append", action="store_true", help="append to bench/RESULTS.md")
    parser.add_argument("--answers", type=Path, help="score saved answers, start no service")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M", time.gmtime())
    with tempfile.TemporaryDirectory(prefix="layout-set-") as tmp:
        result = run(args.set or Path(tmp), args.quick, args.answers, stamp)
    result["label"] = args.label
    if args.answers:
        result["answers"] = str(args.answers)
    out = RESULTS / f"layout-eval{'-quick' if args.quick else ''}-{stamp}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    text = markdown(result, out.name)
    print(text)
    if args.append:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as results_md:
            results_md.write("\n" + text)


if __name__ == "__main__":
    main()
