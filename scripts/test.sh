#!/usr/bin/env bash
# Set up (with --dev) and run every check: lint, types, the test suite, a bench smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
py=.venv/bin/python
mkdir -p logs
echo "== ruff";  $py -m ruff check app tests bench
echo "== mypy";  $py -m mypy app
echo "== pytest"; $py -m pytest "$@"
echo "== bench (quick smoke run: checks the benchmark works, asserts no speed)"
$py -m bench.run --quick > logs/bench-quick.json
echo "bench quick run ok: logs/bench-quick.json"
