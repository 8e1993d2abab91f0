#!/usr/bin/env bash
# Build the venvs of the benchmark's peers (gitignored, each from its own requirements):
#   bench/.venv-baseline  seed-style baseline (PaddleOCR 2.10 on PaddlePaddle 3.0, CPU)
#   bench/.venv-paddlex   PaddleX basic serving (paddlex --serve) + ONNX Runtime
#   bench/.venv-quant     onnx + onnxruntime, only for the int8 prototype (bench/speed/quantize.py)
#   bench/.venv-ocrmypdf  OCRmyPDF 17 + ocrmypdf-rapidocr (bench/formats/formats_bench.py; needs the
#                         tesseract-ocr Debian package present, which OCRmyPDF checks for)
# Usage: bench/peers/setup_peers.sh [baseline] [paddlex] [quant] [ocrmypdf]  (default: baseline paddlex)
set -euo pipefail
cd "$(dirname "$0")/../.."
python="${PYTHON311:-$(command -v python3.11 || command -v python3)}"
want=("$@")
[ ${#want[@]} -gt 0 ] || want=(baseline paddlex)
for name in "${want[@]}"; do
    venv="bench/.venv-$name"
    case "$name" in
        baseline) req=bench/peers/baseline/requirements.txt ;;
        paddlex)  req=bench/peers/paddlex/requirements.txt ;;
        quant)    req=bench/speed/quant-requirements.txt ;;
        ocrmypdf) req=bench/peers/ocrmypdf/requirements.txt ;;
        *) echo "unknown peer $name" >&2; exit 2 ;;
    esac
    if [ ! -x "$venv/bin/python" ]; then
        "$python" -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet -r "$req"
    echo "$venv ready"
done
