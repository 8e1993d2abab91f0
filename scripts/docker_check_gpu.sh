# The GPU image on a machine without a GPU. Sourced by scripts/docker_check.sh,
# whose helpers (build, check_image, start, wait_healthy, in_netns, ocr,
# system_info, non_root, result, fail) and variables it uses.
#
# Built from PyPI alone (PADDLE_GPU=0: Paddle's index is out of reach here). What
# only a GPU can show (speed, GPU memory, the same answers on the GPU) is
# scripts/gpu_check.sh's part.
# shellcheck shell=bash

t_gpu=$SECONDS
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  say "build $GPU_IMAGE (VARIANT=gpu, PADDLE_GPU=$PADDLE_GPU, BASE_IMAGE=$BASE_IMAGE)"
  result "gpu build: $(build "$GPU_IMAGE" "$WORK/build-gpu.log" VARIANT=gpu "PADDLE_GPU=$PADDLE_GPU") s"
fi
check_image "$GPU_IMAGE"
gpu_mb=$(docker image inspect -f '{{.Size}}' "$GPU_IMAGE" | awk '{printf "%d", $1 / 1e6}')
cpu_mb=$(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d", $1 / 1e6}')
result "gpu image: $((gpu_mb - cpu_mb)) MB more than the CPU image (CUDA, cuDNN, onnxruntime-gpu)"

say "gpu image: CUDA libraries, without a GPU (python -m app.engine.cuda_libs)"
if ! out="$(docker run --rm --network none "$GPU_IMAGE" python -m app.engine.cuda_libs 2>&1)"; then
  echo "$out" >&2
  fail "$GPU_IMAGE: CUDA libraries missing, unresolved or installed twice"
fi
while IFS= read -r line; do result "${line#cuda_libs: }"; done <<<"$out"

say "gpu image: no build tools in the final image"
tools="$(docker run --rm --network none "$GPU_IMAGE" sh -c \
  'for t in gcc cc c++ g++ make ld as nvcc; do command -v "$t"; done' || true)"
[[ -z "$tools" ]] || fail "$GPU_IMAGE carries build tools: $tools"
result "no compiler, assembler, linker, make or nvcc"

say "gpu run 1: no GPU visible, OCR_DEVICE=auto (the image's default), read-only"
name="ocr-check-$$-gpu-auto"
start "$name" "$GPU_IMAGE" "${READ_ONLY[@]}"
healthy_gpu="$(wait_healthy "$name")"
result "gpu image without a GPU: healthy after ${healthy_gpu} s (container HEALTHCHECK)"
warning="$(docker logs "$name" 2>&1 | grep -F 'OCR_DEVICE=auto: no usable GPU, running on the CPU' || true)"
[[ -n "$warning" ]] || { docker logs "$name" 2>&1 | tail -30 >&2; fail "no CPU fallback warning in the log"; }
grep -qF 'no NVIDIA driver in this container' <<<"$warning" || fail "the warning names no cause: $warning"
result "log: ${warning#*WARNING}"
info="$(system_info "$name" 'no NVIDIA driver in this container')" || fail "/system/info"
result "$info"
ocr "$name" cnocr_helloworld.jpg 'Hello world!你好世界'
ocr "$name" rapidocrpdf_image.pdf 'Kurbas' mode=ocr pages=1
non_root "$name"
if docker exec "$name" touch /app/probe 2>/dev/null; then fail "root filesystem is writable"; fi
result "read-only: root filesystem refuses writes"
docker rm -f "$name" >/dev/null

say "gpu run 2: OCR_DEVICE=gpu and no GPU: a start-up error naming the cause"
name="ocr-check-$$-gpu-required"
start "$name" "$GPU_IMAGE" "${READ_ONLY[@]}" -e OCR_DEVICE=gpu
t0=$SECONDS
while :; do
  state="$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Health.Status}}' "$name")"
  [[ "$state" == running\ *\ healthy ]] && fail "$name: healthy although OCR_DEVICE=gpu has no GPU"
  [[ "$state" == exited\ * ]] && { outcome="exited with status ${state#exited }"; outcome="${outcome% *}"; break; }
  if in_netns "$name" curl -s --max-time 5 http://127.0.0.1:8000/health/live 2>/dev/null \
      | grep -q '"failed"'; then
    outcome="running, engine failed (/health/live)"; break
  fi
  ((SECONDS - t0 > HEALTH_TIMEOUT_S)) && fail "$name: neither failed nor exited after $HEALTH_TIMEOUT_S s"
  sleep 1
done
[[ "$outcome" != "exited with status 0" ]] || fail "$name exited with status 0"
cause="$(docker logs "$name" 2>&1 | grep -F 'OCR_DEVICE=gpu cannot be used: no NVIDIA driver in this container' | head -1 || true)"
[[ -n "$cause" ]] || { docker logs "$name" 2>&1 | tail -30 >&2; fail "$name: the log names no cause"; }
result "OCR_DEVICE=gpu: $outcome; log: ${cause#* ERROR }"
docker rm -f "$name" >/dev/null

result "gpu part of this check: $((SECONDS - t_gpu)) s"
