"""The layout stage alone on a dense synthetic page: ``app.layout.analyze`` timed in-process.

The page (issue 12's "500-line page"): a spanning title, three columns of 12 pt
text lines with paragraph gaps and indents, a two-cell row under each column
break, a footer: 500 lines in all, in a shuffled order (detectors do not hand
lines over in reading order). Times are the median of ``rounds`` calls after one
warm-up call, wall clock and this thread's CPU time: on a shared host the wall
time grows with other processes' load, the CPU time much less.
"""

from __future__ import annotations

import random
import statistics
import time

from app.domain import Line

WIDTH, HEIGHT = 2480, 3508  # A4 at 300 dpi: room for 165 lines per column
WORDS = ("reading", "order", "column", "river", "season", "light", "desperation", "pond",
         "species", "harpoon", "liberty", "nation", "wisdom", "winter", "spring", "bank")


def _line(text: str, x: float, y: float, width: float, height: float = 15.0) -> Line:
    polygon = ((x, y), (x + width, y), (x + width, y + height), (x, y + height))
    return Line(text, 0.95, polygon)


def synthetic_page(count: int = 500, seed: int = 12) -> list[Line]:
    """``count`` lines laid out as a dense three-column page, shuffled."""
    rng = random.Random(seed)
    lines = [_line("A Title Across All Three Columns", 600, 60, 1280, 60)]
    body = count - 2
    per_column = -(-body // 3)
    column_width, gap = 740.0, 60.0
    for k in range(body):
        column, row = divmod(k, per_column)
        x = 100 + column * (column_width + gap)
        y = 180 + row * 18.5 + (row // 12) * 8  # a paragraph gap every 12 lines
        indent = 30.0 if row % 12 == 0 else 0.0
        text = " ".join(rng.choice(WORDS) for _ in range(6))
        lines.append(_line(text, x + indent, y, column_width - indent - rng.random() * 80))
    lines.append(_line("— 93 —", WIDTH / 2 - 40, HEIGHT - 100, 80))
    rng.shuffle(lines)
    return lines


def time_analyze(count: int = 500, rounds: int = 7) -> dict[str, float]:
    """Median and best milliseconds of ``analyze`` on the synthetic page."""
    from app.layout import analyze

    lines = synthetic_page(count)
    layout = analyze(lines, WIDTH, HEIGHT)
    wall, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.thread_time()
        layout = analyze(lines, WIDTH, HEIGHT)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return {"lines": len(lines), "blocks": len(layout.blocks), "rounds": rounds,
            "median_ms": round(statistics.median(wall), 2), "best_ms": round(min(wall), 2),
            "cpu_median_ms": round(statistics.median(cpu), 2)}


if __name__ == "__main__":
    print(time_analyze())
