"""Load generators against one server on 127.0.0.1: closed loop and open loop, bounded.

* ``closed_loop``: ``concurrency`` clients, each sending the next file as soon as
  its last answer came back (throughput, latency at a given concurrency).
* ``open_loop``: requests sent at a fixed rate for a fixed time whatever the
  answers (overload: what happens to refused and accepted requests).

Both record every request: file, status, latency and the text read, so
throughput, latency, quality and stability all come from the same requests.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from bench.peers.servers import Server
from bench.speed.procfs import CpuWatch, cpu_seconds, settle


@dataclass(slots=True)
class Record:
    """One request."""

    name: str
    status: int
    seconds: float
    text: str


@dataclass
class Run:
    """One load run: its records, wall time and the machine's state meanwhile."""

    server: str
    concurrency: int
    records: list[Record]
    seconds: float
    cpu: dict[str, float]
    server_cpu_s: float = 0.0

    @property
    def ok(self) -> list[Record]:
        """Requests answered 200."""
        return [r for r in self.records if r.status == 200]

    @property
    def images_per_s(self) -> float:
        """Answered images per second of wall time."""
        return len(self.ok) / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, float | int | str | dict[str, float]]:
        """Counts, throughput, latency percentiles and CPU context."""
        return {
            "server": self.server,
            "concurrency": self.concurrency,
            "requests": len(self.records),
            "ok": len(self.ok),
            "errors": len(self.records) - len(self.ok),
            "seconds": round(self.seconds, 2),
            "images_per_s": round(self.images_per_s, 3),
            **percentiles([r.seconds for r in self.ok]),
            "cpu": self.cpu,
            "server_cpu_s_per_image": round(self.server_cpu_s / len(self.ok), 3)
            if self.ok else None,
        }


def percentiles(values: Sequence[float], prefix: str = "") -> dict[str, float]:
    """p50 / p95 / p99 (inclusive method) and max, in seconds."""
    if not values:
        return {}
    if len(values) == 1:
        q = [values[0]] * 99
    else:
        q = statistics.quantiles(values, n=100, method="inclusive")
    return {
        f"{prefix}p50_s": round(q[49], 4),
        f"{prefix}p95_s": round(q[94], 4),
        f"{prefix}p99_s": round(q[98], 4),
        f"{prefix}max_s": round(max(values), 4),
    }


SETTLE = False
"""Wait for a quiet moment before each closed-loop run (bench.speed.suite turns it on)."""


def _limits(n: int) -> httpx.Limits:
    return httpx.Limits(max_connections=n, max_keepalive_connections=n)


def closed_loop(
    server: Server, jobs: Sequence[tuple[str, bytes]], concurrency: int, watch: list[int]
) -> Run:
    """Send every job once, ``concurrency`` at a time; ``watch``: our own pids for CpuWatch."""
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    records: list[Record] = []

    async def client(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            name, data = queue.get_nowait()
            records.append(await _timed_post(server, http, name, data))

    async def main() -> None:
        async with httpx.AsyncClient(timeout=600, limits=_limits(concurrency)) as http:
            await asyncio.gather(*(client(http) for _ in range(concurrency)))

    quiet = settle(watch) if SETTLE else {}
    server_pids = server.pids()
    cpu0 = cpu_seconds(server_pids)
    with CpuWatch(watch) as cpu:
        started = time.perf_counter()
        asyncio.run(main())
        elapsed = time.perf_counter() - started
    server.requests_done += len(records)
    run = Run(server.name, concurrency, records, elapsed, {**cpu.result, **quiet},
              cpu_seconds(server_pids) - cpu0)
    return run


async def _timed_post(server: Server, http: httpx.AsyncClient, name: str, data: bytes) -> Record:
    """One request; a transport error is recorded as status -1, never raised."""
    started = time.perf_counter()
    try:
        status, text = await server.post(http, name, data)
    except httpx.HTTPError as exc:
        status, text = -1, type(exc).__name__
    return Record(name, status, time.perf_counter() - started, text)


def open_loop(
    server: Server,
    jobs: Sequence[tuple[str, bytes]],
    rate: float,
    duration_s: float,
    watch: list[int],
    max_in_flight: int = 400,
) -> Run:
    """Send ``rate`` requests/s for ``duration_s`` (cycling ``jobs``), then wait for answers.

    At most ``max_in_flight`` requests are open at once (a bound on the test itself);
    a request that would exceed it is not sent and is recorded with status 0.
    """
    records: list[Record] = []
    total = int(rate * duration_s)

    async def one(http: httpx.AsyncClient, name: str, data: bytes) -> None:
        records.append(await _timed_post(server, http, name, data))

    async def main() -> None:
        async with httpx.AsyncClient(timeout=600, limits=_limits(max_in_flight)) as http:
            tasks: set[asyncio.Task[None]] = set()
            origin = time.perf_counter()
            for i in range(total):
                await asyncio.sleep(max(0.0, origin + i / rate - time.perf_counter()))
                name, data = jobs[i % len(jobs)]
                if len(tasks) >= max_in_flight:
                    records.append(Record(name, 0, 0.0, "not sent"))
                    continue
                task = asyncio.create_task(one(http, name, data))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.gather(*tasks)

    with CpuWatch(watch) as cpu:
        started = time.perf_counter()
        asyncio.run(main())
        elapsed = time.perf_counter() - started
    server.requests_done += len(records)
    return Run(server.name, -1, records, elapsed, cpu.result)
