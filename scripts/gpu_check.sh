#!/usr/bin/env bash
# GPU check, on a host with an NVIDIA GPU, Docker and the NVIDIA Container Toolkit:
# one command, under 10 minutes. Builds the GPU image when it is missing (or
# pulls it), starts it on the GPU, and reports s/img at recognizer batch 1, 4 and
# 16, the GPU memory one engine takes, and whether the answers on the corpus are
# the CPU image's (bench/speed/gpu_image.py); writes bench/results/gpu-image-*.json.
#
#   scripts/gpu_check.sh                          # ocr-service:gpu on GPU 0
#   GPU=1 scripts/gpu_check.sh                    # another GPU
#   IMAGE=registry.example/ocr-service:gpu PULL=1 scripts/gpu_check.sh
#   BUILD=1 PADDLE_GPU=0 scripts/gpu_check.sh     # (re)build it from PyPI alone
#   scripts/gpu_check.sh --batches 1,8,32 --rounds 5
#   scripts/gpu_check.sh --no-docker              # in this venv instead (bench/speed/gpu.py)
#   ALLOW_CPU=1 scripts/gpu_check.sh --quick      # no GPU: tests this script itself
#
# Env: IMAGE (default ocr-service:gpu), CPU_IMAGE (default ocr-service:cpu, used when
# present; else the GPU image with OCR_DEVICE=cpu gives the CPU answers, and the
# report says so), GPU, PULL=1, BUILD=1, PADDLE_GPU (build: 1, Paddle's GPU wheel),
# BASE_IMAGE (build: default debian:bookworm-slim), CORPUS via OCR_TEST_CORPUS.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE="${IMAGE:-ocr-service:gpu}"
CPU_IMAGE="${CPU_IMAGE:-ocr-service:cpu}"
GPU="${GPU:-0}"
t0=$SECONDS
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# Python with httpx for the load: the project's venv, else a small one of our own.
py="${PYTHON:-.venv/bin/python}"
if ! "$py" -c 'import httpx' 2>/dev/null; then
  py=cache/gpu-check/venv/bin/python
  if ! "$py" -c 'import httpx' 2>/dev/null; then
    python3 -m venv cache/gpu-check/venv
    cache/gpu-check/venv/bin/pip install -q --disable-pip-version-check \
      "$(grep '^httpx==' requirements-dev.txt)"
  fi
fi

if [[ "${ALLOW_CPU:-0}" != 1 ]]; then
  nvidia-smi --query-gpu=index,name,memory.total,memory.used,driver_version --format=csv,noheader \
    || fail "nvidia-smi failed: no NVIDIA GPU or driver here (ALLOW_CPU=1 tests the script without one)"
fi

if [[ "${1:-}" == --no-docker ]]; then
  shift
  "$py" - <<'PY'
import importlib.util
if importlib.util.find_spec("onnxruntime"):
    import onnxruntime as ort
    print("onnxruntime", ort.__version__, "providers:", ort.get_available_providers())
if importlib.util.find_spec("paddle"):
    import paddle
    print("paddle", paddle.__version__, "cuda:", paddle.device.is_compiled_with_cuda())
PY
  exec "$py" -m bench.speed.gpu "$@"
fi

docker info >/dev/null 2>&1 || fail "docker is not running"
docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0
if [[ "${PULL:-0}" == 1 ]]; then
  docker pull "$IMAGE"
elif [[ "${BUILD:-0}" == 1 ]] || ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "== build $IMAGE (PADDLE_GPU=${PADDLE_GPU:-1})"
  t=$SECONDS
  docker build --build-arg VARIANT=gpu --build-arg "PADDLE_GPU=${PADDLE_GPU:-1}" \
    --build-arg "BASE_IMAGE=${BASE_IMAGE:-debian:bookworm-slim}" -t "$IMAGE" .
  echo "   built in $((SECONDS - t)) s"
fi
echo "== $IMAGE: $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1 / 1e6}')"
docker run --rm --network none "$IMAGE" python -m app.engine.cuda_libs

args=(--image "$IMAGE")
if docker image inspect "$CPU_IMAGE" >/dev/null 2>&1; then args+=(--cpu-image "$CPU_IMAGE"); fi
if [[ "${ALLOW_CPU:-0}" == 1 ]]; then args+=(--allow-cpu); else args+=(--gpu "$GPU"); fi
"$py" -m bench.speed.gpu "${args[@]}" "$@"
echo "gpu check done in $((SECONDS - t0)) s"
