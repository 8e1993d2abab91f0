"""The character error rate the benchmarks and tests score with."""

from __future__ import annotations

import pytest

from tests.support.cer import cer, substring_cer


def test_cer_measures() -> None:
    assert cer("Hello world", "Hello world") == 0
    assert cer("Hel1o world", "Hello world") == pytest.approx(1 / 10)
    assert cer("", "abc") == 1
    assert substring_cer("world", "hello world!") == 0
    assert substring_cer("wor1d", "hello world!") == pytest.approx(1 / 5)
