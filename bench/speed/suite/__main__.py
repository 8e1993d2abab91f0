"""Benchmark suite (issue 5): every figure a ratio measured in one run, same machine and files.

    python -m bench.speed.suite              # full run (~30 min on 2 cores), writes bench/results/
    python -m bench.speed.suite --quick      # CI smoke run (tiny counts, no peer venvs needed)
    python -m bench.speed.suite --only peers,levers      # some sections
    bench/peers/setup_peers.sh               # build the baseline and PaddleX venvs first

Sections (``--only``):

* ``cold``     P4  process start -> /health 200, interleaved trials per server
* ``peers``    P1 / P1c / P5 / latency: service, seed-style baseline and PaddleX
               serving, interleaved, c1 then c4 until each served ``--rss-requests``;
               CER per side, answer stability, RSS trend
* ``engine``   P1b service c4 / in-process engine loop (interleaved) and the detector
               size policies in-process (max 960, max 736, PaddleOCR's min 64/max 4000)
* ``levers``   service settings at c4, interleaved with the default: det side, CPU
               threads, batching, auto-rotate, workers per device
* ``overload`` P7  open loop at 4x measured capacity for a bounded time

Files: the corpus images (``../shared/corpus``, kind ``image``) and three generated
A4 pages (bench/speed/pages.py). Nothing here asserts a speed; ``--quick`` only proves
the suite still runs.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import time
from collections.abc import Callable

from bench.speed import load
from bench.speed.suite import cold, engine, levers, overload, peers
from bench.speed.suite.context import Suite
from bench.speed.suite.figures import headline

SECTIONS: dict[str, Callable[[Suite], None]] = {
    "cold": cold.measure,
    "peers": peers.measure,
    "overload": overload.measure,
    "levers": levers.measure,
    "engine": engine.measure,
}


def main() -> None:
    """Run the chosen sections and write bench/results/suite-*.json."""
    parser = argparse.ArgumentParser(prog="python -m bench.speed.suite", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny counts (CI smoke run)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    parser.add_argument("--no-peers", action="store_true", help="service only (no peer venvs)")
    parser.add_argument("--peers", default="baseline,paddlex", help="peers to compare")
    parser.add_argument("--reps", type=int, default=2, help="interleaved repetitions")
    parser.add_argument("--cold-trials", type=int, default=3)
    parser.add_argument("--rss-requests", type=int, default=160)
    parser.add_argument("--pass-rounds", type=int, default=1,
                        help="rounds through the files per 4-client pass in `peers`")
    parser.add_argument("--skip-nolock", action="store_true",
                        help="skip the run of the seed design without a lock (it crashes)")
    parser.add_argument("--levers", default=",".join(levers.DEFAULT_LEVERS))
    parser.add_argument("--queue", type=int, default=0, help="OCR_MAX_QUEUE for overload")
    parser.add_argument("--overload-seconds", type=float, default=30.0)
    parser.add_argument("--out", default="")
    parser.add_argument("--no-settle", action="store_true",
                        help="do not wait (up to 60 s) for a quiet machine before each run")
    args = parser.parse_args()
    load.SETTLE = not (args.quick or args.no_settle)
    suite = Suite(args)
    suite.log(f"{len(suite.jobs)} files, {suite.results['machine']}, "
              f"commit {suite.results['commit']}")
    for section in args.only.split(","):
        if section not in SECTIONS:
            parser.error(f"unknown section {section!r}")
        started = time.monotonic()
        SECTIONS[section](suite)
        suite.results.setdefault("section_seconds", {})[section] = round(
            time.monotonic() - started, 1)
        suite.write()
        gc.collect()
    out = suite.write()
    shutil.rmtree(suite.tmp, ignore_errors=True)  # kept (with server logs) when a run fails
    print(json.dumps(headline(suite.results), indent=2, ensure_ascii=False))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
