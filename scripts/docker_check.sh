#!/usr/bin/env bash
# Build the service image and prove it works, on a machine with Docker (or where
# apt can install it) and no image registry:
#   lint the Dockerfile (hadolint); build VARIANT=cpu on a local Debian base
#   (scripts/make_base_image.sh, reused once built); run it with no network but
#   its own loopback, wait for its own HEALTHCHECK, OCR a corpus image and a
#   scanned PDF, check /system/info and the non-root user; run it again with a
#   read-only root filesystem, and once on the Paddle backend; validate the
#   compose files and the Kubernetes manifests offline. Removes the containers it started; keeps the images, so
#   the next run reuses the base image and the build cache.
#
#   scripts/docker_check.sh
#
# Env: VARIANT=cpu|gpu (gpu: a GPU host with the NVIDIA Container Toolkit and
#      the Paddle package index reachable), IMAGE (tag to build), BASE_IMAGE
#      (default: the local debootstrap image), OCR_TEST_CORPUS (default
#      ../shared/corpus), HEALTH_TIMEOUT_S (default 300), SKIP_BUILD=1 (test IMAGE as is).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

VARIANT="${VARIANT:-cpu}"
IMAGE="${IMAGE:-ocr-service:${VARIANT}-check}"
LOCAL_BASE="ocr-local/bookworm-minbase:latest"
BASE_IMAGE="${BASE_IMAGE:-$LOCAL_BASE}"
CORPUS="${OCR_TEST_CORPUS:-$ROOT/../shared/corpus}"
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
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  say "build $IMAGE (VARIANT=$VARIANT, BASE_IMAGE=$BASE_IMAGE)"
  t=$SECONDS
  if ! docker build --network host --build-arg "BASE_IMAGE=$BASE_IMAGE" \
      --build-arg "VARIANT=$VARIANT" -t "$IMAGE" . >"$WORK/build.log" 2>&1; then
    tail -40 "$WORK/build.log" >&2
    fail "docker build"
  fi
  result "build: $((SECONDS - t)) s"
  # Replaced builds of this image, now untagged.
  docker image prune -f --filter "label=org.opencontainers.image.title=ocr-service" >/dev/null
fi
size_mb=$(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d", $1 / 1e6}')
result "image: $IMAGE, $size_mb MB"
[[ "$(docker image inspect -f '{{.Config.User}}' "$IMAGE")" == "10001:10001" ]] || fail "image user is not 10001:10001"
docker image inspect -f '{{.Config.Healthcheck.Test}}' "$IMAGE" | grep -q '/health' || fail "no HEALTHCHECK"

# --- run ---------------------------------------------------------------------------
gpu_args=()
[[ "$VARIANT" == gpu ]] && gpu_args=(--gpus all)

# start NAME [docker run options...]: no network but the container's own
# loopback (the image must need nothing from outside); the image's HEALTHCHECK,
# polled every 2 s instead of 30 s.
start() {
  local name="$1"; shift
  CONTAINERS+=("$name")
  docker run -d --name "$name" --label "$LABEL" --network none --health-interval 2s \
    "${gpu_args[@]}" "$@" "$IMAGE" >/dev/null
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

say "run 1: --network none, writable root"
name="ocr-check-$$-rw"
start "$name"
healthy_rw="$(wait_healthy "$name")"
result "healthy after ${healthy_rw} s (container HEALTHCHECK)"
[[ "$(docker inspect -f '{{.HostConfig.NetworkMode}}' "$name")" == none ]] || fail "network is not none"
ocr "$name" cnocr_helloworld.jpg 'Hello world!你好世界'
ocr "$name" rapidocrpdf_image.pdf 'Kurbas' mode=ocr pages=1
in_netns "$name" curl -sS --fail --max-time 30 http://127.0.0.1:8000/system/info >"$WORK/info.json"
expected_device=cpu
[[ "$VARIANT" == gpu ]] && expected_device=gpu:0
summary="$(python3 - "$WORK/info.json" "$expected_device" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))
engine, versions = info["engine"], info["versions"]
problems = [
    f"{key}={engine.get(key)!r}, expected {want!r}"
    for key, want in (("state", "ok"), ("backend", "onnxruntime"), ("device", sys.argv[2]))
    if engine.get(key) != want
]
problems += [f"no version of {name}" for name in ("python", "paddleocr", "onnxruntime") if name not in versions]
if problems:
    sys.exit("/system/info: " + "; ".join(problems))
print(f"/system/info: engine ok on {engine['device']}, {engine['model_set']}, "
      f"paddleocr {versions['paddleocr']}, onnxruntime {versions['onnxruntime']}, "
      f"python {versions['python']}")
PY
)" || fail "/system/info"
result "$summary"
pid="$(docker inspect -f '{{.State.Pid}}' "$name")"
uid="$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")"
[[ "$uid" == 10001 ]] || fail "service process runs as uid $uid"
[[ "$(docker exec "$name" id -u)" == 10001 ]] || fail "docker exec user is not 10001"
result "non-root: service process uid $uid"
docker rm -f "$name" >/dev/null

say "run 2: --read-only root, tmpfs for /tmp, cache and logs, no capabilities"
name="ocr-check-$$-ro"
start "$name" --read-only --cap-drop ALL --security-opt no-new-privileges \
  --tmpfs /tmp:rw,nosuid,nodev \
  --tmpfs /app/cache:rw,nosuid,nodev,uid=10001,gid=10001 \
  --tmpfs /app/logs:rw,nosuid,nodev,uid=10001,gid=10001
healthy_ro="$(wait_healthy "$name")"
result "read-only: healthy after ${healthy_ro} s"
ocr "$name" cnocr_helloworld.jpg 'Hello world!你好世界'
if docker exec "$name" touch /app/probe 2>/dev/null; then fail "root filesystem is writable"; fi
result "read-only: root filesystem refuses writes"
docker rm -f "$name" >/dev/null

say "run 3: the Paddle backend (paddle-v4-embedded set), read-only"
name="ocr-check-$$-paddle"
start "$name" --read-only --cap-drop ALL --security-opt no-new-privileges \
  --tmpfs /tmp:rw,nosuid,nodev \
  --tmpfs /app/cache:rw,nosuid,nodev,uid=10001,gid=10001 \
  -e OCR_BACKEND=paddle -e OCR_MODEL_SET=paddle-v4-embedded
healthy_paddle="$(wait_healthy "$name")"
result "paddle backend: healthy after ${healthy_paddle} s"
ocr "$name" cnocr_helloworld.jpg '你好世界'
docker rm -f "$name" >/dev/null

say "summary"
for line in "${RESULTS[@]}"; do echo "   $line"; done
