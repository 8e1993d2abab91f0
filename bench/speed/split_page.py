"""A lone dense page with its text lines shared over idle engines, against one engine alone.

    .venv/bin/python -m bench.speed.split_page [--rounds 3] [--page PATH]

Loads two one-thread engines behind one scheduler and reads the dense page
(bench/speed/dense_page.py, or ``--page``) alternately with ``share_idle`` off and
on. Machines here are shared, so wall time alone says little: besides it the
script reports each thread's CPU seconds in the recognizer, whose largest is
the page's critical path when cores are free (``critical`` below), and checks
that both ways give the same text.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.config import Settings
from app.documents.images import decode_pages
from app.domain import EngineOptions, MediaKind
from app.engine.paddleocr_engine import PaddleOCREngine, load_engine
from app.engine.scheduler import InferenceScheduler
from bench.speed.dense_page import save_dense_page

_KINDS = {".png": MediaKind.PNG, ".tif": MediaKind.TIFF, ".jpg": MediaKind.JPEG}


class _Clocked:
    """A recognizer that adds each calling thread's CPU seconds to ``spent``."""

    def __init__(self, model: Any, spent: dict[str, float]) -> None:
        self.model, self.spent = model, spent

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)

    def __call__(self, images: Any, **kwargs: Any) -> Iterator[Any]:
        started = time.thread_time()
        out = list(self.model(images, **kwargs))
        self.spent[threading.current_thread().name] += time.thread_time() - started
        return iter(out)


def _engines(spent: dict[str, float]) -> list[PaddleOCREngine]:
    settings = Settings(workers_per_device=2, cpu_threads=1, warmup=False)
    engines = [load_engine(settings) for _ in range(2)]
    for engine in engines:
        rec = engine._rec  # the bench looks inside on purpose
        assert rec is not None
        rec.model = _Clocked(rec.model, spent)
    return engines


def main() -> None:
    """Run the comparison and print one line per read."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--page", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        page_path = args.page or Path(tmp) / "dense.png"
        if args.page is None:
            save_dense_page(page_path)
        data = page_path.read_bytes()
    (page,) = decode_pages(data, _KINDS[page_path.suffix.lower()], max_pixels=10**8,
                           max_pages=1)
    assert page.image is not None
    spent: dict[str, float] = defaultdict(float)
    engines = _engines(spent)
    scheduler = InferenceScheduler(engines, max_queue=4, max_batch=1, max_wait_ms=0)
    scheduler.start()
    texts: dict[bool, set[str]] = defaultdict(set)
    image = page.image

    async def read() -> str:
        (result,) = await scheduler.run([image], EngineOptions(), time.monotonic() + 600)
        return "\n".join(line.text for line in result.lines)

    try:
        asyncio.run(read())  # warm both engines' first shapes
        for _ in range(args.rounds):
            for share in (False, True):
                scheduler.share_idle = share
                spent.clear()
                cpu, wall = time.process_time(), time.perf_counter()
                texts[share].add(asyncio.run(read()))
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                critical = max(spent.values())
                print(f"share={share!s:5} wall {wall:5.2f}s process cpu {cpu:5.2f}s "
                      f"recognizer cpu by thread "
                      f"{ {k: round(v, 2) for k, v in sorted(spent.items())} } "
                      f"critical {critical:5.2f}s", flush=True)
    finally:
        scheduler.close()
    print("same text shared and alone:", texts[True] == texts[False] and len(texts[True]) == 1)


if __name__ == "__main__":
    main()
