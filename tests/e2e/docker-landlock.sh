#!/usr/bin/env bash
# The bane profile confines containers on a host without AppArmor, through
# Landlock, via a real dockerd (hack/dockerd.sh).  The policy is the default
# one with the seed's nginx-sample.toml as AppArmor source (runtime
# "secure-landlock"); the image is the busybox test image with a regular-file
# /bin/sh (busybox's applets are symlinks, which no path rule can deny) and a
# static /usr/sbin/nginx stub.  Inside: /bin/sh cannot run, /etc cannot be
# written, nginx (AllowExec) and everything else runs, /var stays writable;
# `docker exec` is confined the same way; `docker stop` and `rm` work; the
# same commands with --runtime runc show the difference; the audit record
# names Landlock.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/docker.sh"

[ -x "$SECSHIM_BUILD/secshim-landlock" ] || { fail "helper $SECSHIM_BUILD/secshim-landlock not built (make)"; done_testing; exit; }
abi=$("$SECSHIM_BUILD/secshim-landlock" --abi 2>/dev/null || echo -1)
[ "${abi:--1}" -ge 1 ] || { skip "docker-landlock: this kernel has no Landlock"; done_testing; exit; }
if [ -d /sys/kernel/security/apparmor ] && [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
  skip "docker-landlock: AppArmor is enabled here, so the rule uses AppArmor (tests/vm covers it)"; done_testing; exit
fi

pdir=$(mktemp -d); chmod 0755 "$pdir"
log=/var/log/secshim/audit-landlock.jsonl
# The daemon is restarted with our policy directory; leave it as the other
# e2e scripts expect (they restart it otherwise anyway).
restore() {
  docker_e2e_teardown
  dk rmi -f secshim-test/landlock:latest >/dev/null 2>&1
  env -u SECSHIM_POLICY_DIR -u SECSHIM_POLICY SECSHIM_BIN=$SECSHIM_BIN "$SECSHIM_TOP/hack/dockerd.sh" start >/dev/null 2>&1
  rm -rf "$pdir"
}
jq --arg toml "$SECSHIM_TOP/tests/apparmor/nginx-sample.toml" --arg seccomp "$SECSHIM_TOP/policy/seccomp/default.json" \
  --arg log "$log" \
  '.audit.log = $log | .rules.apparmor.source = $toml | .rules.seccomp.profile = $seccomp' \
  "$SECSHIM_TOP/policy/default.json" >"$pdir/landlock.json.new"
cp -R "$SECSHIM_TOP/policy/." "$pdir/" && mv "$pdir/landlock.json.new" "$pdir/landlock.json"
export SECSHIM_POLICY_DIR=$pdir SECSHIM_POLICY=$SECSHIM_TOP/policy/default.json
docker_e2e_setup
trap restore EXIT
dk info --format '{{json .Runtimes}}' | grep -q '"secure-landlock"' || { fail "no secure-landlock runtime"; done_testing; exit; }

# The image: the test rootfs, /bin/sh a regular file, a static nginx stub.
img=$pdir/img; mkdir -p "$img/rootfs"
tar -C "$img/rootfs" -xf "$SECSHIM_BUILD/testimage/rootfs.tar"
rm -f "$img/rootfs/bin/sh" && cp "$img/rootfs/bin/busybox" "$img/rootfs/bin/sh"
printf '#include <stdio.h>\nint main (void) { puts ("nginx-stub ran"); return 0; }\n' >"$img/nginx.c"
mkdir -p "$img/rootfs/usr/sbin" "$img/rootfs/var/run"
# Files the container user may write as far as permissions go, so that a
# refusal can only come from Landlock.
echo orig >"$img/rootfs/etc/open-file"; chmod 0666 "$img/rootfs/etc/open-file"
: >"$img/rootfs/var/run/nginx.pid"; chmod 0666 "$img/rootfs/var/run/nginx.pid"
cc -static -O2 -o "$img/rootfs/usr/sbin/nginx" "$img/nginx.c" || { fail "cannot build the nginx stub"; done_testing; exit; }
tar --numeric-owner -C "$img/rootfs" -cf "$img/rootfs.tar" .
dk import "$img/rootfs.tar" secshim-test/landlock:latest >/dev/null || { fail "docker import"; done_testing; exit; }
L=secshim-test/landlock:latest

ll_run() { dk_run --rm --network none --runtime secure-landlock "$@"; }

# --- /bin/sh (regular file, DenyExec) cannot run -----------------------------------
out=$(dk_run --rm --network none --runtime runc "$L" /bin/sh -c 'echo shell-ran' 2>&1)
assert_eq "control (runc): /bin/sh runs" "$out" shell-ran
out=$(ll_run "$L" /bin/sh -c 'echo shell-ran' 2>&1); rc=$?
assert_not_contains "landlock: /bin/sh does not run" "$out" shell-ran
assert_status "landlock: docker run exits 126 (cannot execute)" "$rc" 126
assert_contains "landlock: the helper says permission denied" "$out" 'exec: "/bin/sh": permission denied'
out=$(ll_run "$L" busybox cat /bin/sh 2>&1)
assert_contains "landlock: /bin/sh cannot be read either (deny mrwklx)" "$out" "Permission denied"

# Under secshim's own seccomp profile (injected for seccomp=unconfined)
# instead of Docker's, the helper's landlock_* calls are allowed too.
out=$(ll_run --security-opt seccomp=unconfined "$L" /bin/sh -c 'echo shell-ran' 2>&1)
assert_contains "landlock under secshim's seccomp profile: /bin/sh still denied" "$out" 'exec: "/bin/sh": permission denied'
out=$(ll_run --security-opt seccomp=unconfined "$L" busybox echo runs 2>&1)
assert_eq "landlock under secshim's seccomp profile: allowed commands run" "$out" runs

# --- /etc is read-only, /var is not (files mode 0666: only Landlock can refuse) ---
w='echo new >/etc/open-file && echo wrote; cat /etc/open-file'
out=$(dk_run --rm --network none --runtime runc -u 65534 "$L" busybox sh -c "$w" 2>&1)
assert_contains "control (runc): uid 65534 writes the 0666 file in /etc" "$out" wrote
out=$(ll_run "$L" busybox sh -c "$w" 2>&1)
assert_contains "landlock: a file in /etc cannot be written (ReadOnlyPaths /etc/**)" "$out" "Permission denied"
assert_not_contains "landlock: ... and was not" "$out" wrote
assert_contains "landlock: ... it still reads" "$out" orig
out=$(ll_run "$L" busybox sh -c 'echo 42 >/var/run/nginx.pid && cat /var/run/nginx.pid' 2>&1)
assert_eq "landlock: /var/run/nginx.pid (WritablePaths, under no read-only tree) is written" "$out" 42
out=$(dk_run --rm --network none --runtime runc -u 65534 "$L" busybox sh -c 'touch /tmp/x && echo touched' 2>&1)
assert_eq "control (runc): /tmp (1777) is writable" "$out" touched
out=$(ll_run "$L" busybox sh -c 'touch /tmp/x && echo touched' 2>&1)
assert_contains "landlock: /tmp is read-only in nginx-sample" "$out" "Permission denied"

# --- what is not denied runs -------------------------------------------------------
out=$(ll_run "$L" /usr/sbin/nginx 2>&1)
assert_eq "landlock: the AllowExec program runs" "$out" "nginx-stub ran"
out=$(ll_run "$L" busybox sh -c 'ls /etc | wc -l; id -u; cat /etc/hostname' 2>&1); rc=$?
assert_status "landlock: busybox applets run, /etc lists and reads" "$rc" 0
assert_contains "landlock: still non-root (user rule)" "$out" 65534
out=$(ll_run "$L" busybox sh -c 'cat /proc/1/cmdline; echo' 2>&1 | tr '\0' ' ')
assert_contains "landlock: the helper exec'd the command (pid 1 is not the helper)" "$out" "busybox sh -c"
assert_not_contains "landlock: the helper is gone from pid 1's cmdline" "$out" secshim-landlock

# --- docker exec: confined the same way, stop and rm work --------------------------
name=landlock-$$
dk_run -d --name "$name" --network none --runtime secure-landlock "$L" busybox sleep 300 >/dev/null
if wait_running "$name"; then
  ok "landlock: a long-running container starts"
  out=$(dk exec "$name" /bin/sh -c 'echo shell-ran' 2>&1); rc=$?
  assert_not_contains "exec: /bin/sh does not run" "$out" shell-ran
  assert_contains "exec: the helper refused it" "$out" "permission denied"
  out=$(dk exec "$name" busybox sh -c 'echo x >/etc/open-file && echo wrote' 2>&1)
  assert_contains "exec: a file in /etc cannot be written" "$out" "Permission denied"
  out=$(dk exec "$name" busybox sh -c 'echo 7 >/var/run/nginx.pid && cat /var/run/nginx.pid' 2>&1)
  assert_eq "exec: /var/run/nginx.pid is written" "$out" 7
  out=$(dk exec "$name" busybox echo exec-ok 2>&1)
  assert_eq "exec: an allowed command runs" "$out" exec-ok
  out=$(dk top "$name" 2>&1)
  assert_contains "docker top works" "$out" "sleep 300"
  start=$(date +%s)
  dk stop -t 5 "$name" >/dev/null 2>&1; rc=$?
  assert_status "docker stop works" "$rc" 0
  [ $(($(date +%s) - start)) -le 15 ] && ok "docker stop returns in time" || fail "docker stop took too long"
  dk rm "$name" >/dev/null 2>&1; rc=$?
  assert_status "docker rm works" "$rc" 0
else
  fail "landlock: long-running container did not start: $(dk logs "$name" 2>&1 | tail -3)"
fi

# --- the audit record says which mechanism enforced the profile -------------------
rec=$(grep '"verb":"create"' "$log" 2>/dev/null | tail -n 1)
assert_contains "audit: the create record names Landlock" "$rec" "enforced by Landlock ABI $abi"
assert_contains "audit: ... and the profile" "$rec" 'profile `nginx-sample`'
rec=$(grep '"verb":"exec"' "$log" 2>/dev/null | tail -n 1)
assert_contains "audit: the exec record names Landlock" "$rec" "enforced by Landlock"

# --- the default policy (no file rules) and the audit policy stay transparent ------
out=$(secure_run "$IMAGE" sh -c 'tr "\0" " " </proc/self/cmdline; ls -a /dev' 2>&1)
assert_not_contains "default policy: no helper (its profile has no file rules)" "$out" secshim-landlock
out=$(dk_run --rm --network none --runtime secure-audit "$L" /bin/sh -c 'echo shell-ran; ls -a /dev' 2>&1)
assert_contains "audit policy: /bin/sh runs (transparent)" "$out" shell-ran
assert_not_contains "audit policy: nothing mounted in /dev" "$out" secshim-landlock
done_testing
