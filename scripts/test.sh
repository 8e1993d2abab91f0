#!/usr/bin/env bash
# Set up (with --dev) and run every check: lint, types, the test suite, a bench smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
# Headless Chromium for tests/test_docs_browser.py (/docs rendered offline, screenshot in logs/).
if ! command -v chromium >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
py=.venv/bin/python
mkdir -p logs
echo "== ruff";  $py -m ruff check app tests bench
echo "== mypy";  $py -m mypy app
echo "== pytest"; $py -m pytest "$@"
echo "== bench (quick smoke run: checks the benchmark works, asserts no speed)"
$py -m bench.run --quick > logs/bench-quick.json
echo "bench quick run ok: logs/bench-quick.json"
