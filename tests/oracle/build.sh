#!/bin/sh
# Build the Go decoding oracle (tests/oracle/*.go) offline, from Debian's
# golang-go and golang-github-opencontainers-specs-dev, into $BUILD/oracle.
# Rebuilds only when the source is newer than the binary.
#
#   tests/oracle/build.sh [OUTPUT]     default: build/oracle
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/${BUILD:-build}/oracle}
srcdir=$top/tests/oracle
# Every .go file of the directory is one program (package main).
fresh=1
[ -x "$out" ] || fresh=0
for f in "$srcdir"/*.go; do [ "$f" -nt "$out" ] && fresh=0; done
[ $fresh = 1 ] && exit 0
command -v go >/dev/null || { echo "oracle: go not installed (apt-get install golang-go)" >&2; exit 1; }
[ -d /usr/share/gocode/src/github.com/opencontainers/runtime-spec/specs-go ] || {
  echo "oracle: missing golang-github-opencontainers-specs-dev" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
cache=$(dirname "$out")/go-cache
# GOPATH mode: Debian's -dev packages install sources under /usr/share/gocode.
# GOFLAGS/GOPROXY keep go from ever touching the network.
env GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOPROXY=off GOCACHE="$cache" \
  go build -trimpath -o "$out.tmp" "$srcdir"/*.go
mv -f "$out.tmp" "$out"
