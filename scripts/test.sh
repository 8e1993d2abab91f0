#!/usr/bin/env bash
# Set up (with --dev) and run every check: lint, types, the test suite, a bench smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
# Headless Chromium for tests/api/test_docs_browser.py (/docs rendered offline, screenshot in logs/).
if ! command -v chromium >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# Fonts the layout evaluation set is drawn with (tests/support/layout_compose.py) and the text-layer
# tests embed in the PDFs they build (tests/documents/test_pdf_text_trust.py): DejaVu, Droid (CJK).
fonts=(/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf)
if ! ls "${fonts[@]}" >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      fonts-dejavu-core fonts-droid-fallback >/dev/null
  else
    echo "missing fonts for bench.quality.layout_eval: apt-get install fonts-dejavu-core fonts-droid-fallback" >&2
    exit 1
  fi
fi
# qpdf --check and pdftotext (poppler-utils) check the searchable PDFs in tests/e2e/test_formats.py;
# redis-server runs the Redis-mode job tests (tests/e2e/test_jobs_live.py starts it on loopback).
missing=()
command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [[ ${#missing[@]} -gt 0 && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
py=.venv/bin/python
mkdir -p logs
# The corpus the tests read: OCR_TEST_CORPUS, ../shared/corpus, or cache/corpus fetched
# from its pinned sources (sha256-checked). When GitHub is out of reach, the tests that
# read it are skipped (pytest says why) and so are the bench runs that need it; a refused
# file stops here.
echo "== corpus"
corpus=1
$py scripts/fetch_corpus.py --if-missing || { rc=$?; ((rc == 3)) || exit "$rc"; corpus=0; }
echo "== ruff";  $py -m ruff check app tests bench
echo "== mypy";  $py -m mypy app
echo "== pytest"; $py -m pytest "$@"
echo "== bench (quick smoke runs: check the benchmarks work, assert no speed)"
$py -m bench.quality.layout_eval --quick > logs/bench-layout-quick.log 2>&1 || { tail -40 logs/bench-layout-quick.log; exit 1; }
if ((!corpus)); then
  echo "bench.quality.layout_eval quick run ok; bench.speed.suite and bench.formats.pdf_bench skipped: no corpus"
  exit 0
fi
$py -m bench.speed.suite --quick > logs/bench-suite-quick.log 2>&1 || { tail -40 logs/bench-suite-quick.log; exit 1; }
$py -m bench.formats.pdf_bench --quick > logs/bench-pdf-quick.json 2>/dev/null
$py -m bench.jobs.jobs_bench --quick > logs/bench-jobs-quick.json 2>/dev/null
echo "bench quick runs ok: logs/bench-suite-quick.log, logs/bench-pdf-quick.json, logs/bench-layout-quick.log, logs/bench-jobs-quick.json"
