"""A page's text-line recognition shared with idle engines, line batch by line batch.

PaddleX reads a page's line crops through ``text_rec_model(crops)``, a
generator that batches them ``batch_size`` at a time (1 on the CPU). This proxy
stands in for that model: with no helper it is the model itself; with helpers
it cuts the crops into the same batches the model would have made, lets the
page's own thread and one thread per borrowed engine pull batches from one
counter, and yields the results in order. Every batch is read by the same
model (weights, settings) on its own, so the text is byte for byte the text
of the unshared call (tests/engine/test_rec_sharing.py, and on a corpus page
with the real engine).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from app.engine.lending import Helper

RecModel = Callable[..., Iterator[Any]]
"""PaddleX's predictor interface: ``model(images, **kwargs)`` yields one result per image."""


class SharedRecognizer:
    """A recognizer that spreads its line batches over borrowed engines' recognizers."""

    def __init__(self, model: Any, batch_size: int) -> None:
        self.model = model
        self.batch_size = max(1, batch_size)
        self._helpers: Sequence[tuple[Helper, RecModel]] = ()
        self.shared_batches = 0
        """Line batches helpers read, since the engine started (for tests and logs)."""

    def __getattr__(self, name: str) -> Any:
        # Everything but the call is the wrapped model's (runner, batch sampler, close).
        return getattr(self.model, name)

    def lend(self, helpers: Sequence[tuple[Helper, RecModel]]) -> None:
        """Helpers (and their recognizers) for the calls until ``lend(())``."""
        self._helpers = helpers

    def __call__(self, images: Sequence[Any], **kwargs: Any) -> Iterator[Any]:
        """Yield one recognition result per image, in order."""
        size = self.batch_size
        batches = [list(images[i:i + size]) for i in range(0, len(images), size)]
        taken = [(h, model) for h, model in self._helpers if len(batches) > 1 and h.try_take()]
        if not taken:
            yield from self.model(images, **kwargs)
            return
        results: list[list[Any] | None] = [None] * len(batches)
        for batch in self._share(batches, taken, kwargs, results):
            yield from batch

    def _share(
        self, batches: list[list[Any]], taken: list[tuple[Helper, RecModel]],
        kwargs: dict[str, Any], results: list[list[Any] | None],
    ) -> list[list[Any]]:
        counter = itertools.count()  # next() on it is atomic under the GIL
        lock = threading.Lock()
        failed: list[BaseException] = []

        def pull(model: RecModel, helper: Helper | None) -> None:
            try:
                while not failed and not (helper is not None and helper.recalled):
                    with lock:
                        index = next(counter)
                    if index >= len(batches):
                        return
                    results[index] = list(model(batches[index], **kwargs))
                    if helper is not None:
                        with lock:
                            self.shared_batches += 1
            except BaseException as exc:  # handed to the page's thread, which raises it
                failed.append(exc)
            finally:
                if helper is not None:
                    helper.give_back()

        threads = [
            threading.Thread(target=pull, args=(model, helper), daemon=True,
                             name="rec-helper")
            for helper, model in taken
        ]
        for thread in threads:
            thread.start()
        pull(self.model, None)
        for thread in threads:
            thread.join()
        if failed:
            raise failed[0]
        done = [batch for batch in results if batch is not None]
        if len(done) != len(batches):
            raise RuntimeError("a shared recognition batch was not read")
        return done


def install(pipeline: Any) -> SharedRecognizer | None:
    """Put a ``SharedRecognizer`` in place of a PaddleOCR pipeline's recognizer.

    None when the pipeline is not laid out as PaddleOCR 3.x lays it out
    (PaddleOCR -> PaddleX OCR pipeline -> ``text_rec_model``): it then reads
    every page alone, as before.
    """
    inner = getattr(getattr(pipeline, "paddlex_pipeline", None), "_pipeline", None)
    model = getattr(inner, "text_rec_model", None)
    if inner is None or model is None:
        return None
    if isinstance(model, SharedRecognizer):
        return model
    sampler = getattr(model, "batch_sampler", None)
    shared = SharedRecognizer(model, int(getattr(sampler, "batch_size", 1) or 1))
    inner.text_rec_model = shared
    return shared
