#!/usr/bin/env bash
# Build the service images and prove they work, on a machine with Docker (or where
# apt can install it), no image registry and no GPU:
#   lint the Dockerfile (hadolint); build VARIANT=cpu on a local Debian base
#   (scripts/make_base_image.sh, reused once built); run it with no network but
#   its own loopback, wait for its own HEALTHCHECK, OCR a corpus image and a
#   scanned PDF, check /system/info and the non-root user; run it again with a
#   read-only root filesystem, and once on the Paddle backend; validate the
#   compose files and the Kubernetes manifests offline.
#   Then the GPU image, from PyPI alone (PADDLE_GPU=0): every CUDA library ONNX
#   Runtime's CUDA provider loads resolves, once (python -m app.engine.cuda_libs);
#   no compiler in it; started with no GPU visible it falls back to the CPU and
#   says why (log, /system/info), reads the same files, runs non-root and
#   read-only; OCR_DEVICE=gpu refuses to start, naming the cause.
#   Removes the containers it started; keeps the images, so the next run reuses
#   the base image and the build cache.
#
#   scripts/docker_check.sh
#
# Env: IMAGE, GPU_IMAGE (tags to build), SKIP_GPU=1 (CPU image only), PADDLE_GPU=1
#      (the GPU image with Paddle's GPU wheel: needs Paddle's package index),
#      BASE_IMAGE (default: the local debootstrap image), OCR_TEST_CORPUS (default
#      ../shared/corpus), HEALTH_TIMEOUT_S (default 300), SKIP_BUILD=1 (test the
#      images as they are). With a GPU: scripts/gpu_check.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

IMAGE="${IMAGE:-ocr-service:cpu-check}"
GPU_IMAGE="${GPU_IMAGE:-ocr-service:gpu-check}"
PADDLE_GPU="${PADDLE_GPU:-0}"
LOCAL_BASE="ocr-local/bookworm-minbase:latest"
BASE_IMAGE="${BASE_IMAGE:-$LOCAL_BASE}"
# The test corpus where the tests find it (OCR_TEST_CORPUS, ../shared/corpus, cache/corpus),
# fetched from its pinned sources when none is found.
CORPUS="$(python3 scripts/fetch_corpus.py --if-missing)" || { echo "FAIL: no test corpus (see README, Tests)" >&2; exit 1; }
HEALTH_TIMEOUT_S="${HEALTH_TIMEOUT_S:-300}"
TOOLS="$ROOT/cache/docker-check"
LABEL="ocr-docker-check"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ocr-docker-check.XXXXXX")"
STARTED_DOCKERD=""
CONTAINERS=()
RESULTS=()
T0=$SECONDS

say() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
result() { RESULTS+=("$*"); printf '   %s\n' "$*"; }

cleanup() {
  local rc=$?
  set +e
  for c in "${CONTAINERS[@]}"; do docker rm -f "$c" >/dev/null 2>&1; done
  if [[ -n "$STARTED_DOCKERD" ]]; then
    kill "$STARTED_DOCKERD" 2>/dev/null
    for _ in $(seq 30); do kill -0 "$STARTED_DOCKERD" 2>/dev/null || break; sleep 1; done
  fi
  rm -rf "$WORK"
  if ((rc == 0)); then
    echo "docker check passed in $((SECONDS - T0)) s"
  else
    echo "docker check FAILED (exit $rc) after $((SECONDS - T0)) s" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- prerequisites -------------------------------------------------------------
apt_install() {
  if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
    fail "missing $* and cannot apt-get install it (not root or not Debian)"
  fi
  if [[ -z "${APT_UPDATED:-}" ]]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

say "prerequisites"
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
command -v curl >/dev/null || need+=(curl)
command -v nsenter >/dev/null || need+=(util-linux)
if [[ "$BASE_IMAGE" == "$LOCAL_BASE" ]] && ! command -v debootstrap >/dev/null; then need+=(debootstrap); fi
((${#need[@]} == 0)) || { echo "   installing ${need[*]}"; apt_install "${need[@]}"; }

if ! docker info >/dev/null 2>&1; then
  echo "   starting dockerd (log: $WORK/dockerd.log)"
  # No default bridge: builds use the host network, test runs use none.
  dockerd --bridge=none >"$WORK/dockerd.log" 2>&1 &
  STARTED_DOCKERD=$!
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -20 "$WORK/dockerd.log" >&2; fail "dockerd did not start"; }
fi
# Without the buildx plugin, use the classic builder explicitly (same Dockerfile).
docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0
if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi

# Lint and manifest tools in their own venv (pinned in deploy/requirements-check.txt).
if [[ ! -x "$TOOLS/venv/bin/python" ]]; then python3 -m venv "$TOOLS/venv"; fi
if ! cmp -s deploy/requirements-check.txt "$TOOLS/requirements-check.txt"; then
  "$TOOLS/venv/bin/pip" install -q --disable-pip-version-check -r deploy/requirements-check.txt \
    >"$WORK/pip.log" 2>&1 || { cat "$WORK/pip.log" >&2; fail "installing deploy/requirements-check.txt"; }
  cp deploy/requirements-check.txt "$TOOLS/requirements-check.txt"
fi
BIN="$TOOLS/venv/bin"
[[ -f "$CORPUS/manifest.json" ]] || fail "corpus not found at $CORPUS (set OCR_TEST_CORPUS)"

# Leftovers of an interrupted earlier run.
mapfile -t stale < <(docker ps -aq --filter "label=$LABEL")
((${#stale[@]} == 0)) || docker rm -f "${stale[@]}" >/dev/null

# --- static checks ---------------------------------------------------------------
say "hadolint Dockerfile (one file for both variants)"
"$BIN/hadolint" Dockerfile
result "hadolint: no findings"

say "compose files (${COMPOSE[*]})"
"${COMPOSE[@]}" -f docker-compose.yml config -q
"${COMPOSE[@]}" -f docker-compose.yml --profile cpu config -q
"${COMPOSE[@]}" -f deploy/multi-gpu/docker-compose.yml config -q
result "compose: docker-compose.yml (gpu + cpu profile), deploy/multi-gpu valid"

say "kubernetes manifests (kustomize render + schema validation, offline)"
for overlay in deploy/k8s/base deploy/k8s/overlays/cpu; do
  out="$WORK/k8s-$(basename "$overlay").yaml"
  "$BIN/kubectl" kustomize "$overlay" >"$out"
  "$BIN/kubernetes-validate" --strict --quiet "$out"
done
result "k8s: base (gpu) and overlays/cpu render and validate (--strict)"

# --- build -------------------------------------------------------------------------
if [[ "$BASE_IMAGE" == "$LOCAL_BASE" ]]; then
  say "base image $BASE_IMAGE"
  scripts/make_base_image.sh "$BASE_IMAGE"
fi

# build TAG LOG BUILD-ARG...: docker build on the base image; prints seconds taken.
build() {
  local tag="$1" log="$2" t=$SECONDS args=(); shift 2
  for a in "$@"; do args+=(--build-arg "$a"); done
  if ! docker build --network host --build-arg "BASE_IMAGE=$BASE_IMAGE" "${args[@]}" \
      -t "$tag" . >"$log" 2>&1; then
    tail -40 "$log" >&2
    fail "docker build $tag"
  fi
  # Replaced builds of this image, now untagged.
  docker image prune -f --filter "label=org.opencontainers.image.title=ocr-service" >/dev/null
  echo $((SECONDS - t))
}

# check_image TAG: size, non-root user, healthcheck.
check_image() {
  local tag="$1" size_mb
  size_mb=$(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%d", $1 / 1e6}')
  result "image: $tag, $size_mb MB"
  [[ "$(docker image inspect -f '{{.Config.User}}' "$tag")" == "10001:10001" ]] \
    || fail "$tag: image user is not 10001:10001"
  docker image inspect -f '{{.Config.Healthcheck.Test}}' "$tag" | grep -q '/health' \
    || fail "$tag: no HEALTHCHECK"
}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  say "build $IMAGE (VARIANT=cpu, BASE_IMAGE=$BASE_IMAGE)"
  result "build: $(build "$IMAGE" "$WORK/build.log" VARIANT=cpu) s"
fi
check_image "$IMAGE"

# --- run ---------------------------------------------------------------------------
READ_ONLY=(--read-only --cap-drop ALL --security-opt no-new-privileges
  --tmpfs /tmp:rw,nosuid,nodev
  --tmpfs /app/cache:rw,nosuid,nodev,uid=10001,gid=10001
  --tmpfs /app/logs:rw,nosuid,nodev,uid=10001,gid=10001)

# start NAME IMAGE [docker run options...]: no network but the container's own
# loopback (the image must need nothing from outside), no GPU; the image's
# HEALTHCHECK, polled every 2 s instead of 30 s.
start() {
  local name="$1" image="$2"; shift 2
  CONTAINERS+=("$name")
  docker run -d --name "$name" --label "$LABEL" --network none --health-interval 2s \
    "$@" "$image" >/dev/null
}

# wait_healthy NAME: seconds from start until Docker reports the container healthy.
wait_healthy() {
  local name="$1" t0=$SECONDS status
  while :; do
    status="$(docker inspect -f '{{.State.Status}} {{.State.Health.Status}}' "$name")"
    case "$status" in
      "running healthy") echo $((SECONDS - t0)); return 0 ;;
      running\ *) ;;
      *) docker logs "$name" 2>&1 | tail -30 >&2; fail "$name stopped ($status)" ;;
    esac
    # The engine failed to load: no point waiting for the timeout.
    if in_netns "$name" curl -s --max-time 5 http://127.0.0.1:8000/health/live 2>/dev/null \
        | grep -q '"failed"'; then
      docker logs "$name" 2>&1 | grep -v 'GET /health' | tail -30 >&2
      fail "$name: the engine failed to start"
    fi
    if ((SECONDS - t0 > HEALTH_TIMEOUT_S)); then
      docker logs "$name" 2>&1 | tail -30 >&2
      fail "$name not healthy after $HEALTH_TIMEOUT_S s ($status)"
    fi
    sleep 1
  done
}

# in_netns NAME CMD...: run a host command (curl) inside the container's network
# namespace, so it reaches the service on the container's loopback; the corpus
# is read in place from the host.
in_netns() {
  local name="$1"; shift
  nsenter --target "$(docker inspect -f '{{.State.Pid}}' "$name")" --net "$@"
}

# ocr NAME FILE EXPECTED [curl -F options...]: POST FILE to /ocr, expect EXPECTED in the text.
ocr() {
  local name="$1" file="$2" expected="$3"; shift 3
  local args=() out
  for f in "$@"; do args+=(-F "$f"); done
  out="$(in_netns "$name" curl -sS --fail-with-body --max-time 180 \
    -F "file=@$CORPUS/$file" "${args[@]}" http://127.0.0.1:8000/ocr)" \
    || { echo "$out" >&2; fail "POST /ocr $file"; }
  grep -qF -- "$expected" <<<"$out" || { echo "$out" >&2; fail "$file: '$expected' not in the text"; }
  result "ocr $file: found '$expected'"
}

# system_info NAME [FALLBACK-SUBSTRING]: /system/info reports a ready ONNX Runtime
# engine on the CPU; with FALLBACK-SUBSTRING, one that fell back from
# OCR_DEVICE=auto for that reason (else: no fallback).
system_info() {
  in_netns "$1" curl -sS --fail --max-time 30 http://127.0.0.1:8000/system/info >"$WORK/info.json"
  python3 - "$WORK/info.json" "${2:-}" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))
engine, versions, want_reason = info["engine"], info["versions"], sys.argv[2]
problems = [
    f"{key}={engine.get(key)!r}, expected {want!r}"
    for key, want in (("state", "ok"), ("backend", "onnxruntime"), ("device", "cpu"),
                      ("requested_device", "auto"))
    if engine.get(key) != want
]
reason = engine.get("device_fallback")
if want_reason and want_reason not in (reason or ""):
    problems.append(f"device_fallback={reason!r}, expected it to say {want_reason!r}")
if not want_reason and reason is not None:
    problems.append(f"device_fallback={reason!r}, expected none")
runtime = next((f"{n} {versions[n]}" for n in ("onnxruntime", "onnxruntime-gpu")
                if n in versions), None)
problems += [f"no version of {name}" for name in ("python", "paddleocr") if name not in versions]
problems += [] if runtime else ["no version of onnxruntime"]
if problems:
    sys.exit("/system/info: " + "; ".join(problems))
print(f"/system/info: engine ok on {engine['device']}"
      + (f" (auto fell back: {reason})" if reason else "")
      + f", {engine['model_set']}, paddleocr {versions['paddleocr']}, {runtime}, "
      f"python {versions['python']}")
PY
}

# non_root NAME: the service process and docker exec run as UID 10001.
non_root() {
  local pid uid
  pid="$(docker inspect -f '{{.State.Pid}}' "$1")"
  uid="$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")"
  [[ "$uid" == 10001 ]] || fail "$1: service process runs as uid $uid"
  [[ "$(docker exec "$1" id -u)" == 10001 ]] || fail "$1: docker exec user is not 10001"
  result "non-root: service process uid $uid"
}

say "run 1: --network none, writable root"
name="ocr-check-$$-rw"
start "$name" "$IMAGE"
healthy_rw="$(wait_healthy "$name")"
result "healthy after ${healthy_rw} s (container HEALTHCHECK)"
[[ "$(docker inspect -f '{{.HostConfig.NetworkMode}}' "$name")" == none ]] || fail "network is not none"
ocr "$name" cnocr_helloworld.jpg 'Hello world!你好世界'
ocr "$name" rapidocrpdf_image.pdf 'Kurbas' mode=ocr pages=1
info="$(system_info "$name")" || fail "/system/info"
result "$info"
non_root "$name"
docker rm -f "$name" >/dev/null

say "run 2: --read-only root, tmpfs for /tmp, cache and logs, no capabilities"
name="ocr-check-$$-ro"
start "$name" "$IMAGE" "${READ_ONLY[@]}"
healthy_ro="$(wait_healthy "$name")"
result "read-only: healthy after ${healthy_ro} s"
ocr "$name" cnocr_helloworld.jpg 'Hello world!你好世界'
if docker exec "$name" touch /app/probe 2>/dev/null; then fail "root filesystem is writable"; fi
result "read-only: root filesystem refuses writes"
docker rm -f "$name" >/dev/null

say "run 3: the Paddle backend (paddle-v4-embedded set), read-only"
name="ocr-check-$$-paddle"
start "$name" "$IMAGE" "${READ_ONLY[@]}" -e OCR_BACKEND=paddle -e OCR_MODEL_SET=paddle-v4-embedded
healthy_paddle="$(wait_healthy "$name")"
result "paddle backend: healthy after ${healthy_paddle} s"
ocr "$name" cnocr_helloworld.jpg '你好世界'
docker rm -f "$name" >/dev/null

if [[ "${SKIP_GPU:-0}" != 1 ]]; then
  source scripts/docker_check_gpu.sh
fi

say "summary"
for line in "${RESULTS[@]}"; do echo "   $line"; done
