"""Where the engine's time goes, per file: detection, recognition, extra orientation reads.

    python -m bench.speed.profile_engine                      # settings from OCR_* env
    python -m bench.speed.profile_engine --policy max736      # a detector size policy (engine_loop)
    OCR_AUTO_ROTATE=false python -m bench.speed.profile_engine

Prints one row per file (size, lines, rotation, seconds, det/rec split, pipeline
calls) and the totals. In-process, one file at a time; for finding levers, not
for the ratios (bench.speed.suite measures those).
"""

from __future__ import annotations

import argparse
import collections
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.speed.engine_loop import DET_POLICIES
from bench.speed.pages import generate
from tests.support.server import ROOT, corpus_images


class _Timed:
    def __init__(self, model: Any, name: str, totals: collections.Counter[str]) -> None:
        self._model, self._name, self._totals = model, name, totals

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        out = list(self._model(*args, **kwargs))
        self._totals[self._name] += time.perf_counter() - started
        self._totals[self._name + "_calls"] += 1
        return iter(out)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def main() -> None:
    """Profile every corpus image and generated page once."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--policy", choices=list(DET_POLICIES), default=None)
    parser.add_argument("--rec-batch", type=int, default=0, help="lines per recognizer call")
    parser.add_argument("--no-pages", action="store_true")
    args = parser.parse_args()

    from app.config import Settings
    from app.documents.images import decode_pages
    from app.documents.sniff import sniff
    from app.domain import EngineOptions
    from app.engine.paddleocr_engine import load_engine

    # One engine with every core: per-file times of one read, not throughput.
    settings = Settings(cache_dir=Path(tempfile.mkdtemp(prefix="ocr-profile-")),
                        workers_per_device=int(os.environ.get("OCR_WORKERS_PER_DEVICE", 1)))
    engine = load_engine(settings)
    pipeline = engine._pipeline.paddlex_pipeline
    inner = getattr(pipeline, "_pipeline", pipeline)
    totals: collections.Counter[str] = collections.Counter()
    inner.text_det_model = _Timed(inner.text_det_model, "det", totals)
    if args.rec_batch:
        inner.text_rec_model.batch_sampler.batch_size = args.rec_batch
    inner.text_rec_model = _Timed(inner.text_rec_model, "rec", totals)
    if args.policy:
        predict = engine._pipeline.predict
        overrides = DET_POLICIES[args.policy]
        engine._pipeline.predict = lambda images, **kw: predict(images, **{**kw, **overrides})
    options = EngineOptions(settings.det_limit_side_len, settings.auto_rotate)

    files = corpus_images()
    if not args.no_pages:
        files += [p.path for p in generate(ROOT / "bench" / "results" / "pages")]
    images = []
    for path in files:
        data = path.read_bytes()
        for page in decode_pages(data, sniff(data), max_pixels=10**9, max_pages=100):
            images.append((path.name, page.image))
    engine.predict([images[0][1]], options)  # warm-up
    totals.clear()
    print(f"{'file':36s} {'size':>11s} lines rot   total   det   rec calls")
    wall = 0.0
    for name, image in images:
        before = dict(totals)
        started = time.perf_counter()
        (result,) = engine.predict([image], options)
        elapsed = time.perf_counter() - started
        wall += elapsed
        det = totals["det"] - before.get("det", 0)
        rec = totals["rec"] - before.get("rec", 0)
        calls = totals["det_calls"] - before.get("det_calls", 0)
        size = f"{image.shape[1]}x{image.shape[0]}"
        print(f"{name:36s} {size:>11s} {len(result.lines):5d} {result.rotation:3d} "
              f"{elapsed:7.2f} {det:5.2f} {rec:5.2f} {calls:5d}")
    print(f"{'total':36s} {len(images):>11d} files      {wall:7.2f} {totals['det']:5.2f} "
          f"{totals['rec']:5.2f}  ->  {len(images) / wall:.3f} img/s "
          f"(threads {settings.threads_per_engine}, "
          f"det {args.policy or settings.det_limit_side_len}, "
          f"auto_rotate {settings.auto_rotate}, "
          f"rec batch {inner.text_rec_model.batch_sampler.batch_size})")


if __name__ == "__main__":
    main()
