"""Hostile inputs against one live service (GitHub issue 7).

Several hundred bad requests (tests/hostile/generate.py) go to one real server
with small limits, from a few threads at once. Every one must answer below 500:
a 4xx with the error envelope whose request id matches the X-Request-ID header,
or a 200 whose body parses; none may take longer than REQUEST_BOUND_S. The
server's memory is sampled throughout; afterwards the process must be alive,
its RSS bounded, and a normal image must still read correctly.

CPU bombs (small files whose decoding takes minutes while every size limit
holds) go last, after everything else was measured: while unfixed they keep
the server's decode threads busy long after their clients gave up.

The summary (cases, status histogram, 5xx count, slowest cases, RSS) is written
to logs/hostile-summary.json and printed, with or without ``-s``.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import httpx
import psutil
import pytest
from PIL import Image, ImageDraw

from tests.conftest import CORPUS, ROOT, LiveServer, corpus_bytes, start_server
from tests.hostile.generate import (
    BOUNDARY,
    IMAGE_FIELDS,
    Case,
    Limits,
    Part,
    build_cases,
    multipart,
)

LIMITS = Limits(max_upload_bytes=2_000_000, max_pages=5, max_pixels=4_000_000)
REQUEST_TIMEOUT_S = 20  # the server's own deadline (OCR_REQUEST_TIMEOUT_S)
REQUEST_BOUND_S = 30.0  # no request may take longer, whatever it sends
WORKERS = 3
MAX_RSS = 2_500 * 2**20
MAX_RSS_GROWTH = 600 * 2**20
SUMMARY = ROOT / "logs" / "hostile-summary.json"
# A connection per request: the server closes a connection after refusing a body it did
# not read (413), and a request racing that close would see a reset that is no bug.
FRESH_CONNECTIONS = httpx.Limits(max_keepalive_connections=0)

# Cases that fail today, with the reason; xfail(strict=True) so a fix is noticed.
# (None left: the last ones were fixed in app/documents and app/service.)
KNOWN_BUGS: dict[str, str] = {}

CASES: list[Case] = build_cases(LIMITS, CORPUS)


@dataclass
class Outcome:
    name: str
    group: str
    status: int | None
    code: str | None
    seconds: float
    problem: str | None  # why the answer is wrong, None when it is right
    request_id: str | None = None


def check(case: Case, response: httpx.Response) -> str | None:
    """What is wrong with ``response`` to ``case`` (None: nothing)."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}: {response.text[:300]}"
    if case.expect and status not in case.expect:
        return f"status {status} not in {sorted(case.expect)}: {response.text[:300]}"
    header_id = response.headers.get("x-request-id")
    if not header_id:
        return "no X-Request-ID header"
    if status >= 400:
        try:
            error = response.json()["error"]
        except (ValueError, KeyError, TypeError):
            return f"{status} without the error envelope: {response.text[:300]}"
        if not (isinstance(error, dict) and {"code", "message", "request_id"} <= set(error)):
            return f"malformed envelope: {error!r}"
        if not error["message"] or not error["code"]:
            return f"empty code or message: {error!r}"
        if error["request_id"] != header_id:
            return f"request_id {error['request_id']!r} != header {header_id!r}"
        if case.codes and error["code"] not in case.codes:
            return f"code {error['code']!r} not in {sorted(case.codes)}"
        return None
    if status == 200:
        if case.path == "/ocr/annotate":
            if not response.content.startswith(b"\x89PNG\r\n\x1a\n"):
                return f"200 from /ocr/annotate that is no PNG: {response.content[:40]!r}"
            if "x-ocr-page" not in response.headers:
                return "200 from /ocr/annotate without X-OCR-Page"
            return None
        if case.path == "/ocr":
            if "text/plain" not in response.headers.get("content-type", ""):
                return "200 from /ocr without text/plain"
            return None
        try:
            body = response.json()
        except ValueError:
            return f"200 whose body is no JSON: {response.text[:300]}"
        if not isinstance(body.get("pages"), list) or body.get("request_id") != header_id:
            return f"200 whose body is not an OCR response: {str(body)[:300]}"
        return None
    if status in (404, 405) or 300 <= status < 400:
        return None
    return f"unexpected status {status}"


def send(http: httpx.Client, case: Case) -> Outcome:
    """Send one case; never raises (a transport failure is an outcome too)."""
    # Bytes, so that values outside ASCII go out as the client wrote them.
    headers = {k: v.encode("latin-1") for k, v in case.headers}
    if case.content_type:
        headers["Content-Type"] = case.content_type.encode("latin-1")
    content: Any = case.stream() if case.stream is not None else case.body
    started = time.monotonic()
    try:
        response = http.request(case.method, case.path, content=content, headers=headers)
    except httpx.HTTPError as exc:
        seconds = time.monotonic() - started
        problem = f"no response: {type(exc).__name__}: {exc}"
        return Outcome(case.name, case.group, None, None, seconds, problem)
    seconds = time.monotonic() - started
    problem = check(case, response)
    if problem is None and seconds > REQUEST_BOUND_S:
        problem = f"took {seconds:.1f} s (bound {REQUEST_BOUND_S} s)"
    code = None
    if response.status_code >= 400:
        try:
            code = response.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = None
    return Outcome(case.name, case.group, response.status_code, code, seconds, problem,
                   response.headers.get("x-request-id"))


class RssSampler:
    """Samples a process's resident memory every ``interval`` seconds, keeping the peak."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.start = self.peak = self.rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> int:
        return int(self.process.memory_info().rss)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.peak = max(self.peak, self.rss())
            except psutil.Error:
                return

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Run:
    server: LiveServer
    outcomes: dict[str, Outcome]
    rss_start: int
    rss_peak: int
    rss_end: int
    alive: bool
    seconds: float


def warm_up(server: LiveServer) -> None:
    """Serve normal documents first, up to a page at the pixel limit, so that the memory
    baseline is that of an engine that has done its ordinary work (its buffers grow
    with the page sizes it has seen, then stay): growth after it is the inputs' doing."""
    side = int(LIMITS.max_pixels ** 0.5) - 10
    page = Image.new("L", (side, side), 255)
    ImageDraw.Draw(page).text((100, 100), "A page at the pixel limit", fill=0)
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    documents = [("cnocr_helloworld.jpg", corpus_bytes("cnocr_helloworld.jpg"), {}),
                 ("tess_phototest.tif", corpus_bytes("tess_phototest.tif"), IMAGE_FIELDS),
                 ("rapidocrpdf_image.pdf", corpus_bytes("rapidocrpdf_image.pdf"), {}),
                 ("limit.png", buffer.getvalue(), {})]
    for name, data, fields in documents:
        response = httpx.post(server.url + "/ocr/json", files={"file": (name, data)},
                              data=fields, timeout=120)
        # 504 only on a machine too busy to read a full page within the deadline; the
        # memory was used all the same.
        assert response.status_code in (200, 504), f"{name}: {response.text}"


def run_cases(server: LiveServer, cases: list[Case], workers: int = WORKERS) -> Run:
    """Send every case from ``workers`` threads; sample the server's RSS meanwhile."""
    timeout = httpx.Timeout(REQUEST_BOUND_S + 10, connect=10)
    started = time.monotonic()
    with (RssSampler(server.process.pid) as sampler,
          httpx.Client(base_url=server.url, timeout=timeout, limits=FRESH_CONNECTIONS) as http,
          ThreadPoolExecutor(workers, thread_name_prefix="hostile") as pool):
        outcomes = list(pool.map(lambda case: send(http, case), cases))
    seconds = time.monotonic() - started
    alive = server.process.poll() is None
    end = sampler.rss() if alive else 0
    return Run(server, {o.name: o for o in outcomes}, sampler.start, max(sampler.peak, end),
               end, alive, seconds)


def summarize(runs: dict[str, Run]) -> dict[str, Any]:
    """The report: totals over every case, then each run's timing and memory."""
    outcomes = [o for run in runs.values() for o in run.outcomes.values()]
    statuses = Counter(str(o.status) for o in outcomes)
    slowest = sorted(outcomes, key=lambda o: -o.seconds)[:10]
    return {
        "cases": len(outcomes),
        "statuses": dict(sorted(statuses.items())),
        "server_errors_5xx": sum(1 for o in outcomes if o.status is not None and o.status >= 500),
        "no_response": sum(1 for o in outcomes if o.status is None),
        "problems": {o.name: o.problem for o in outcomes if o.problem},
        "known_bugs": KNOWN_BUGS,
        "error_codes": dict(sorted(Counter(o.code for o in outcomes if o.code).items())),
        "groups": dict(sorted(Counter(o.group for o in outcomes).items())),
        "slowest_s": {o.name: round(o.seconds, 2) for o in slowest},
        "runs": {
            label: {"cases": len(run.outcomes), "wall_s": round(run.seconds, 1),
                    "rss_mb": {"start": run.rss_start >> 20, "peak": run.rss_peak >> 20,
                               "end": run.rss_end >> 20},
                    "server_alive": run.alive}
            for label, run in runs.items()
        },
        "limits": asdict(LIMITS),
        "outcomes": {o.name: [o.status, o.code, round(o.seconds, 2)] for o in outcomes},
    }


REGULAR = [c for c in CASES if c.group != "cpu-bomb"]
BOMBS = [c for c in CASES if c.group == "cpu-bomb"]
RUNS: dict[str, Run] = {}


def _marks(name: str) -> list[pytest.MarkDecorator]:
    return [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[name])] if name in KNOWN_BUGS else []


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(
        tmp_path_factory.mktemp("hostile"),
        OCR_MAX_UPLOAD_BYTES=str(LIMITS.max_upload_bytes),
        OCR_MAX_PAGES=str(LIMITS.max_pages),
        OCR_MAX_PIXELS=str(LIMITS.max_pixels),
        OCR_REQUEST_TIMEOUT_S=str(REQUEST_TIMEOUT_S),
        OCR_PDF_RENDER_TIMEOUT_S=str(REQUEST_TIMEOUT_S),
        OCR_SHUTDOWN_GRACE_S="1",  # CPU bombs may still be decoding at the end
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hostile_run(hostile_server: LiveServer) -> Run:
    warm_up(hostile_server)
    RUNS["regular"] = run_cases(hostile_server, REGULAR)
    return RUNS["regular"]


@pytest.fixture(scope="module")
def bomb_run(hostile_run: Run, hostile_server: LiveServer) -> Run:
    """The CPU bombs, sent last: they may hold the server's decode threads for minutes."""
    RUNS["cpu-bombs"] = run_cases(hostile_server, BOMBS)
    return RUNS["cpu-bombs"]


def test_at_least_200_cases() -> None:
    assert len(CASES) >= 200
    assert len({c.group for c in CASES}) >= 10


@pytest.mark.parametrize("name", [pytest.param(c.name, marks=_marks(c.name)) for c in REGULAR])
def test_case(hostile_run: Run, name: str) -> None:
    outcome = hostile_run.outcomes[name]
    assert outcome.problem is None, f"{name}: {outcome.problem}"


def test_no_request_took_too_long(hostile_run: Run) -> None:
    slow = {o.name: round(o.seconds, 1) for o in hostile_run.outcomes.values()
            if o.seconds > REQUEST_BOUND_S and o.name not in KNOWN_BUGS}
    assert not slow


def test_server_survives_with_bounded_memory(hostile_run: Run) -> None:
    assert hostile_run.alive, "the server died:\n" + hostile_run.server.logs()[-5000:]
    assert hostile_run.rss_peak < MAX_RSS, hostile_run.rss_peak
    assert hostile_run.rss_peak - hostile_run.rss_start < MAX_RSS_GROWTH, (
        hostile_run.rss_start, hostile_run.rss_peak)


@pytest.mark.parametrize("order", ["hello-last", "hello-first"])
def test_two_files_in_one_field(hostile_run: Run, hostile_server: LiveServer, order: str) -> None:
    """Two parts named 'file': today the last one is read (FastAPI's form semantics).

    Accepted: a 200 reading exactly the last part, or a 422 refusing the request.
    Never the first part silently, never both, never a 5xx.
    """
    hello, other = corpus_bytes("cnocr_helloworld.jpg"), corpus_bytes("rapidocr_en_rec.jpg")
    parts = [Part("file", other, "en.jpg", "image/jpeg"),
             Part("file", hello, "hello.jpg", "image/jpeg")]
    if order == "hello-first":
        parts.reverse()
    response = httpx.post(hostile_server.url + "/ocr", content=multipart(parts), timeout=60,
                          headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert ("Hello world" in response.text) == (order == "hello-last"), response.text
        assert ("MovieShots" in response.text) == (order == "hello-first"), response.text
    else:
        assert response.json()["error"]["code"] in ("invalid_option", "missing_file")


def _read_normal_image(server: LiveServer) -> None:
    assert server.process.poll() is None, "the server died:\n" + server.logs()[-5000:]
    response = httpx.post(server.url + "/ocr",
                          files={"file": ("hello.jpg", corpus_bytes("cnocr_helloworld.jpg"))},
                          timeout=REQUEST_BOUND_S)
    assert response.status_code == 200, response.text
    assert "Hello world" in response.text
    assert httpx.get(server.url + "/health", timeout=10).status_code == 200


def test_normal_image_still_reads(hostile_run: Run, hostile_server: LiveServer) -> None:
    _read_normal_image(hostile_server)


@pytest.mark.parametrize("name", [pytest.param(c.name, marks=_marks(c.name)) for c in BOMBS])
def test_cpu_bomb(bomb_run: Run, name: str) -> None:
    outcome = bomb_run.outcomes[name]
    assert outcome.problem is None, f"{name}: {outcome.problem}"


_BOMBS_KNOWN = [c.name for c in BOMBS if c.name in KNOWN_BUGS]


@pytest.mark.xfail(bool(_BOMBS_KNOWN), strict=True,
                   reason=f"the CPU bombs {_BOMBS_KNOWN} still hold both decode threads")
def test_normal_image_reads_after_cpu_bombs(bomb_run: Run, hostile_server: LiveServer) -> None:
    """The bombs' clients gave up; a normal request must still be served in time."""
    _read_normal_image(hostile_server)


def test_memory_bounded_under_cpu_bombs(bomb_run: Run) -> None:
    assert bomb_run.alive, "the server died:\n" + bomb_run.server.logs()[-5000:]
    assert bomb_run.rss_peak < MAX_RSS, bomb_run.rss_peak


def test_summary(hostile_run: Run, bomb_run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    summary = summarize(RUNS)
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    runs = "; ".join(f"{label} {r['cases']} in {r['wall_s']} s, RSS MB {r['rss_mb']}"
                     for label, r in summary["runs"].items())
    with capsys.disabled():
        print(f"\nhostile inputs: {summary['cases']} cases, statuses {summary['statuses']}, "
              f"5xx={summary['server_errors_5xx']}, no response={summary['no_response']}, "
              f"known bugs (xfail)={len(KNOWN_BUGS)}; {runs} -> {SUMMARY.relative_to(ROOT)}")
    unexpected = {k: v for k, v in summary["problems"].items() if k not in KNOWN_BUGS}
    assert not unexpected
    assert summary["server_errors_5xx"] <= len(KNOWN_BUGS), summary["problems"]
