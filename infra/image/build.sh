#!/usr/bin/env bash
# `make image`: build infra/image/Containerfile here, then start the image's API against the local
# PostgreSQL and check /health.
#
# Only PyPI, npm and Debian are reachable here, so no public base image can be pulled: the three
# bases are made locally with debootstrap (bookworm for Python 3.11, trixie for Node >= 20.19)
# and passed as build arguments. They trust this machine's CA bundle (TLS egress goes through an
# intercepting proxy) and tell pip, uv and npm to use it; production bases are public, by digest.
# buildah runs with the vfs storage driver and chroot isolation (no overlayfs, no user namespaces).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${DRAXIS_IMAGE_WORK:-$ROOT/.draxis/image}
IMAGE=${DRAXIS_IMAGE:-localhost/draxis:dev}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PG=${DRAXIS_SMOKE_PG:-postgresql://postgres@127.0.0.1:5432}
SMOKE_PORT=${DRAXIS_SMOKE_PORT:-18000}
export BUILDAH_ISOLATION=chroot
# Every buildah call: the vfs driver (no overlayfs here). The env var alone is not honoured by
# every buildah version, so it is passed as a flag.
buildah() { command buildah --storage-driver vfs "$@"; }
mkdir -p "$WORK"

need() { command -v "$1" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need buildah buildah
need debootstrap debootstrap

# rootfs NAME SUITE PACKAGES: a minimal Debian root filesystem, made once and reused. The packages
# go in with apt inside the new root (debootstrap's own --include misses some dependencies).
rootfs() {
    local dir=$WORK/rootfs-$1
    if [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir"
        echo "debootstrap $2 + $3 -> $dir"
        debootstrap --variant=minbase "$2" "$dir" "$MIRROR" >"$WORK/debootstrap-$1.log"
        chroot "$dir" apt-get update -qq
        DEBIAN_FRONTEND=noninteractive chroot "$dir" apt-get install -y -qq --no-install-recommends \
            ${3//,/ } >>"$WORK/debootstrap-$1.log"
        chroot "$dir" apt-get clean
        rm -rf "$dir"/var/lib/apt/lists/*
        touch "$dir/.complete"
    fi
}

# base NAME TAG [build]: import a root filesystem as an image; build bases trust this machine's CAs.
base() {
    local dir=$WORK/rootfs-$1 ctr mnt
    if buildah inspect --type image "$2" >/dev/null 2>&1; then return; fi
    ctr=$(buildah from scratch)
    mnt=$(buildah mount "$ctr")
    cp -a "$dir"/. "$mnt"/
    rm -f "$mnt/.complete"
    if [ "${3:-}" = build ]; then
        cp /usr/local/share/ca-certificates/*.crt "$mnt/usr/local/share/ca-certificates/" 2>/dev/null || true
        chroot "$mnt" update-ca-certificates >/dev/null
        buildah config --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
            --env PIP_CERT=/etc/ssl/certs/ca-certificates.crt --env UV_NATIVE_TLS=1 \
            --env NODE_OPTIONS=--use-openssl-ca "$ctr"
    fi
    buildah umount "$ctr" >/dev/null
    buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
    buildah commit --quiet "$ctr" "$2" >/dev/null
    buildah rm "$ctr" >/dev/null
}

rootfs runtime bookworm python3,ca-certificates
rootfs python-build bookworm python3,python3-venv,ca-certificates
rootfs node-build trixie nodejs,npm,ca-certificates
base runtime localhost/draxis-base-runtime:bookworm
base python-build localhost/draxis-base-python:bookworm build
base node-build localhost/draxis-base-node:trixie build

start=$(date +%s)
buildah bud --quiet --layers --format docker \
    --ignorefile "$ROOT/.dockerignore" \
    -f "$ROOT/infra/image/Containerfile" \
    --build-arg NODE_BASE=localhost/draxis-base-node:trixie \
    --build-arg PYTHON_BUILD_BASE=localhost/draxis-base-python:bookworm \
    --build-arg RUNTIME_BASE=localhost/draxis-base-runtime:bookworm \
    -t "$IMAGE" "$ROOT"
echo "built $IMAGE in $(($(date +%s) - start)) s"
buildah images --format '{{.Name}}:{{.Tag}} {{.Size}}' "$IMAGE"

# --- Smoke: migrate a throwaway database with the image, serve, GET /health. ---
db=draxis_image_smoke_$$
psql "$PG/postgres" -qc "create database $db" >/dev/null
ctr=$(buildah from "$IMAGE")
server=
cleanup() {
    local rc=$?
    trap '' TERM  # stopping `buildah run` signals its process group, which is ours
    set +e  # clean up everything, whatever fails; the script's status is the smoke's
    if [ -n "$server" ]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; fi
    buildah rm "$ctr" >/dev/null 2>&1
    psql "$PG/postgres" -qc "drop database if exists $db with (force)" >/dev/null
    exit "$rc"
}
trap cleanup EXIT
# Production settings: the image refuses to start without its secrets (made up for the smoke).
secrets=(
    -e "DATABASE_URL=$PG/$db"
    -e "DRAXIS_APP_DB_PASSWORD=smoke-$$"
    -e "DRAXIS_DATA_KEY=$(head -c 32 /dev/urandom | base64)"
    -e "DRAXIS_JWT_PRIVATE_KEY=$(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null)"
    -e "DRAXIS_PORT=$SMOKE_PORT"
    # No Google credentials here: production would default to the Cloud Trace exporter.
    -e "DRAXIS_OTEL_EXPORTER=none"
)
buildah run --network host "${secrets[@]}" "$ctr" -- draxis db migrate
# The image runs as its own user: prove it cannot write its code or its root filesystem.
buildah run "$ctr" -- sh -c 'id -u; touch /app/x 2>/dev/null && exit 1; touch /x 2>/dev/null && exit 1; echo "non-root, /app and / not writable"'
setsid buildah --storage-driver vfs run --network host "${secrets[@]}" "$ctr" -- draxis serve &
server=$!
for _ in $(seq 1 60); do
    if body=$(curl -fsS "http://127.0.0.1:$SMOKE_PORT/health" 2>/dev/null); then
        echo "smoke: GET /health -> $body"
        curl -fsS -o /dev/null -w 'smoke: GET / -> %{http_code} (web client)\n' "http://127.0.0.1:$SMOKE_PORT/"
        exit 0
    fi
    sleep 1
done
echo "smoke: /health did not answer within 60 s" >&2
exit 1
