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
import copy
import gc
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.peers import servers as peers
from bench.peers.servers import Server
from bench.quality.answers import Truth, corpus_truths, quality, stability
from bench.speed import load
from bench.speed.engine_loop import DET_POLICIES, EngineLoop
from bench.speed.load import Run, closed_loop, open_loop, percentiles
from bench.speed.pages import generate
from tests.support.server import ROOT, corpus_images

RESULTS = ROOT / "bench" / "results"
SECTIONS = ("cold", "peers", "overload", "levers", "engine")

LEVERS: dict[str, dict[str, str]] = {
    "default": {},
    "det736": {"OCR_DET_LIMIT_SIDE_LEN": "736"},
    "det4000": {"OCR_DET_LIMIT_SIDE_LEN": "4000"},
    # the default on 2 cores is 2 engines x 1 thread (OCR_WORKERS_PER_DEVICE=0: auto)
    "engine1_threads2": {"OCR_WORKERS_PER_DEVICE": "1"},
    "engine1_threads1": {"OCR_WORKERS_PER_DEVICE": "1", "OCR_CPU_THREADS": "1"},
    "batch4_wait5": {"OCR_MAX_BATCH": "4", "OCR_MAX_WAIT_MS": "5"},
    "batch4_wait20": {"OCR_MAX_BATCH": "4", "OCR_MAX_WAIT_MS": "20"},
    "rotate_off": {"OCR_AUTO_ROTATE": "false"},
    # model choice: the PP-OCRv4 mobile Paddle set on PaddlePaddle (oneDNN) ...
    "v4_paddle": {"OCR_BACKEND": "paddle", "OCR_MODEL_SET": "paddle-v4-embedded"},
    # ... and the PP-OCRv6 small set with an int8 recognizer (bench/speed/quantize.py prototype)
    "v6_int8rec": {"OCR_MODEL_SET": "v6-int8rec"},
}
DEFAULT_LEVERS = [n for n in LEVERS if n != "v6_int8rec"]  # int8: opt in with --levers
QUICK_LEVERS = ("default", "batch4_wait5")


class Suite:
    """State of one run: files, truths, temp folder, results."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quick: bool = args.quick
        self.tmp = Path(tempfile.mkdtemp(prefix="ocr-suite-"))
        files = corpus_images()
        self.truths: dict[str, Truth] = corpus_truths()
        if self.quick:
            small = ["cnocr_helloworld.jpg", "rapidocr_en_rec.jpg", "tess_phototest.tif"]
            files = [f for f in files if f.name in small]
            self.jobs = [(f.name, f.read_bytes()) for f in files]
        else:
            self.jobs = [(f.name, f.read_bytes()) for f in files]
            for page in generate(RESULTS / "pages"):
                self.jobs.append((page.name, page.path.read_bytes()))
                self.truths[page.name] = Truth(page.truth, unordered=False)
        self.results: dict[str, Any] = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": _machine(),
            "commit": _git("rev-parse", "--short", "HEAD"),
            "dirty_app": bool(_git("status", "--porcelain", "app")),
            "mode": "quick" if self.quick else "full",
            "files": [name for name, _ in self.jobs],
        }

    # --- helpers ------------------------------------------------------------

    def watch(self, *servers: Server) -> list[int]:
        """Our pids: this process and the servers (CpuWatch counts the rest as noise)."""
        return [os.getpid(), *(pid for s in servers for pid in s.pids())]

    def log(self, message: str) -> None:
        """Progress on stderr-like stdout, with the load average."""
        load = os.getloadavg()
        print(f"[{time.strftime('%H:%M:%S')} load {load[0]:.2f}] {message}", flush=True)

    def peer_servers(self) -> list[Server]:
        """The service plus the peers whose venvs exist (unless --no-peers / --quick)."""
        servers = [peers.service("service", self.tmp)]
        if self.quick or self.args.no_peers:
            return servers
        wanted = self.args.peers.split(",")
        if "baseline" in wanted and peers.baseline_available():
            servers.append(peers.baseline(self.tmp))
        else:
            self.log("baseline venv missing (bench/peers/setup_peers.sh): P1 skipped")
        if "paddlex" not in wanted:
            return servers
        if peers.paddlex_available():
            servers.append(peers.paddlex(self.tmp))
        else:
            self.log("PaddleX venv missing (bench/peers/setup_peers.sh): P1c skipped")
        return servers

    # --- P4 -----------------------------------------------------------------

    def cold(self) -> None:
        """Process start -> /health 200, trials interleaved across servers."""
        trials = 1 if self.quick else self.args.cold_trials
        servers = self.peer_servers()
        times: dict[str, list[float]] = {s.name: [] for s in servers}
        for trial in range(trials):
            for server in servers:
                fresh = Server(server.name, server.kind, server.command, server.env,
                               server.log_path)
                try:
                    times[server.name].append(round(fresh.start(), 3))
                finally:
                    fresh.stop()
                self.log(f"cold start {server.name} #{trial + 1}: {times[server.name][-1]} s")
        out: dict[str, Any] = {
            name: {"trials_s": t, "median_s": round(statistics.median(t), 3)}
            for name, t in times.items()
        }
        if "baseline" in out:
            out["ratio_service_over_baseline"] = round(
                out["service"]["median_s"] / out["baseline"]["median_s"], 3)
        self.results["cold_start"] = out

    # --- P1, P1c, P5, latency -----------------------------------------------

    def peers(self) -> None:
        """Service vs peers: c1 pass, then interleaved c4 rounds until --rss-requests each."""
        servers = self.peer_servers()
        target = len(self.jobs) + 2 if self.quick else self.args.rss_requests
        try:
            for server in servers:
                server.start()
                server.note_rss()
                self.log(f"{server.name} ready in {server.cold_start_s:.2f} s, "
                         f"{server.rss_trace[-1][1]:.0f} MiB")
            runs: dict[str, list[Run]] = {s.name: [] for s in servers}
            for server in servers:  # c1: latency at one client, first answers for CER
                runs[server.name].append(self._run(server, self.jobs, 1, servers))
            # A pass ends when its last file is answered: servers that run several
            # requests at once idle through that tail, serial ones do not. More
            # rounds per pass measure sustained load (--pass-rounds).
            c4_jobs = self.jobs * (1 if self.quick else self.args.pass_rounds)
            while any(s.requests_done < target for s in servers):
                for server in servers:
                    left = target - server.requests_done
                    if left > 0:
                        jobs = c4_jobs[: min(left, len(c4_jobs))]
                        runs[server.name].append(self._run(server, jobs, 4, servers))
            out = {s.name: self._peer_summary(s, runs[s.name]) for s in servers}
        finally:
            for server in servers:
                server.stop()
        svc = out["service"]
        for peer, key in (("baseline", "P1"), ("paddlex", "P1c")):
            if peer in out:
                out[f"{key}_service_c4_over_{peer}_c4"] = _ratio(
                    svc["c4"]["images_per_s"], out[peer]["c4"]["images_per_s"])
                out[f"{key}_service_c1_over_{peer}_c1"] = _ratio(
                    svc["c1"]["images_per_s"], out[peer]["c1"]["images_per_s"])
        if "baseline" in out:
            out["P5_rss_service_over_baseline"] = _ratio(
                svc["rss_final_mib"], out["baseline"]["rss_final_mib"])
            if not self.args.skip_nolock:
                out["baseline-nolock"] = self._nolock_probe(runs["baseline"][0])
        self.results["peers"] = out

    def _nolock_probe(self, reference: Run) -> dict[str, Any]:
        """The seed design exactly (no lock) at 4 clients: does it survive, answer right?"""
        server = peers.baseline(self.tmp, lock=False)
        try:
            server.start()
            run = closed_loop(server, self.jobs, 4, self.watch(server))
            crashed = server.process is not None and server.process.poll() is not None
        finally:
            server.stop()
        expected = {r.name: r.text for r in reference.ok}
        wrong = sorted({r.name for r in run.ok if r.text != expected.get(r.name, r.text)})
        self.log(f"baseline-nolock c4: {len(run.ok)}/{len(run.records)} ok, "
                 f"crashed {crashed}, wrong answers {wrong}")
        return {
            "c4": run.summary(),
            "crashed": crashed,
            "wrong_answer_files": wrong,
            "statuses": sorted({r.status for r in run.records}),
        }

    def _run(self, server: Server, jobs: list[tuple[str, bytes]], concurrency: int,
             others: list[Server]) -> Run:
        run = closed_loop(server, jobs, concurrency, self.watch(*others))
        server.note_rss()
        self.log(f"{server.name} c{concurrency}: {len(run.ok)}/{len(run.records)} ok, "
                 f"{run.images_per_s:.3f} img/s, other CPU {run.cpu['other_cores']} cores, "
                 f"RSS {server.rss_trace[-1][1]:.0f} MiB after {server.requests_done}")
        return run

    def _peer_summary(self, server: Server, runs: list[Run]) -> dict[str, Any]:
        c1 = [r for r in runs if r.concurrency == 1]
        # Throughput from whole passes over the files only: a last, shorter pass
        # (to reach --rss-requests) has another mix of files.
        c4 = [r for r in runs if r.concurrency == 4 and len(r.records) == len(self.jobs)]
        c4 = c4 or [r for r in runs if r.concurrency == 4]
        first = {r.name: r.text for r in c1[0].records if r.status == 200}
        records = [(r.name, r.text) for run in runs for r in run.ok]
        trace = server.rss_trace
        half = next((rss for n, rss in trace if n >= trace[-1][0] / 2), trace[-1][1])
        return {
            "cold_start_s": round(server.cold_start_s or 0, 3),
            "c1": _pooled(c1),
            "c4": _pooled(c4),
            "c4_runs_images_per_s": [round(r.images_per_s, 3) for r in c4],
            "quality": quality(first, self.truths),
            "stability": stability(records),
            "errors": sum(len(r.records) - len(r.ok) for r in runs),
            "rss_trace_mib": trace,
            "rss_final_mib": trace[-1][1],
            "rss_growth_second_half_mib": round(trace[-1][1] - half, 1),
        }

    # --- P1b and detector policies in-process -------------------------------

    def engine(self) -> None:
        """Engine loop vs service c4 (A B A B), then det policies in-process (interleaved)."""
        reps = 1 if self.quick else self.args.reps
        loop = EngineLoop(self.tmp / "cache-engine")
        service = peers.service("service-p1b", self.tmp)
        out: dict[str, Any] = {}
        try:
            loop.warm(self.jobs)
            service.start()
            closed_loop(service, self.jobs[:2], 1, [])  # warm the HTTP path too
            engine_runs, service_runs = [], []
            for rep in range(reps):
                engine_runs.append(loop.run(self.jobs, watch=self.watch(service)))
                self.log(f"engine loop #{rep + 1}: {engine_runs[-1]['images_per_s']} img/s")
                service_runs.append(self._run(service, self.jobs, 4, [service]))
            service.stop()
            engine_rate = _rate(engine_runs)
            out["engine_loop"] = {
                "images_per_s": engine_rate,
                "runs": [r["images_per_s"] for r in engine_runs],
                "cpu_s_per_image": [r["cpu_s_per_image"] for r in engine_runs],
                "cpu": [r["cpu"] for r in engine_runs],
                "quality": quality(engine_runs[0]["texts"], self.truths),
            }
            out["service_c4"] = _pooled(service_runs)
            out["P1b_service_c4_over_engine"] = round(
                out["service_c4"]["images_per_s"] / engine_rate, 3)
            self.results["engine"] = out  # kept if a policy run fails
            policies = ["max960", "max736"] if self.quick else list(DET_POLICIES)
            by_policy: dict[str, list[dict[str, Any]]] = {p: [] for p in policies}
            for _ in range(reps):
                for policy in policies:
                    by_policy[policy].append(loop.run(self.jobs, policy, self.watch()))
                    self.log(f"engine {policy}: {by_policy[policy][-1]['images_per_s']} img/s")
            base = _rate(by_policy["max960"])
            out["det_policies"] = {
                policy: {
                    "images_per_s": _rate(runs),
                    "ratio_vs_max960": round(_rate(runs) / base, 3),
                    "quality": quality(runs[0]["texts"], self.truths),
                    "per_file_s": runs[0]["per_file_s"],
                    "cpu_s_per_image": [r["cpu_s_per_image"] for r in runs],
                    "cpu": [r["cpu"] for r in runs],
                }
                for policy, runs in by_policy.items()
            }
        finally:
            service.stop()
            loop.close()
        self.results["engine"] = out

    # --- levers ---------------------------------------------------------------

    def levers(self) -> None:
        """Each setting at c4, all servers up, rounds interleaved: default, X, Y, ... x reps."""
        names = list(QUICK_LEVERS if self.quick else self.args.levers.split(","))
        reps = 1 if self.quick else self.args.reps
        if "v6_int8rec" in names and not self._int8_set():
            names.remove("v6_int8rec")
        if "v4_paddle" in names and importlib.util.find_spec("paddle") is None:
            names.remove("v4_paddle")
        servers = {n: peers.service(f"lever-{n}", self.tmp, **self._lever_env(n))
                   for n in names}
        runs: dict[str, list[Run]] = {n: [] for n in names}
        try:
            for server in servers.values():
                server.start()
            for name, server in servers.items():  # warm: Paddle compiles per new shape
                closed_loop(server, self.jobs if "paddle" in name else self.jobs[:3], 4, [])
            for _ in range(reps):
                for name, server in servers.items():
                    runs[name].append(self._run(server, self.jobs, 4, list(servers.values())))
        finally:
            for server in servers.values():
                server.stop()
        base = _pooled(runs["default"])["images_per_s"]
        self.results["levers"] = {
            name: {
                "env": LEVERS[name],
                **_pooled(runs[name]),
                "ratio_vs_default": round(_pooled(runs[name])["images_per_s"] / base, 3),
                "runs_images_per_s": [round(r.images_per_s, 3) for r in runs[name]],
                "quality": quality({r.name: r.text for r in runs[name][0].ok}, self.truths),
                "stability": stability((r.name, r.text) for run in runs[name] for r in run.ok),
            }
            for name in names
        }

    def _lever_env(self, name: str) -> dict[str, str]:
        env = dict(LEVERS[name])
        if name == "v6_int8rec":
            env["OCR_MODELS_DIR"] = str(self.tmp / "models")
        return env

    def _int8_set(self) -> bool:
        """Build models/v6-int8rec under tmp with bench/speed/quantize.py (bench/.venv-quant)."""
        python = ROOT / "bench" / ".venv-quant" / "bin" / "python"
        if not python.exists():
            self.log("bench/.venv-quant missing (bench/peers/setup_peers.sh quant): "
                     "int8 lever skipped")
            return False
        from app.config import Settings
        from app.engine.model_sets import resolve_model_set

        resolve_model_set("embedded", Settings().models_dir, self.tmp / "cache-int8")
        source = self.tmp / "cache-int8" / "model-sets" / "embedded"
        subprocess.run([str(python), str(ROOT / "bench" / "speed" / "quantize.py"), str(source),
                        str(self.tmp / "models" / "v6-int8rec")], check=True)
        return True

    # --- P7 -----------------------------------------------------------------

    def overload(self) -> None:
        """Open loop at 4x the measured c4 capacity for a bounded time."""
        env = {"OCR_MAX_QUEUE": str(self.args.queue)} if self.args.queue else {}
        server = peers.service("overload", self.tmp, **env)
        try:
            server.start()
            capacity_run = self._run(server, self.jobs, 4, [server])
            capacity = capacity_run.images_per_s
            rate = 4 * capacity
            seconds = 3.0 if self.quick else self.args.overload_seconds
            self.log(f"overload: {rate:.2f} req/s for {seconds:.0f} s")
            run = open_loop(server, self.jobs, rate, seconds, self.watch(server))
        finally:
            server.stop()
        rejected = [r.seconds for r in run.records if r.status == 503]
        accepted = [r.seconds for r in run.records if r.status == 200]
        other = [r.status for r in run.records if r.status not in (200, 503)]
        queue = self.args.queue or 64
        self.results["overload"] = {
            "max_queue": queue,
            "capacity_images_per_s": round(capacity, 3),
            "rate_per_s": round(rate, 3),
            "seconds": seconds,
            "sent": len(run.records),
            "accepted": len(accepted),
            "rejected_503": len(rejected),
            "other_errors": len(other),
            "other_statuses": sorted(set(other)),
            "rejected": percentiles(rejected),
            "accepted_latency": percentiles(accepted),
            "queue_bound_s": round(queue / capacity, 2),
            "cpu": run.cpu,
        }

    # --- driver ---------------------------------------------------------------

    def write(self) -> Path:
        """Save the results as JSON; return the path."""
        RESULTS.mkdir(parents=True, exist_ok=True)
        name = "suite-quick.json" if self.quick else time.strftime("suite-%Y%m%d-%H%M.json")
        out = Path(self.args.out) if self.args.out else RESULTS / name
        out.write_text(json.dumps(self.results, indent=2, ensure_ascii=False), encoding="utf-8")
        return out


def _pooled(runs: list[Run]) -> dict[str, Any]:
    ok = [r for run in runs for r in run.ok]
    seconds = sum(run.seconds for run in runs)
    return {
        "requests": sum(len(run.records) for run in runs),
        "ok": len(ok),
        "images_per_s": round(len(ok) / seconds, 3) if seconds else 0.0,
        **percentiles([r.seconds for r in ok]),
        "server_cpu_s_per_image": round(sum(run.server_cpu_s for run in runs) / len(ok), 3)
        if ok else None,
        "other_cores": [run.cpu["other_cores"] for run in runs],
    }


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def _rate(runs: list[dict[str, Any]]) -> float:
    return round(sum(r["images"] for r in runs) / sum(r["seconds"] for r in runs), 3)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, "
            f"Python {platform.python_version()}")


def main() -> None:
    """Run the chosen sections and write bench/results/suite-*.json."""
    parser = argparse.ArgumentParser(description=__doc__,
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
    parser.add_argument("--levers", default=",".join(DEFAULT_LEVERS))
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
        getattr(suite, section)()
        suite.results.setdefault("section_seconds", {})[section] = round(
            time.monotonic() - started, 1)
        suite.write()
        gc.collect()
    out = suite.write()
    shutil.rmtree(suite.tmp, ignore_errors=True)  # kept (with server logs) when a run fails
    print(json.dumps(_headline(suite.results), indent=2, ensure_ascii=False))
    print(f"results: {out}")


def _headline(results: dict[str, Any]) -> dict[str, Any]:
    """The ratios, without per-file detail."""
    keep: dict[str, Any] = {}
    for key, value in copy.deepcopy(results).items():
        if isinstance(value, dict):
            keep[key] = {k: v for k, v in value.items()
                         if not isinstance(v, dict) or k in ("quality", "c1", "c4")}
            for sub in keep[key].values():
                if isinstance(sub, dict):
                    sub.pop("per_file", None)
    return keep


if __name__ == "__main__":
    main()
