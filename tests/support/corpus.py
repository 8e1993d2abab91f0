"""The test corpus: where it is, and fetching it on a clone that has none.

The corpus is a folder of real images and PDFs with a ``manifest.json``. It is
looked up, in order, at ``OCR_TEST_CORPUS``, at ``../shared/corpus`` (the
workspace next to the repository) and at ``cache/corpus`` (git-ignored), which
``scripts/fetch_corpus.py`` fills from the pinned public sources named in the
corpus's manifest, read in place (``../shared/corpus/manifest.json``, or one
given with ``--manifest``): each file's ``source`` is ``owner/repo:path@commit``,
downloaded from GitHub at that commit and kept only when its sha256 matches.
Neither the corpus files nor its manifest are committed.

Standard library only: the fetch runs before any virtual environment exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FETCHED = ROOT / "cache" / "corpus"
SHARED = ROOT.parent / "shared" / "corpus"
MANIFEST = SHARED / "manifest.json"
"""The manifest a fetch reads by default: the shared corpus's own, in place."""
RAW_BASE_URL = "https://raw.githubusercontent.com"
LFS_BASE_URL = "https://media.githubusercontent.com/media"
_LFS_POINTER = b"version https://git-lfs.github.com/spec/"


@dataclass(frozen=True)
class Lookup:
    """Where the corpus is (``found``), or where it would be and why it is not."""

    path: Path
    found: bool
    origin: str  # "OCR_TEST_CORPUS", "../shared/corpus" or "cache/corpus"
    missing_reason: str | None = None


def locate() -> Lookup:
    """The corpus: ``OCR_TEST_CORPUS`` (when set, it alone counts), then
    ``../shared/corpus``, then ``cache/corpus`` (complete once its manifest is there)."""
    explicit = os.environ.get("OCR_TEST_CORPUS")
    if explicit:
        path = Path(explicit)
        if (path / "manifest.json").is_file():
            return Lookup(path, True, "OCR_TEST_CORPUS")
        reason = f"OCR_TEST_CORPUS={explicit} has no manifest.json"
        return Lookup(path, False, "OCR_TEST_CORPUS", reason)
    for path, origin in ((SHARED, "../shared/corpus"), (FETCHED, "cache/corpus")):
        if (path / "manifest.json").is_file():
            return Lookup(path, True, origin)
    reason = (
        f"no test corpus (not in OCR_TEST_CORPUS, {SHARED} or {FETCHED}); "
        "python3 scripts/fetch_corpus.py fetches it from GitHub"
    )
    return Lookup(FETCHED, False, "cache/corpus", reason)


def fetch_destination() -> Path:
    """Where a fetch writes: ``OCR_TEST_CORPUS`` when set, else ``cache/corpus``."""
    explicit = os.environ.get("OCR_TEST_CORPUS")
    return Path(explicit) if explicit else FETCHED


def load_manifest(path: Path = MANIFEST) -> list[dict[str, Any]]:
    """The entries of a manifest file."""
    entries: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return entries


class FetchError(Exception):
    """A file could not be fetched or did not match its sha256 (nothing is kept)."""


class Unreachable(FetchError):
    """The source host could not be reached at all (no network, a firewall)."""


def source_url(source: str, base_url: str = RAW_BASE_URL) -> str:
    """``owner/repo:path@commit`` -> ``{base_url}/owner/repo/commit/path``."""
    repo, sep, rest = source.partition(":")
    path, at, commit = rest.rpartition("@")
    if not (sep and at and repo.count("/") == 1 and path and len(commit) == 40):
        raise FetchError(f"source {source!r} is not owner/repo:path@<40-hex commit>")
    return f"{base_url.rstrip('/')}/{repo}/{commit}/{urllib.parse.quote(path)}"


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(
    dest: Path,
    manifest: Path = MANIFEST,
    base_url: str = RAW_BASE_URL,
    lfs_base_url: str = LFS_BASE_URL,
    timeout_s: float = 60.0,
    log: Any = print,
) -> int:
    """Download every manifest file into ``dest``; return how many were downloaded.

    Files already there with the right sha256 are kept. A file whose bytes do not
    match is refused (deleted, FetchError). ``manifest.json`` is written last, so
    a corpus folder that has one is complete. Without a manifest there is no
    source to fetch from: ``Unreachable``, like a source out of reach.
    """
    if not manifest.is_file():
        raise Unreachable(f"no manifest at {manifest} names the corpus's sources")
    entries = load_manifest(manifest)
    dest.mkdir(parents=True, exist_ok=True)
    downloaded = 0
    for entry in entries:
        target = dest / entry["file"]
        if target.is_file() and sha256_of(target) == entry["sha256"]:
            continue
        if "source" not in entry:
            raise FetchError(f"{entry['file']}: the manifest names no source")
        url = source_url(entry["source"], base_url)
        data = _download(url, timeout_s)
        if data.startswith(_LFS_POINTER):  # stored with Git LFS: the content is elsewhere
            data = _download(source_url(entry["source"], lfs_base_url), timeout_s)
        digest = hashlib.sha256(data).hexdigest()
        if digest != entry["sha256"]:
            target.unlink(missing_ok=True)
            raise FetchError(
                f"{entry['file']}: sha256 {digest} from {url}, the manifest says "
                f"{entry['sha256']}: refused"
            )
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        partial.replace(target)
        downloaded += 1
        log(f"fetched {entry['file']} ({len(data)} bytes)")
    partial = dest / "manifest.json.part"
    partial.write_bytes(manifest.read_bytes())
    partial.replace(dest / "manifest.json")
    return downloaded


def _download(url: str, timeout_s: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "ocr-service-corpus-fetch"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            data: bytes = response.read()
            return data
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, FileNotFoundError):  # a file:// source without that file
            raise FetchError(f"{url}: not found") from exc
        raise Unreachable(f"{url}: {reason}") from exc
