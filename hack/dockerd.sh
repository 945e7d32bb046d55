#!/usr/bin/env bash
# A PRIVATE dockerd for secshim's e2e tests and demo.  It never touches a
# daemon the user runs: own data root, exec root, socket, pid file, cgroup
# parent, and its own dockerd-managed containerd (socket under the exec root).
# No bridge and no iptables rules: containers use --network none (the host's
# networking is left alone).
#
#   hack/dockerd.sh start    start it (or keep it if already running with the same config)
#   hack/dockerd.sh stop     stop dockerd, its containerd and shims; unmount what it mounted
#   hack/dockerd.sh restart
#   hack/dockerd.sh status   exit 0 if it answers
#   hack/dockerd.sh env      print "export DOCKER_HOST=..." (eval "$(hack/dockerd.sh env)")
#   hack/dockerd.sh image    import the busybox test image (hack/mkimage.sh) as $SECSHIM_IMAGE
#                            (default secshim-test/busybox:latest) unless it is already there
#
# Runtimes registered (daemon.json "runtimes"):
#   secure            $SECSHIM_BIN with --secshim-policy=<repo>/policy/default.json
#   secure-<name>     one per other policy/<name>.json (restricted, audit, ...;
#                     SECSHIM_POLICY_DIR names another directory of policies)
# The policy and real runtime can be overridden with SECSHIM_POLICY and
# SECSHIM_REAL_RUNTIME; SECSHIM_RUNTIME_ARGS (JSON array) replaces the
# runtimeArgs altogether (e.g. '[]' to register plain runc as "secure").
# SECSHIM_DEFAULT_RUNTIME=secure makes it the daemon's default runtime.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
: "${SECSHIM_BIN:=$top/build/secshim}"
: "${SECSHIM_POLICY_DIR:=$top/policy}"
: "${SECSHIM_POLICY:=$SECSHIM_POLICY_DIR/default.json}"
: "${SECSHIM_REAL_RUNTIME:=/usr/sbin/runc}"
: "${SECSHIM_DOCKER_DATA:=/var/lib/secshim-test/docker}"
: "${SECSHIM_DOCKER_RUN:=/run/secshim-test}"
: "${SECSHIM_IMAGE:=secshim-test/busybox:latest}"
exec_root=$SECSHIM_DOCKER_RUN/docker
sock=$SECSHIM_DOCKER_RUN/docker.sock
pidfile=$SECSHIM_DOCKER_RUN/docker.pid
config=$SECSHIM_DOCKER_RUN/daemon.json
log=$SECSHIM_DOCKER_RUN/dockerd.log
containerd_sock=$exec_root/containerd/containerd.sock
runc_root=$exec_root/runtime-runc/moby
export DOCKER_HOST=unix://$sock
START_TIMEOUT=${SECSHIM_DOCKERD_TIMEOUT:-60}   # seconds

say() { echo "dockerd.sh: $*" >&2; }

dockerd_pid() { # prints the pid if our dockerd is alive
  local pid
  [ -r "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ -d "/proc/$pid" ] || return 1
  # The pid file could be stale and the pid reused: check it is our dockerd.
  { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "-H unix://$sock" || return 1
  echo "$pid"
}

answers() { timeout 10 env DOCKER_HOST="unix://$sock" "$(command -v docker || echo /usr/bin/docker)" version >/dev/null 2>&1; }

runtime_entry() { # path argsjson
  jq -n --arg path "$1" --argjson args "$2" \
    'if ($args | length) > 0 then {path: $path, runtimeArgs: $args} else {path: $path} end'
}

write_config() { # to stdout
  local runtimes args name p
  if [ -n "${SECSHIM_RUNTIME_ARGS:-}" ]; then
    args=$SECSHIM_RUNTIME_ARGS
  else
    args=$(jq -cn --arg p "$SECSHIM_POLICY" --arg r "$SECSHIM_REAL_RUNTIME" \
      '["--secshim-policy=" + $p, "--secshim-runtime=" + $r]')
  fi
  runtimes=$(jq -n --argjson e "$(runtime_entry "$SECSHIM_BIN" "$args")" '{secure: $e}')
  if [ -z "${SECSHIM_RUNTIME_ARGS:-}" ]; then
    for p in "$SECSHIM_POLICY_DIR"/*.json; do
      [ -f "$p" ] || continue
      name=$(basename "$p" .json)
      [ "$p" = "$SECSHIM_POLICY" ] && continue
      [[ $name =~ ^[a-z][a-z0-9-]*$ ]] || continue
      args=$(jq -cn --arg p "$p" --arg r "$SECSHIM_REAL_RUNTIME" \
        '["--secshim-policy=" + $p, "--secshim-runtime=" + $r]')
      runtimes=$(jq --arg n "secure-$name" --argjson e "$(runtime_entry "$SECSHIM_BIN" "$args")" \
        '.[$n] = $e' <<<"$runtimes")
    done
  fi
  # deprecated-key-path: dockerd 20.10 otherwise creates /etc/docker/key.json.
  jq -n --argjson rt "$runtimes" --arg dr "${SECSHIM_DEFAULT_RUNTIME:-}" --arg key "$SECSHIM_DOCKER_DATA/key.json" '{
    runtimes: $rt,
    "deprecated-key-path": $key,
    "cgroup-parent": "secshim-test",
    "shutdown-timeout": 5,
    "log-level": "info"
  } + (if $dr != "" then {"default-runtime": $dr} else {} end)'
}

start() {
  local pid want i
  for tool in dockerd containerd jq; do
    command -v "$tool" >/dev/null 2>&1 || { say "$tool not found (hack/install-deps.sh)"; exit 1; }
  done
  [ -x "$SECSHIM_BIN" ] || say "warning: $SECSHIM_BIN does not exist yet (run make); the 'secure' runtime will fail"
  mkdir -p "$SECSHIM_DOCKER_DATA" "$exec_root"
  chmod 0700 "$SECSHIM_DOCKER_RUN"
  want=$(write_config)
  if pid=$(dockerd_pid); then
    # A daemon in another mount namespace (the test runner's private one,
    # or the host's) sees other files, e.g. another /var/log/secshim.
    if [ "$want" = "$(cat "$config" 2>/dev/null)" ] && answers &&
      [ "$(readlink "/proc/$pid/ns/mnt")" = "$(readlink /proc/self/ns/mnt)" ]; then
      say "already running (pid $pid)"; return 0
    fi
    say "running with another configuration or in another mount namespace: restarting"
    stop
  fi
  cleanup_leftovers
  printf '%s\n' "$want" >"$config"
  rm -f "$sock" "$pidfile"
  # setsid: not in the caller's process group, so a test's ^C or a CI job
  # kill does not take the daemon down half-way; stop is explicit.
  setsid dockerd \
    --config-file "$config" \
    --data-root "$SECSHIM_DOCKER_DATA" \
    --exec-root "$exec_root" \
    -H "unix://$sock" \
    --pidfile "$pidfile" \
    --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    </dev/null >>"$log" 2>&1 &
  local launched=$!
  for ((i = 0; i < START_TIMEOUT * 4; i++)); do
    if answers; then
      say "ready (pid $(cat "$pidfile" 2>/dev/null || echo "$launched"), socket $sock, log $log)"
      return 0
    fi
    if ! alive "$launched"; then
      say "dockerd exited during start-up; last lines of $log:"
      tail -n 20 "$log" >&2
      return 1
    fi
    sleep 0.25
  done
  say "dockerd did not answer within ${START_TIMEOUT}s; last lines of $log:"
  tail -n 20 "$log" >&2
  stop || true
  return 1
}

alive() { # pid: running, and not a zombie waiting for its parent to reap it
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

wait_gone() { # pid seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do alive "$1" || return 0; sleep 0.1; done
  return 1
}

# Processes whose command line names our containerd socket (its shims), by pid.
our_shims() {
  local d
  for d in /proc/[0-9]*; do
    { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -qF -- "-address $containerd_sock " && echo "${d#/proc/}"
  done
  return 0
}

# After a crash or a SIGKILL: containers, shims and containerd of ours that
# are still there, and mounts under our roots.
cleanup_leftovers() {
  local pid id
  if [ -d "$runc_root" ] && command -v runc >/dev/null 2>&1; then
    for id in $(runc --root "$runc_root" list -q 2>/dev/null); do
      runc --root "$runc_root" delete --force "$id" >/dev/null 2>&1 || true
    done
  fi
  for pid in $(our_shims); do kill -KILL "$pid" 2>/dev/null || true; done
  if [ -r "$exec_root/containerd/containerd.pid" ]; then
    pid=$(cat "$exec_root/containerd/containerd.pid")
    if [[ $pid =~ ^[0-9]+$ ]] && { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null |
      grep -qF -- "$exec_root/containerd/containerd.toml"; then
      kill -TERM "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  unmount_under "$exec_root"
  unmount_under "$SECSHIM_DOCKER_DATA"
}

unmount_under() { # dir: unmount every mount at or below dir, deepest first
  local m
  # /proc/self/mounts escapes spaces as \040; our paths have none.
  awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || say "could not unmount $m"; done
}

stop() {
  local pid
  if pid=$(dockerd_pid); then
    # Running containers are stopped by dockerd itself (shutdown-timeout 5).
    kill -TERM "$pid"
    if ! wait_gone "$pid" 40; then
      say "dockerd (pid $pid) did not stop in 40s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || true
    fi
  fi
  cleanup_leftovers
  rm -f "$sock" "$pidfile"
  # dockerd leaves its cgroup parent behind in every hierarchy; only empty
  # ones can go (a container still in one keeps it).
  for d in /sys/fs/cgroup/secshim-test /sys/fs/cgroup/*/secshim-test; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  say "stopped"
}

# Import build/testimage/rootfs.tar, again only when it changed: its stamp
# rides along as a label.
image() {
  local dir stamp have docker
  docker=$(command -v docker || echo /usr/bin/docker)
  dir=$("$top/hack/mkimage.sh") || return 1
  stamp=$(cat "$dir/stamp")
  have=$(timeout 30 "$docker" image inspect -f '{{index .Config.Labels "secshim.stamp"}}' "$SECSHIM_IMAGE" 2>/dev/null || true)
  [ "$have" = "$stamp" ] && return 0
  timeout 120 "$docker" import -c "LABEL secshim.stamp=$stamp" -c 'CMD ["/bin/sh"]' \
    "$dir/rootfs.tar" "$SECSHIM_IMAGE" >/dev/null || { say "docker import failed"; return 1; }
  say "imported $SECSHIM_IMAGE"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status)
    if pid=$(dockerd_pid) && answers; then echo "running (pid $pid, DOCKER_HOST=unix://$sock)"; else echo "not running"; exit 1; fi ;;
  env) echo "export DOCKER_HOST=unix://$sock" ;;
  config) write_config ;;
  image) image ;;
  *) echo "usage: $0 start|stop|restart|status|env|config|image" >&2; exit 2 ;;
esac
