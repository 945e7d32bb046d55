#!/usr/bin/env bash
# Provide, on their stock paths, the host files the captured fixtures bind
# into containers (/var/lib/docker/containers/<id>/hostname, podman's
# userdata/, containerd's CRI sandboxes/<id>/, kubelet's pods/<uid>/, ...),
# so that secshim, which refuses a bind source it cannot
# resolve (runc could not mount it either), judges the fixtures as it would
# on the engine's host.  Docker itself creates these files before it calls
# the runtime.
#
# Only inside the private mount namespace of tests/run-all.sh (as root):
# the deepest existing ancestor of each missing path (e.g. /var/lib) becomes
# an overlay_dir (tests/lib/overlay.sh), so nothing of the host is hidden
# and nothing is written to it.
#
#   tests/lib/stock-binds.sh FILE...    JSON documents, or .tsv case tables
#                                       (their "source":"..." strings)
set -eu
[ "${SECSHIM_TEST_NS:-}" = 1 ] && [ "$(id -u)" -eq 0 ] || { echo "stock-binds: needs run-all's private mount namespace, as root" >&2; exit 1; }

# The stock trees engines keep per-container files in; nothing else is made.
allowed='^(/var/lib/docker/containers/[0-9a-f]{64}/|/run/containerd/io\.containerd\.grpc\.v1\.cri/sandboxes/[0-9a-f]{64}/|/var/lib/containerd/io\.containerd\.grpc\.v1\.cri/sandboxes/[0-9a-f]{64}/|/var/lib/kubelet/pods/[0-9a-f-]{36}/|/run/containerd/runc/k8s\.io/[0-9a-f]{64}/state\.json$|/run/netns/cni-[0-9a-f-]{36}$|/var/lib/containers/storage/overlay-containers/[0-9a-f]{64}/userdata/|/run/containers/storage/overlay-containers/[0-9a-f]{64}/userdata/|/srv/[a-z-]+$)'
# shellcheck source=tests/lib/overlay.sh
. "$(dirname "$0")/overlay.sh"
# The originals, out of sight: run-all's save directory (a tmpfs of the
# namespace).
save=${PRIVATE_DIR_SAVE:?stock-binds: run through tests/run-all.sh}

sources() {
  local f
  for f in "$@"; do
    case $f in
      *.tsv) grep -o '"source":"[^"]*"' "$f" | sed 's/^"source":"//; s/"$//' || true ;;
      *) jq -r '(.mounts // [])[]? | select((.options // []) as $o | ($o | index("bind")) or ($o | index("rbind")) or .type == "bind")
                | .source // empty' "$f" 2>/dev/null || true ;;
    esac
  done
}
sources "$@" | sort -u | while read -r src; do
  [[ $src =~ $allowed ]] || continue
  [ -e "$src" ] && continue
  anc=$(dirname "$src")
  while [ ! -e "$anc" ]; do anc=$(dirname "$anc"); done
  overlaid "$anc" || overlay_dir "$anc" "$save"
  case ${src##*/} in
    hostname | hosts | resolv.conf | .containerenv | *.sock | etc-hosts | state.json | cni-*) mkdir -p "$(dirname "$src")"; : >"$src" ;;
    # kubelet's /dev/termination-log: pods/<uid>/containers/<name>/<8 hex digits>
    [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) mkdir -p "$(dirname "$src")"; : >"$src" ;;
    *) mkdir -p "$src" ;;
  esac
done
