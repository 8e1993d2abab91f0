"""The corpus on a clone without ../shared: the manifest read in place, the fetch, the lookup.

GitHub is out of reach here, so the fetch is pointed at a local raw-file server
laid out as GitHub's (OWNER/REPO/COMMIT/PATH) and filled from the corpus itself.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS, ROOT, manifest, needs_corpus
from tests.support import corpus
from tests.support.server import free_port

SCRIPT = [sys.executable, str(ROOT / "scripts" / "fetch_corpus.py")]
ENTRIES = manifest()  # the corpus's own manifest, read in place (empty without a corpus)
# Two files keep the mirror small; the whole manifest is checked by other tests.
SOME = ["cnocr_helloworld.jpg", "pypdf_crazyones.pdf"]


def raw_path(entry: dict[str, Any]) -> str:
    repo, _, rest = entry["source"].partition(":")
    path, _, commit = rest.rpartition("@")
    return f"{repo}/{commit}/{path}"


class Mirror:
    """A raw-file server on 127.0.0.1 serving ``root``; counts the files it sent."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[str] = []
        mirror = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                mirror.requests.append(self.path)

        handler = functools.partial(Handler, directory=str(root))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def put(self, entry: dict[str, Any], data: bytes, prefix: str = "raw") -> None:
        target = self.root / prefix / raw_path(entry)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[Mirror]:
    server = Mirror(tmp_path / "mirror")
    yield server
    server.close()


@pytest.fixture
def small_manifest(tmp_path: Path) -> Path:
    path = tmp_path / "manifest.json"
    entries = [e for e in ENTRIES if e["file"] in SOME]
    path.write_text(json.dumps(entries), encoding="utf-8")
    return path


def run_fetch(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "OCR_TEST_CORPUS"}
    return subprocess.run([*SCRIPT, *args], capture_output=True, text=True, timeout=120, env=env)


def entry(name: str) -> dict[str, Any]:
    return next(e for e in ENTRIES if e["file"] == name)


@needs_corpus
def test_every_manifest_entry_names_a_pinned_source() -> None:
    assert len(ENTRIES) >= 20
    for item in ENTRIES:
        assert re.fullmatch(r"[0-9a-f]{64}", item["sha256"]), item["file"]
        url = corpus.source_url(item["source"])
        assert re.fullmatch(r"https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{40}/.+", url)


def test_a_fetch_without_a_manifest_is_unreachable(tmp_path: Path) -> None:
    # A clone outside the workspace has no manifest to name sources: exit 3, like no network.
    done = run_fetch("--dest", str(tmp_path / "corpus"), "--manifest", str(tmp_path / "none.json"))
    assert done.returncode == 3, done.stderr
    assert "no manifest at" in done.stderr
    assert not (tmp_path / "corpus" / "manifest.json").exists()


def test_source_url_refuses_an_unpinned_source() -> None:
    with pytest.raises(corpus.FetchError, match="40-hex commit"):
        corpus.source_url("owner/repo:file.png@main")


@needs_corpus
def test_the_corpus_files_match_their_manifest() -> None:
    for item in ENTRIES:
        assert hashlib.sha256((CORPUS / item["file"]).read_bytes()).hexdigest() == item["sha256"]


@needs_corpus
def test_fetch_checks_and_keeps_every_file(
    tmp_path: Path, mirror: Mirror, small_manifest: Path
) -> None:
    for name in SOME:
        mirror.put(entry(name), (CORPUS / name).read_bytes())
    dest = tmp_path / "corpus"
    done = run_fetch("--dest", str(dest), "--manifest", str(small_manifest),
                     "--base-url", mirror.url + "/raw")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(dest)
    for name in SOME:
        assert (dest / name).read_bytes() == (CORPUS / name).read_bytes()
    assert (dest / "manifest.json").read_bytes() == small_manifest.read_bytes()
    assert len(mirror.requests) == len(SOME)
    again = run_fetch("--dest", str(dest), "--manifest", str(small_manifest),
                      "--base-url", mirror.url + "/raw")
    assert again.returncode == 0, again.stderr
    assert len(mirror.requests) == len(SOME), "intact files are not fetched again"


@needs_corpus
def test_fetch_refuses_a_file_whose_sha256_differs(
    tmp_path: Path, mirror: Mirror, small_manifest: Path
) -> None:
    good, bad = SOME
    mirror.put(entry(good), (CORPUS / good).read_bytes())
    tampered = bytearray((CORPUS / bad).read_bytes())
    tampered[len(tampered) // 2] ^= 0xFF
    mirror.put(entry(bad), bytes(tampered))
    dest = tmp_path / "corpus"
    done = run_fetch("--dest", str(dest), "--manifest", str(small_manifest),
                     "--base-url", mirror.url + "/raw")
    assert done.returncode == 1
    assert f"corpus not fetched: {bad}: sha256 " in done.stderr
    assert done.stderr.rstrip().endswith(f"the manifest says {entry(bad)['sha256']}: refused")
    assert not (dest / bad).exists()
    assert not (dest / "manifest.json").exists(), "an incomplete corpus has no manifest"


@needs_corpus
def test_fetch_follows_git_lfs_pointers(tmp_path: Path, mirror: Mirror, small_manifest: Path) -> None:
    for name in SOME:
        data = (CORPUS / name).read_bytes()
        pointer = (f"version https://git-lfs.github.com/spec/v1\noid sha256:"
                   f"{hashlib.sha256(data).hexdigest()}\nsize {len(data)}\n")
        mirror.put(entry(name), pointer.encode())
        mirror.put(entry(name), data, prefix="media")
    dest = tmp_path / "corpus"
    done = run_fetch("--dest", str(dest), "--manifest", str(small_manifest),
                     "--base-url", mirror.url + "/raw", "--lfs-base-url", mirror.url + "/media")
    assert done.returncode == 0, done.stderr
    assert all((dest / n).read_bytes() == (CORPUS / n).read_bytes() for n in SOME)


def test_fetch_says_when_the_source_is_unreachable(tmp_path: Path) -> None:
    done = run_fetch("--dest", str(tmp_path / "corpus"),
                     "--base-url", f"http://127.0.0.1:{free_port()}")
    assert done.returncode == 3
    assert done.stderr.startswith("corpus not fetched, the source is unreachable: http://127.0.0.1:")
    assert not (tmp_path / "corpus" / "manifest.json").exists()


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared, fetched = tmp_path / "shared", tmp_path / "fetched"
    monkeypatch.setattr(corpus, "SHARED", shared)
    monkeypatch.setattr(corpus, "FETCHED", fetched)
    monkeypatch.delenv("OCR_TEST_CORPUS", raising=False)
    missing = corpus.locate()
    assert not missing.found and missing.path == fetched
    assert "scripts/fetch_corpus.py" in str(missing.missing_reason)
    fetched.mkdir()
    (fetched / "manifest.json").write_text("[]")
    assert corpus.locate() == corpus.Lookup(fetched, True, "cache/corpus")
    shared.mkdir()
    (shared / "manifest.json").write_text("[]")
    assert corpus.locate() == corpus.Lookup(shared, True, "../shared/corpus")
    monkeypatch.setenv("OCR_TEST_CORPUS", str(tmp_path / "elsewhere"))
    explicit = corpus.locate()
    assert not explicit.found, "OCR_TEST_CORPUS, when set, is the only place looked at"
    assert explicit.missing_reason == f"OCR_TEST_CORPUS={tmp_path / 'elsewhere'} has no manifest.json"
    assert corpus.fetch_destination() == tmp_path / "elsewhere"


def test_a_clone_without_corpus_collects_and_skips(tmp_path: Path) -> None:
    """The repository's files alone (no ../shared, no cache/corpus): collection works and
    the tests that read the corpus are skipped with one reason."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("needs a git checkout")
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    clone = tmp_path / "clone" / "ocr-service"
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    env = {k: v for k, v in os.environ.items() if k != "OCR_TEST_CORPUS"}
    collect = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q"], cwd=clone,
                             env=env, capture_output=True, text=True, timeout=300)
    assert collect.returncode == 0, collect.stdout[-3000:] + collect.stderr[-3000:]
    assert re.search(r"^\d{3,} tests collected", collect.stdout, re.MULTILINE), collect.stdout[-500:]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                          "tests/documents/test_pdf.py"],
                         cwd=clone, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    assert re.search(r"^\d+ skipped in ", run.stdout, re.MULTILINE), run.stdout[-3000:]
    assert "no test corpus (not in OCR_TEST_CORPUS" in run.stdout, run.stdout[-3000:]
