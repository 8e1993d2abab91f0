#!/usr/bin/env bash
# GPU check: the in-process engine and the service at batch 1/4/16, images/s.
#
# Run on a machine with an NVIDIA GPU, inside the GPU image or a venv with the GPU
# packages (onnxruntime-gpu for the default ONNX set, or paddlepaddle-gpu with
# OCR_BACKEND=paddle OCR_MODEL_SET=paddle-v4-embedded):
#
#   scripts/gpu_check.sh                       # engine + service, workers 1 and 2
#   OCR_BACKEND=paddle OCR_MODEL_SET=paddle-v4-embedded scripts/gpu_check.sh
#   scripts/gpu_check.sh --batches 1,4,16,32 --workers 1,2,4
#   OCR_REC_BATCH_SIZE=32 scripts/gpu_check.sh  # text lines per recognizer call (GPU default 6)
#   scripts/gpu_check.sh --allow-cpu --quick   # no GPU: checks the script itself
#
# Prints images/s per batch size (and p50/p99 latency, batch sizes really formed,
# the device /system/info reports) and writes bench/results/gpu-*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
py="${PYTHON:-.venv/bin/python}"
[ -x "$py" ] || py=python3
if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=index,name,memory.total,driver_version --format=csv,noheader
else
    echo "nvidia-smi not found"
fi
"$py" - <<'PY'
import importlib.util
for name in ("onnxruntime", "paddle"):
    if importlib.util.find_spec(name) is None:
        continue
    if name == "onnxruntime":
        import onnxruntime as ort
        print("onnxruntime", ort.__version__, "providers:", ort.get_available_providers())
    else:
        import paddle
        print("paddle", paddle.__version__, "cuda:", paddle.device.is_compiled_with_cuda())
PY
exec "$py" -m bench.gpu "$@"
