#!/usr/bin/env bash
# Build a local Debian bookworm base image (debootstrap minbase + docker import)
# for machines that reach Debian's and PyPI's registries but no image registry.
# It stands in for debian:bookworm-slim: pass it as --build-arg BASE_IMAGE=<tag>.
#
#   scripts/make_base_image.sh [TAG]      default TAG: ocr-local/bookworm-minbase:latest
#
# Reuses TAG when it exists (FORCE=1 rebuilds). When pip on this machine trusts
# an extra CA (a TLS-intercepting egress proxy), that bundle and pip's cert
# setting are copied into the image so that pip inside `docker build` can reach
# PyPI; the Dockerfile itself stays free of such settings.
set -euo pipefail

TAG="${1:-${BASE_TAG:-ocr-local/bookworm-minbase:latest}}"
SUITE="${SUITE:-bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [[ "${FORCE:-0}" != 1 ]] && docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "base image $TAG exists (FORCE=1 rebuilds)"
  exit 0
fi
command -v debootstrap >/dev/null 2>&1 || {
  echo "debootstrap is missing: apt-get install debootstrap" >&2
  exit 1
}

root="$(mktemp -d "${TMPDIR:-/tmp}/ocr-rootfs.XXXXXX")"
trap 'rm -rf "$root"' EXIT
start=$SECONDS
debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$root.log" 2>&1 || {
  tail -20 "$root.log" >&2
  rm -f "$root.log"
  exit 1
}
rm -f "$root.log"

# Same apt sources as the official image (security and point updates included).
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: ${MIRROR}
Suites: ${SUITE} ${SUITE}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: ${SUITE}-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES

# The CA bundle pip uses here (pip config `cert`, PIP_CERT or REQUESTS_CA_BUNDLE).
cert="${PIP_CERT:-}"
if [[ -z "$cert" ]] && command -v pip >/dev/null 2>&1; then
  cert="$(pip config list 2>/dev/null | sed -n "s/^[a-z:]*\.cert='\(.*\)'$/\1/p" | head -1)"
fi
cert="${cert:-${REQUESTS_CA_BUNDLE:-}}"
if [[ -n "$cert" && -f "$cert" ]]; then
  # As a local CA (kept if the build installs ca-certificates) and as the
  # system bundle, which pip is told to use.
  install -D -m 0644 "$cert" "$root/usr/local/share/ca-certificates/build-host-bundle.crt"
  install -D -m 0644 "$cert" "$root/etc/ssl/certs/ca-certificates.crt"
  printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$root/etc/pip.conf"
  echo "copied CA bundle $cert into the base image"
fi
# A pip index other than PyPI (a mirror) configured here goes along too.
index="$(pip config get global.index-url 2>/dev/null || true)"
index="${PIP_INDEX_URL:-$index}"
if [[ -n "$index" && "$index" != file:* ]]; then
  printf 'index-url = %s\n' "$index" >>"$root/etc/pip.conf"
fi

# Trim what a container never uses (as the slim image does).
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' - "$TAG" >/dev/null
echo "base image $TAG built in $((SECONDS - start)) s ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'))"
