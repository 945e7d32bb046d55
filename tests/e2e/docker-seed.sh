#!/usr/bin/env bash
# The seed's scenarios through the private dockerd (hack/dockerd.sh, runtime
# "secure" = policy/default.json): every dangerous `docker run` option is
# refused with secshim's reason in docker's own output (host pid, network,
# ipc and uts namespaces, the Docker socket, the host's /, --privileged, a
# host device, an unsafe sysctl, AppArmor unconfined), --cap-add SYS_ADMIN is
# neutralised, -u 0 is rewritten, and ordinary containers keep working: a
# plain run, -u 1000, a read-only container with limits, a data volume from a
# host directory, docker exec, stop and rm.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/docker.sh"
docker_e2e_setup

status_field() { printf '%s\n' "$1" | awk -v f="$2:" '$1 == f { print $2 }'; }
has_cap_bit() { [ -n "$1" ] && [ $(((0x$1 >> $2) & 1)) -eq 1 ]; }

# refused NAME NEEDLE DOCKER-RUN-ARGS...: the container must not start and
# docker's error must carry secshim's reason.
refused() {
  local name=$1 needle=$2 out rc
  shift 2
  out=$(secure_run "$@" "$IMAGE" echo should-not-run 2>&1); rc=$?
  if [ "$rc" -ne 0 ]; then ok "$name: refused (docker exit $rc)"; else fail "$name: the container ran"; fi
  assert_not_contains "$name: the container never ran" "$out" should-not-run
  assert_contains "$name: docker shows secshim's reason" "$out" "$needle"
}
# Like refused, for options that need their own --network (secure_run has none).
refused_net() {
  local name=$1 needle=$2 out rc
  shift 2
  out=$(dk_run --rm --runtime secure "$@" "$IMAGE" echo should-not-run 2>&1); rc=$?
  if [ "$rc" -ne 0 ]; then ok "$name: refused (docker exit $rc)"; else fail "$name: the container ran"; fi
  assert_not_contains "$name: the container never ran" "$out" should-not-run
  assert_contains "$name: docker shows secshim's reason" "$out" "$needle"
}

# --- host namespaces (CIS 5.10, 5.16, 5.17, 5.21) -----------------------------------
refused "--pid host" "secshim: namespaces: --pid host is refused" --pid host
refused_net "--network host" "secshim: namespaces: --network host is refused" --network host
refused "--ipc host" "secshim: namespaces: --ipc host is refused" --ipc host
refused "--uts host" "secshim: namespaces: --uts host is refused" --uts host

# --- host paths (CIS 5.6, 5.32) --------------------------------------------------------
# docker creates a missing bind source as a directory: leave none behind.
sock_existed=false
[ -e /var/run/docker.sock ] && sock_existed=true
refused "-v /var/run/docker.sock" "secshim: mounts: -v /var/run/docker.sock:/var/run/docker.sock is refused" \
  -v /var/run/docker.sock:/var/run/docker.sock
if ! $sock_existed && [ -d /var/run/docker.sock ] && [ ! -L /var/run/docker.sock ]; then rmdir /var/run/docker.sock 2>/dev/null; fi
refused "-v /:/host" "secshim: mounts: -v /:/host is refused: it is the host's root filesystem" -v /:/host

# --- privileged, devices, sysctls (CIS 5.5, 5.18; PSS sysctls) -----------------------------
refused "--privileged" "secshim: privileged: --privileged is refused" --privileged
refused "--device /dev/kmsg" "secshim: devices: --device /dev/kmsg is refused" --device /dev/kmsg
refused "--sysctl kernel.msgmax=65536" "secshim: sysctls: --sysctl kernel.msgmax is refused: sysctl kernel.msgmax is not in the allowed set (rules.sysctls.allow)" \
  --sysctl kernel.msgmax=65536

# --- AppArmor unconfined (CIS 5.2) ------------------------------------------------------------
# dockerd writes process.apparmorProfile only on a host with AppArmor; elsewhere
# the option never reaches the runtime and there is nothing to refuse.
if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
  refused "--security-opt apparmor=unconfined" 'AppArmor profile \"unconfined\"' --security-opt apparmor=unconfined
else
  # Not a skip: the scenario cannot arise here (the refusal itself is
  # covered at the runc level by tests/integration/exec-argv.sh and the
  # process-apparmor-unconfined-refused policy case).
  diag "--security-opt apparmor=unconfined: AppArmor is not enabled on this host, dockerd drops the option"
fi

# --- neutralised: --cap-add SYS_ADMIN, -u 0 ------------------------------------------------
out=$(dk_run --rm --network none --cap-add SYS_ADMIN "$IMAGE" cat /proc/self/status 2>&1)
if has_cap_bit "$(status_field "$out" CapBnd)" 21; then ok "control: default runtime grants CAP_SYS_ADMIN"
else fail "control: --cap-add SYS_ADMIN under the default runtime lacks it: $(status_field "$out" CapBnd)"; fi
out=$(secure_run --cap-add SYS_ADMIN "$IMAGE" cat /proc/self/status 2>&1); rc=$?
assert_status "--cap-add SYS_ADMIN: container runs" "$rc" 0
bnd=$(status_field "$out" CapBnd)
if [ -n "$bnd" ] && ! has_cap_bit "$bnd" 21; then ok "--cap-add SYS_ADMIN: CapBnd lacks CAP_SYS_ADMIN ($bnd)"
else fail "--cap-add SYS_ADMIN: CapBnd '$bnd' holds CAP_SYS_ADMIN (or no status): $(printf '%s' "$out" | head -c 300)"; fi

out=$(secure_run -u 0 "$IMAGE" id -u 2>&1); rc=$?
assert_status "-u 0: container runs" "$rc" 0
assert_eq "-u 0: rewritten, id -u is 65534" "$out" 65534

# --- ordinary containers ---------------------------------------------------------------------------
out=$(secure_run "$IMAGE" echo plain-run-ok 2>&1); rc=$?
assert_status "plain run: exit 0" "$rc" 0
assert_eq "plain run: output" "$out" plain-run-ok
out=$(secure_run -u 1000 "$IMAGE" id -u 2>&1); rc=$?
assert_status "-u 1000: exit 0" "$rc" 0
assert_eq "-u 1000: kept" "$out" 1000

out=$(secure_run --read-only --memory 64m --pids-limit 50 "$IMAGE" \
  sh -c 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; touch /rootfs-write 2>/dev/null && echo WRITABLE || echo READONLY' 2>&1); rc=$?
assert_status "--read-only --memory 64m --pids-limit 50: runs" "$rc" 0
assert_contains "--read-only --memory 64m: memory limit applied" "$out" 67108864
assert_contains "--read-only: root is read-only" "$out" READONLY

# A data volume from a host directory.  Not under /tmp, /etc, /run, ...:
# policy/default.json denies those (deny/denyExact); /var/tmp is ordinary.
voldir=$(mktemp -d /var/tmp/secshim-e2e-vol.XXXXXX)
chmod 0755 "$voldir"
echo "data-from-the-host-$$" >"$voldir/hello"
chmod 0644 "$voldir/hello"
out=$(secure_run -v "$voldir:/data:ro" "$IMAGE" cat /data/hello 2>&1); rc=$?
assert_status "data volume ($voldir): container runs" "$rc" 0
assert_eq "data volume: the container reads the host file" "$out" "data-from-the-host-$$"
out=$(secure_run -v "$voldir:/data" "$IMAGE" sh -c 'echo from-container >/data/out' 2>&1); rc=$?
if [ "$rc" -ne 0 ]; then ok "data volume: uid 65534 cannot write a root-owned 0755 directory (exit $rc)"
else fail "data volume: the rewritten uid wrote into a root-owned 0755 directory"; fi
rm -rf "$voldir"

name=secshim-e2e-seed-$$
out=$(dk_run -d --name "$name" --network none --runtime secure "$IMAGE" sleep 300 2>&1); rc=$?
assert_status "docker run -d: exit 0" "$rc" 0
if wait_running "$name" 10; then ok "docker run -d: running"; else fail "docker run -d: not running: $out"; fi
out=$(dk exec "$name" echo exec-ok 2>&1); rc=$?
assert_status "docker exec: exit 0" "$rc" 0
assert_eq "docker exec: output" "$out" exec-ok
dk stop -t 2 "$name" >/dev/null 2>&1; rc=$?
assert_status "docker stop: exit 0" "$rc" 0
assert_eq "docker stop: no longer running" "$(dk inspect -f '{{.State.Running}}' "$name" 2>&1)" false
dk rm "$name" >/dev/null 2>&1; rc=$?
assert_status "docker rm: exit 0" "$rc" 0
if dk inspect "$name" >/dev/null 2>&1; then fail "docker rm: container still exists"; else ok "docker rm: container gone"; fi

done_testing
