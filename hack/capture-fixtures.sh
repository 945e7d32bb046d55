#!/usr/bin/env bash
# Capture the engine fixtures of tests/fixtures/ from the real engines.
#
#   hack/capture-fixtures.sh [--out DIR] [docker] [podman]    (default: both, into tests/fixtures)
#
# Each document is written by the engine itself and copied on its way to the
# runtime by a capturing wrapper (registered as the engine's runtime, it
# copies config.json at create and the --process file at exec, then execs
# the real runc unchanged), so the fixtures are exactly what runc receives.
#
# The engines run on their STOCK paths (/var/lib/docker, /var/run/docker,
# /var/run/docker.sock; /var/lib/containers/storage, /run/containers,
# /run/libpod), because the paths are what the policy judges.  They are
# isolated from the host by a private mount namespace with a tmpfs over each
# of those trees and over /run, so nothing of a system engine is touched and
# nothing is left behind.  The image is the busybox test image
# (hack/mkimage.sh) loaded with `docker import` / `podman import`; no
# registry.  Containers use --network none.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/tests/fixtures
engines=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    docker|podman) engines+=("$1"); shift ;;
    *) echo "usage: $0 [--out DIR] [docker] [podman]" >&2; exit 2 ;;
  esac
done
[ ${#engines[@]} -gt 0 ] || engines=(docker podman)
[ "$(id -u)" -eq 0 ] || { echo "capture-fixtures: run as root" >&2; exit 1; }
out=$(mkdir -p "$out" && cd "$out" && pwd)

# Re-enter in a private mount namespace: every mount below is gone when the
# script exits, whatever way it exits.
if [ "${SECSHIM_CAPTURE_NS:-}" != 1 ]; then
  exec env SECSHIM_CAPTURE_NS=1 unshare --mount --propagation private -- "$0" --out "$out" "${engines[@]}"
fi

imgdir=$("$top/hack/mkimage.sh")
work=$(mktemp -d /tmp/secshim-capture.XXXXXX)
chmod 0755 "$work"
# The cgroup filesystem is the host's, whatever the mount namespace: the
# parents the engines create there (docker, libpod_parent) are removed
# again when they did not exist before.
engine_cgroups() { ls -d /sys/fs/cgroup/docker /sys/fs/cgroup/*/docker /sys/fs/cgroup/*/libpod_parent 2>/dev/null || true; }
cgroups_before=" $(engine_cgroups | tr '\n' ' ') "
cleanup() {
  local d
  if [ -n "${dockerd_pid:-}" ]; then kill -TERM "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null; fi
  for d in $(engine_cgroups); do
    case $cgroups_before in *" $d "*) continue ;; esac
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# The capturing runtime: argv as the engine passes it, through to runc.
wrapper=$work/capture-runtime
cat >"$wrapper" <<'EOF'
#!/bin/sh
# Copy what runc is about to read, then become runc with the same argv.
dest=@OUT@
verb= bundle= process= id=
for a in "$@"; do
  case $prev in
    --bundle|-b) bundle=$a ;;
    --process|-p) process=$a ;;
  esac
  case $a in
    create|run|exec) [ -z "$verb" ] && verb=$a ;;
  esac
  prev=$a
  id=$a
done
case $verb in
  create|run) cp "${bundle:-.}/config.json" "$dest/$id.config.json" ;;
  exec) [ -n "$process" ] && cp "$process" "$dest/$(date +%s%N).$id.process.json" ;;
esac
exec /usr/sbin/runc "$@"
EOF
sed -i "s|@OUT@|$work/seen|" "$wrapper"
chmod 0755 "$wrapper"
mkdir -p "$work/seen"

# The id a container was given (docker --cidfile / podman --cidfile).
captured() { # ID KIND -> path of the newest captured document of that container
  ls -t "$work/seen/"*"$1.$2.json" 2>/dev/null | head -n 1
}

keep() { # SRC DEST: the document as the engine wrote it, pretty-printed for review
  jq --sort-keys . "$1" >"$2.tmp" && mv "$2.tmp" "$2"
  echo "capture-fixtures: ${2#"$out"/}"
}

capture_docker() {
  local d=$out/docker-20.10 docker="docker -H unix:///var/run/docker.sock"
  mkdir -p "$d"
  mount -t tmpfs -o mode=0755 tmpfs /run
  mount -t tmpfs -o mode=0711 tmpfs /var/lib/docker 2>/dev/null ||
    { mkdir -p /var/lib/docker && mount -t tmpfs -o mode=0711 tmpfs /var/lib/docker; }
  mkdir -p /etc/docker-capture
  mount -t tmpfs tmpfs /etc/docker-capture
  # deprecated-key-path: dockerd 20.10 otherwise creates /etc/docker/key.json.
  jq -n --arg w "$wrapper" '{runtimes: {capture: {path: $w}}, "default-runtime": "capture",
      "deprecated-key-path": "/var/lib/docker/key.json"}' \
    >/etc/docker-capture/daemon.json
  dockerd --config-file /etc/docker-capture/daemon.json --bridge=none --iptables=false --ip6tables=false \
    --ip-masq=false >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  local i
  for ((i = 0; i < 240; i++)); do $docker version >/dev/null 2>&1 && break; sleep 0.25; done
  $docker version >/dev/null 2>&1 || { tail -n 20 "$work/dockerd.log" >&2; return 1; }
  $docker import "$imgdir/rootfs.tar" bb >/dev/null

  run_case() { # NAME docker-run-args...
    local name=$1 cid; shift
    rm -f "$work/cid"
    $docker run --rm --cidfile "$work/cid" --network none "$@" >/dev/null 2>&1 || true
    cid=$(cat "$work/cid")
    keep "$(captured "$cid" config)" "$d/$name.config.json"
  }
  run_case default bb true
  run_case privileged --privileged bb true
  run_case systemd-mount -v /run/systemd:/run/systemd bb true
  run_case capadd-all --cap-add ALL bb true
  run_case seccomp-unconfined --security-opt seccomp=unconfined bb true
  run_case nnp-user --security-opt no-new-privileges -u 1000:1000 --read-only bb true
  run_case dockersock -v /var/run/docker.sock:/var/run/docker.sock bb true
  run_case device-kmsg --device /dev/kmsg bb true
  run_case pidhost --pid host --ipc host --uts host bb true
  run_case hostroot -v /:/host bb true
  run_case sysctl --sysctl kernel.msgmax=65536 bb true
  run_case limits --memory 256m --pids-limit 100 --cpus 0.5 --ulimit nofile=1024:2048 bb true
  run_case init --init bb true

  local cid
  cid=$($docker run -d --network none bb sleep 300)
  keep "$(captured "$cid" config)" "$d/long-running.config.json"
  $docker exec "$cid" true
  keep "$(captured "$cid" process)" "$d/exec-default.process.json"
  $docker exec --privileged -u 0 "$cid" true 2>/dev/null || true  # runc refuses caps beyond the bounding set; the document is captured first
  keep "$(captured "$cid" process)" "$d/exec-privileged-root.process.json"
  $docker exec -t -u 1000 -e FOO=bar -w /tmp "$cid" true >/dev/null
  keep "$(captured "$cid" process)" "$d/exec-tty-user.process.json"
  $docker rm -f "$cid" >/dev/null
  kill -TERM "$dockerd_pid"; wait "$dockerd_pid" 2>/dev/null || true; dockerd_pid=
  umount -l /var/lib/docker /etc/docker-capture /run
}

capture_podman() {
  local d=$out/podman-4.3 cid
  mkdir -p "$d"
  mount -t tmpfs -o mode=0755 tmpfs /run
  mkdir -p /var/lib/containers
  mount -t tmpfs -o mode=0700 tmpfs /var/lib/containers
  podman import "$imgdir/rootfs.tar" localhost/bb >/dev/null
  # podman gives a container the caller's hard limits; where the caller may
  # not raise them (no CAP_SYS_RESOURCE) runc would fail: start from 1024.
  ulimit -n 1024 -u 1024
  # No --cidfile: podman would record it in an annotation.
  cid=$(podman --runtime "$wrapper" create --network none localhost/bb true)
  podman --runtime "$wrapper" start --attach "$cid" >/dev/null
  keep "$(captured "$cid" config)" "$d/podman-default.config.json"
  podman --runtime "$wrapper" rm -f "$cid" >/dev/null
  cid=$(podman --runtime "$wrapper" run -d --network none localhost/bb sleep 300)
  podman --runtime "$wrapper" exec "$cid" true
  keep "$(captured "$cid" process)" "$d/podman-exec.process.json"
  podman --runtime "$wrapper" rm -f -t 0 "$cid" >/dev/null
  podman system reset --force >/dev/null 2>&1 || true
  umount -l /var/lib/containers /run
}

for e in "${engines[@]}"; do "capture_$e"; done
