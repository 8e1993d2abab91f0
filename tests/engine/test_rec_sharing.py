"""A page's line recognition shared with borrowed engines: same results, clean errors, engines back.

The models here are fakes that "read" a crop as its number; what they prove is
the sharing (order, batches, give-back, errors), not OCR.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.engine.lending import EngineSlot, Helper
from app.engine.rec_sharing import SharedRecognizer


class FakeRec:
    """Reads each crop (an int) as a string; records the batches it was given."""

    def __init__(self, delay: float = 0.0, crash: bool = False) -> None:
        self.delay, self.crash = delay, crash
        self.batches: list[list[int]] = []

    def __call__(self, images: list[int], **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.batches.append(list(images))
        time.sleep(self.delay)
        if self.crash:
            raise RuntimeError("backend detail")
        yield from ({"text": f"{i}:{kwargs.get('tag')}"} for i in images)


def helper(rec: FakeRec, may_borrow: bool = True) -> tuple[Helper, FakeRec]:
    return Helper(EngineSlot(engine=None), lambda: may_borrow), rec


def read(shared: SharedRecognizer, crops: list[int]) -> list[str]:
    return [r["text"] for r in shared(crops, tag="x")]


def test_shared_reading_gives_the_unshared_results_in_order() -> None:
    alone = SharedRecognizer(FakeRec(), 1)
    crops = list(range(40))
    expected = read(alone, crops)
    lent = FakeRec(delay=0.001)
    shared = SharedRecognizer(FakeRec(delay=0.001), 1)
    pair = helper(lent)
    shared.lend([pair])
    assert read(shared, crops) == expected
    assert lent.batches  # the borrowed recognizer read some lines
    assert shared.shared_batches == len(lent.batches)
    assert pair[0].slot.lock.acquire(blocking=False)  # and was given back


def test_batches_are_cut_where_the_model_cuts_them() -> None:
    own, lent = FakeRec(delay=0.001), FakeRec(delay=0.001)
    shared = SharedRecognizer(own, 3)
    shared.lend([helper(lent)])
    assert read(shared, list(range(10))) == [f"{i}:x" for i in range(10)]
    # The batches of 3 an unshared call makes (the last one shorter), each read once.
    assert lent.batches
    assert sorted(own.batches + lent.batches) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_nothing_is_borrowed_while_pages_wait() -> None:
    lent = FakeRec()
    shared = SharedRecognizer(FakeRec(), 1)
    shared.lend([helper(lent, may_borrow=False)])
    assert read(shared, list(range(8))) == [f"{i}:x" for i in range(8)]
    assert not lent.batches


def test_a_busy_engine_is_not_borrowed() -> None:
    lent = FakeRec()
    pair = helper(lent)
    pair[0].slot.lock.acquire()  # its own worker is reading a page
    shared = SharedRecognizer(FakeRec(), 1)
    shared.lend([pair])
    assert read(shared, list(range(8))) == [f"{i}:x" for i in range(8)]
    assert not lent.batches


def test_a_recalled_engine_goes_back_after_its_batch() -> None:
    lent = FakeRec(delay=0.02)
    pair = helper(lent)
    shared = SharedRecognizer(FakeRec(delay=0.02), 1)
    shared.lend([pair])
    waited: list[float] = []

    def own_worker_gets_a_page() -> None:
        time.sleep(0.05)
        started = time.monotonic()
        pair[0].slot.reclaim()
        waited.append(time.monotonic() - started)
        pair[0].slot.release()

    thread = threading.Thread(target=own_worker_gets_a_page)
    thread.start()
    assert read(shared, list(range(30))) == [f"{i}:x" for i in range(30)]
    thread.join()
    assert len(lent.batches) < 15  # stopped early, the page's own thread read the rest
    assert waited and not pair[0].slot.recalled.is_set()


@pytest.mark.parametrize("crash_in", ["helper", "own"])
def test_a_crash_raises_and_every_engine_goes_back(crash_in: str) -> None:
    lent = FakeRec(delay=0.01, crash=crash_in == "helper")
    own = FakeRec(delay=0.01, crash=crash_in == "own")
    pair = helper(lent)
    shared = SharedRecognizer(own, 1)
    shared.lend([pair])
    with pytest.raises(RuntimeError, match="backend detail"):
        read(shared, list(range(20)))
    assert (lent if crash_in == "helper" else own).batches
    assert pair[0].slot.lock.acquire(blocking=False)  # the lent engine is back
