#!/usr/bin/env bash
# The seccomp rule through real runc: a runc-spec bundle with no
# linux.seccomp gets secshim's profile, and inside the container the filter
# is loaded (Seccomp: 2), `unshare -U` and `mount -t tmpfs` fail with EPERM,
# and ordinary busybox work (fork, pipes, files, time) still runs.  A control
# run of plain runc on the same bundle shows unshare -U succeeding there, so
# the EPERM is the filter's doing.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/bundle.sh"
SECSHIM_TEST_POLICY=$SECSHIM_TOP/tests/policy/docs/policy-seccomp-rewrite.json

[ "$(id -u)" -eq 0 ] || { skip "seccomp-runc: needs root"; done_testing; exit; }
[ -x "$SECSHIM_BIN" ] || { skip "seccomp-runc: $SECSHIM_BIN not built"; done_testing; exit; }
bundle_setup || { skip "seccomp-runc: no test image (hack/mkimage.sh)"; done_testing; exit; }

script='grep -E "^Seccomp:" /proc/self/status
unshare -U true 2>&1; echo "unshare-rc=$?"
mount -t tmpfs none /mnt 2>&1; echo "mount-rc=$?"
echo abc | wc -c | sed "s/^ */pipe=/"
(sleep 0; echo forked-child) & wait
mkdir -p /dev/shm/x && echo file-data >/dev/shm/x/f && cat /dev/shm/x/f && rm -r /dev/shm/x
date +%Y >/dev/null && echo date-ok
ls / >/dev/null && echo ls-ok'

# Control: plain runc, no filter at all.
b=$WORK/control
make_bundle "$b" "$(jq_args /bin/sh -c "$script") | del(.linux.seccomp)"
out=$("$RUNC" --root "$RUNC_ROOT" run --bundle "$b" sc-control 2>&1 </dev/null)
diag "control: $(printf '%s' "$out" | tr '\n' ' ')"
assert_contains "control: plain runc runs without a filter (Seccomp: 0)" "$out" "Seccomp:	0"
# The kernel looks the target up before checking capabilities: ENOENT here,
# so EPERM in the secure run comes from the filter, which runs first.
assert_not_contains "control: mount fails for another reason than EPERM" "$out" "permission denied"
control_unshare_ok=0
case $out in *unshare-rc=0*) control_unshare_ok=1 ;; esac

b=$WORK/secure
make_bundle "$b" "$(jq_args /bin/sh -c "$script") | del(.linux.seccomp)"
out=$(secshim_rt run --bundle "$b" sc-secure 2>&1 </dev/null); rc=$?
diag "secure: $(printf '%s' "$out" | tr '\n' ' ')"
assert_status "secure: the container runs" "$rc" 0
assert_contains "secure: a seccomp filter is loaded (Seccomp: 2)" "$out" "Seccomp:	2"
assert_contains "secure: unshare -U fails" "$out" "unshare-rc=1"
assert_contains "secure: unshare -U fails with EPERM" "$out" "Operation not permitted"
if [ "$control_unshare_ok" = 1 ]; then ok "control: unshare -U succeeds without the filter"; else
  skip "control: unshare -U fails even without a filter here (no unprivileged user namespaces)"; fi
assert_not_contains "secure: mount -t tmpfs fails" "$out" "mount-rc=0"
assert_contains "secure: mount -t tmpfs is refused with EPERM" "$out" "permission denied"
assert_contains "secure: pipes work" "$out" "pipe=4"
assert_contains "secure: fork works (clone without namespace flags)" "$out" "forked-child"
assert_contains "secure: files work" "$out" "file-data"
assert_contains "secure: time works" "$out" "date-ok"
assert_contains "secure: ls works" "$out" "ls-ok"

done_testing
