#!/usr/bin/env bash
# Build the two images the CRI tests import with `ctr -n k8s.io images
# import` (no registry): docker-archive tarballs under build/cri-images/
#   pause.tar    secshim.test/pause:3.6   /pause (tests/cri/lib/pause.c, static),
#                                         USER 65535:65535 like registry.k8s.io/pause
#   busybox.tar  secshim.test/busybox:1   the busybox test image (hack/mkimage.sh)
# Prints the directory.  Rebuilt when an input changes.
set -euo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
build=${SECSHIM_BUILD:-$top/build}
out=$build/cri-images
img=$("$top/hack/mkimage.sh")
stamp_want=$(cat "$img/stamp" "$0" "$top/tests/cri/lib/pause.c" | sha256sum | cut -d' ' -f1)
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp_want" ]; then echo "$out"; exit 0; fi

mkdir -p "$build"
tmp=$(mktemp -d "$build/.cri-images.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# archive NAME REF LAYER_TAR IMAGE_CONFIG_JSON: a docker-archive (docker save
# layout) with one uncompressed layer.
archive() {
  local name=$1 ref=$2 layer=$3 cfg=$4 d lsha csha
  d=$tmp/$name; mkdir -p "$d"
  lsha=$(sha256sum "$layer" | cut -d' ' -f1)
  mkdir -p "$d/$lsha"; cp "$layer" "$d/$lsha/layer.tar"
  jq -c --arg diff "sha256:$lsha" '. + {architecture: "amd64", os: "linux", rootfs: {type: "layers", diff_ids: [$diff]}}' \
    <<<"$cfg" >"$d/config.json"
  csha=$(sha256sum "$d/config.json" | cut -d' ' -f1)
  mv "$d/config.json" "$d/$csha.json"
  jq -nc --arg c "$csha.json" --arg r "$ref" --arg l "$lsha/layer.tar" '[{Config: $c, RepoTags: [$r], Layers: [$l]}]' >"$d/manifest.json"
  tar --numeric-owner --owner=0 --group=0 -C "$d" -cf "$tmp/$name.tar" manifest.json "$csha.json" "$lsha"
}

p=$tmp/pause-root
mkdir -p "$p"
cc -static -O2 -Wall -Wextra -Werror -o "$p/pause" "$top/tests/cri/lib/pause.c"
strip "$p/pause"
tar --numeric-owner --owner=0 --group=0 -C "$p" -cf "$tmp/pause-layer.tar" pause
archive pause secshim.test/pause:3.6 "$tmp/pause-layer.tar" \
  '{"config": {"User": "65535:65535", "Entrypoint": ["/pause"], "WorkingDir": "/", "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}}'
archive busybox secshim.test/busybox:1 "$img/rootfs.tar" \
  '{"config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}}'

mkdir -p "$out.new"
mv "$tmp/pause.tar" "$tmp/busybox.tar" "$out.new/"
echo "$stamp_want" >"$out.new/stamp"
rm -rf "$out"; mv "$out.new" "$out"
echo "$out"
