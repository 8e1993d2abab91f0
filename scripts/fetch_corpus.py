#!/usr/bin/env python3
"""Fetch the test corpus from the pinned public sources its manifest names.

    python3 scripts/fetch_corpus.py               fetch (files already there and intact are kept)
    python3 scripts/fetch_corpus.py --if-missing  only when no corpus is found (OCR_TEST_CORPUS,
                                                  ../shared/corpus, cache/corpus); print its path

Into cache/corpus, or $OCR_TEST_CORPUS when set. Every file is downloaded from
GitHub at the commit the corpus's manifest names (../shared/corpus/manifest.json,
read in place, or --manifest) and kept only when its sha256 matches. Exit status:
0 the corpus is there; 1 a file was refused or is missing upstream; 3 the source
could not be reached (no network, or no manifest to name it). Standard
library only (runs before scripts/setup.sh). See tests/support/corpus.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import corpus

EXIT_REFUSED = 1
EXIT_UNREACHABLE = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--if-missing", action="store_true",
                        help="do nothing but print the corpus path when one is found")
    parser.add_argument("--dest", type=Path, default=corpus.fetch_destination(),
                        help="default: $OCR_TEST_CORPUS when set, else cache/corpus")
    parser.add_argument("--manifest", type=Path, default=corpus.MANIFEST,
                        help="default: ../shared/corpus/manifest.json, read in place")
    parser.add_argument("--base-url", default=corpus.RAW_BASE_URL,
                        help="raw-file server laid out as OWNER/REPO/COMMIT/PATH")
    parser.add_argument("--lfs-base-url", default=corpus.LFS_BASE_URL)
    args = parser.parse_args()
    if args.if_missing:
        found = corpus.locate()
        if found.found:
            print(found.path)
            return 0
    try:
        count = corpus.fetch(args.dest, args.manifest, args.base_url, args.lfs_base_url,
                             log=lambda line: print(line, file=sys.stderr))
    except corpus.Unreachable as exc:
        print(f"corpus not fetched, the source is unreachable: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except corpus.FetchError as exc:
        print(f"corpus not fetched: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"corpus complete: {count} files fetched into {args.dest}", file=sys.stderr)
    print(args.dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
