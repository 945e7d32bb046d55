#!/usr/bin/env bash
# The process-side rules through a real dockerd (hack/dockerd.sh, runtime
# "secure" = policy/default.json): non-root by default, ping denied (no
# CAP_NET_RAW), --privileged refused with secshim's reason, --cap-add ALL
# neutralised to the allowlist, docker exec --privileged / -u 0 neutralised,
# an explicit -u 1000 kept, a read-only container with limits runs.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/docker.sh"
docker_e2e_setup

# The default policy's capability allowlist as a /proc/<pid>/status mask:
# CHOWN 0, DAC_OVERRIDE 1, FOWNER 3, FSETID 4, KILL 5, SETGID 6, SETUID 7,
# SETPCAP 8, NET_BIND_SERVICE 10, SYS_CHROOT 18.
allow_mask=$(printf '%016x' $(((1 << 0) | (1 << 1) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 18))))
status_field() { printf '%s\n' "$1" | awk -v f="$2:" '$1 == f { print $2 }'; }
# A non-root process loses its effective set at execve (no ambient caps), so
# the effective set is checked as a subset of the allowlist; the bounding set
# shows the rewrite exactly.
within_allowlist() { [ -n "$1" ] && [ $((0x$1 & ~0x$allow_mask)) -eq 0 ]; }

# --- non-root by default ---------------------------------------------------------
out=$(dk_run --rm --network none "$IMAGE" id -u 2>&1)
assert_eq "control: default runtime runs as root" "$out" 0
out=$(secure_run "$IMAGE" id -u 2>&1); rc=$?
assert_status "secure: plain container runs" "$rc" 0
assert_eq "secure: id -u is 65534 (uid 0 rewritten)" "$out" 65534
out=$(secure_run "$IMAGE" id -G 2>&1)
assert_not_contains "secure: not in group 0" " $out " " 0 "
out=$(secure_run -u 1000 "$IMAGE" id -u 2>&1)
assert_eq "secure: explicit -u 1000 kept" "$out" 1000

# --- ping denied: CAP_NET_RAW is not in the allowlist -------------------------------
out=$(dk_run --rm --network none "$IMAGE" ping -c 1 -W 1 127.0.0.1 2>&1); rc=$?
assert_status "control: ping works under the default runtime" "$rc" 0
out=$(secure_run "$IMAGE" ping -c 1 -W 1 127.0.0.1 2>&1); rc=$?
if [ "$rc" -ne 0 ]; then ok "secure: ping fails (exit $rc)"; else fail "secure: ping worked: $out"; fi
if printf '%s' "$out" | grep -qi 'permission denied\|operation not permitted'; then ok "secure: ping fails for lack of permission"
else fail "secure: ping failed for another reason: $out"; fi

# --- --privileged refused, with the reason in docker's output ----------------------
out=$(secure_run --privileged "$IMAGE" echo should-not-run 2>&1); rc=$?
if [ "$rc" -ne 0 ]; then ok "--privileged: refused (docker exit $rc)"; else fail "--privileged: the container ran"; fi
assert_not_contains "--privileged: the container never ran" "$out" should-not-run
# The engine's words (docker's flag), the main reason first, one short line.
assert_contains "--privileged: docker shows secshim's reason in docker's words" "$out" "--privileged is refused"
check "--privileged: the message is at most 1 KiB" test "$(printf '%s' "$out" | wc -c)" -le 1024
diag "docker said: $(printf '%s' "$out" | tr '\n' ' ' | head -c 300)"

# --- --cap-add ALL neutralised ----------------------------------------------------
out=$(secure_run --cap-add ALL "$IMAGE" cat /proc/self/status 2>&1); rc=$?
assert_status "--cap-add ALL: container runs" "$rc" 0
check "--cap-add ALL: CapEff within the allowlist" within_allowlist "$(status_field "$out" CapEff)"
assert_eq "--cap-add ALL: CapBnd is the allowlist" "$(status_field "$out" CapBnd)" "$allow_mask"
assert_eq "--cap-add ALL: CapInh is empty" "$(status_field "$out" CapInh)" 0000000000000000

# --- a read-only container with memory and pids limits runs ------------------------
out=$(secure_run --read-only --memory 64m --pids-limit 50 --cpus 0.5 "$IMAGE" \
  sh -c 'cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max; touch /rootfs-write 2>/dev/null && echo WRITABLE || echo READONLY' 2>&1); rc=$?
assert_status "read-only + limits: container runs" "$rc" 0
assert_contains "read-only + limits: pids limit applied" "$out" "50
"
assert_contains "read-only + limits: root is read-only" "$out" READONLY

# --- docker exec ---------------------------------------------------------------
name=secshim-e2e-proc-$$
out=$(dk_run -d --name "$name" --network none --runtime secure "$IMAGE" sleep 300 2>&1)
if wait_running "$name" 10; then ok "exec: detached secure container is running"; else fail "exec: container not running: $out"; fi

out=$(dk exec -u 0 "$name" id -u 2>&1); rc=$?
if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -q secshim; then ok "exec -u 0: refused with secshim's reason"
else assert_eq "exec -u 0: the exec'd process is not root" "$out" 65534; fi

out=$(dk exec --privileged "$name" cat /proc/self/status 2>&1); rc=$?
if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -q secshim; then ok "exec --privileged: refused with secshim's reason"
else
  check "exec --privileged: CapEff within the allowlist" within_allowlist "$(status_field "$out" CapEff)"
  assert_eq "exec --privileged: CapBnd is the allowlist" "$(status_field "$out" CapBnd)" "$allow_mask"
fi

out=$(dk exec -u 1000 "$name" id -u 2>&1)
assert_eq "exec -u 1000: kept" "$out" 1000
out=$(dk exec "$name" id -u 2>&1)
assert_eq "exec: default user is 65534 like the container" "$out" 65534
out=$(dk exec -w /proc/self/fd "$name" true 2>&1); rc=$?
if [ "$rc" -ne 0 ]; then ok "exec -w /proc/self/fd: refused"; else fail "exec -w /proc/self/fd: ran"; fi
assert_contains "exec -w /proc/self/fd: secshim's reason" "$out" "CVE-2024-21626"

dk rm -f "$name" >/dev/null 2>&1
done_testing
