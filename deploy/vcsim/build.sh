#!/usr/bin/env bash
# Builds ferry-vcsim from its source here against Debian's govmomi (golang-github-vmware-govmomi-dev),
# offline, in GOPATH mode; caches the binary by the source's hash. Prints the binary's path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
hash="$(sha256sum "$here/src/ferry-vcsim/main.go" | cut -c1-16)"
cache="${FERRY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ferry}"
bin="$cache/ferry-vcsim-$hash"
if [[ ! -x "$bin" ]]; then
  mkdir -p "$cache"
  GO111MODULE=off GOPATH="$here:/usr/share/gocode" GOFLAGS=-mod=mod go build -o "$bin.tmp" ferry-vcsim >&2
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
