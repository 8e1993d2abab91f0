#!/usr/bin/env bash
# Download an official PaddleOCR model set (detection + recognition, Paddle
# format) into models/<SET>/, laid out as models/README.md describes, with a
# SHA256SUMS file the service verifies at start. Needs a reachable model hub
# (Hugging Face, AIStudio, ModelScope or Baidu BOS) and the service's venv
# (scripts/setup.sh); the service itself never downloads anything.
#
#   scripts/download_models.sh PP-OCRv5_server          (SET_det + SET_rec)
#   scripts/download_models.sh --list                   known sets
#   MODEL_SOURCE=bos scripts/download_models.sh PP-OCRv6_medium
#   DET_MODEL=PP-OCRv5_server_det REC_MODEL=en_PP-OCRv5_mobile_rec \
#     scripts/download_models.sh v5-server-en           (any pair, any folder name)
#
# Then run it:   OCR_BACKEND=paddle OCR_MODEL_SET=PP-OCRv5_server .venv/bin/python -m app
# or bake it:    docker build --build-arg MODEL_SET=PP-OCRv5_server ...
#
# Env: MODEL_SOURCE  hub tried first: huggingface (default), aistudio, modelscope, bos
#      MODELS_DIR    target folder (default: models/ of this repository)
#      PYTHON        interpreter with paddlex installed (default: .venv/bin/python)
#      FORCE=1       replace an existing models/<SET>/
#      PADDLE_PDX_CACHE_HOME  PaddleX cache to take models from before
#                    downloading (e.g. ~/.paddlex); default: a scratch folder
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
MODELS_DIR="${MODELS_DIR:-models}"

usage() { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; }
case "${1:-}" in
  "" | -h | --help) usage; exit 0 ;;
esac
[[ -x "$PYTHON" ]] || { echo "$PYTHON not found: run scripts/setup.sh first (or set PYTHON)" >&2; exit 1; }

# PaddleX's own model manager does the download (hub fallback, retries); it
# caches into a scratch folder, then the two model folders move into place.
scratch="$(mktemp -d "${TMPDIR:-/tmp}/ocr-models.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

PADDLE_PDX_CACHE_HOME="${PADDLE_PDX_CACHE_HOME:-$scratch/paddlex}" \
DET_MODEL="${DET_MODEL:-}" REC_MODEL="${REC_MODEL:-}" \
PADDLE_PDX_MODEL_SOURCE="${MODEL_SOURCE:-huggingface}" \
PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK=True \
"$PYTHON" - "$1" "$MODELS_DIR" "${FORCE:-0}" <<'PY'
import hashlib
import os
import shutil
import sys
from pathlib import Path

import yaml

arg, models_dir, force = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "1"

from paddlex.inference.utils.official_models import official_models  # noqa: E402

known = sorted(official_models.model_list)
sets = sorted(
    name[: -len("_det")]
    for name in known
    if name.startswith("PP-OCR") and name.endswith("_det") and name[:-4] + "_rec" in known
)
if arg == "--list":
    print("\n".join(sets))
    sys.exit(0)
det = os.environ.get("DET_MODEL") or f"{arg}_det"
rec = os.environ.get("REC_MODEL") or f"{arg}_rec"
for model in (det, rec):
    if model not in known:
        sys.exit(f"PaddleX knows no model {model!r} (sets: scripts/download_models.sh --list)")
if not (det.endswith("_det") and rec.endswith("_rec")):
    sys.exit(f"need a *_det and a *_rec model, not {det!r} + {rec!r}")

target = models_dir / arg
if target.exists():
    if not force:
        sys.exit(f"{target} exists (FORCE=1 replaces it)")
    shutil.rmtree(target)

staging = models_dir / f".{arg}.partial"
shutil.rmtree(staging, ignore_errors=True)
staging.mkdir(parents=True)
for model in (det, rec):
    print(f"downloading {model} ...", flush=True)
    src = Path(official_models[model])
    yml = yaml.safe_load((src / "inference.yml").read_text(encoding="utf-8")) or {}
    name = (yml.get("Global") or {}).get("model_name")
    if name != model:
        sys.exit(f"{src}/inference.yml names {name!r}, expected {model!r}")
    shutil.copytree(src, staging / model, ignore=shutil.ignore_patterns(".*", "*.lock"))

lines = []
for path in sorted(p for p in staging.rglob("*") if p.is_file()):
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    lines.append(f"{digest}  {path.relative_to(staging).as_posix()}")
(staging / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")
staging.rename(target)
print(f"{target}: {len(lines)} files, SHA256SUMS written")
print(f"run: OCR_BACKEND=paddle OCR_MODEL_SET={arg} python -m app")
PY
