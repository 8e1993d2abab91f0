"""One suite run: its files and truths, temp folder, servers, progress log and results."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.peers import servers as peers
from bench.peers.servers import Server
from bench.quality.answers import Truth, corpus_truths
from bench.speed.load import Run, closed_loop
from bench.speed.pages import generate
from tests.support.server import ROOT, corpus_images

RESULTS = ROOT / "bench" / "results"


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

    def run(self, server: Server, jobs: list[tuple[str, bytes]], concurrency: int,
            others: list[Server]) -> Run:
        """One closed-loop pass of ``jobs`` at ``concurrency``, logged, with the RSS after it."""
        run = closed_loop(server, jobs, concurrency, self.watch(*others))
        server.note_rss()
        self.log(f"{server.name} c{concurrency}: {len(run.ok)}/{len(run.records)} ok, "
                 f"{run.images_per_s:.3f} img/s, other CPU {run.cpu['other_cores']} cores, "
                 f"RSS {server.rss_trace[-1][1]:.0f} MiB after {server.requests_done}")
        return run

    def write(self) -> Path:
        """Save the results as JSON; return the path."""
        RESULTS.mkdir(parents=True, exist_ok=True)
        name = "suite-quick.json" if self.quick else time.strftime("suite-%Y%m%d-%H%M.json")
        out = Path(self.args.out) if self.args.out else RESULTS / name
        out.write_text(json.dumps(self.results, indent=2, ensure_ascii=False), encoding="utf-8")
        return out


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
