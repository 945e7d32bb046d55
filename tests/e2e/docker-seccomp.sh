#!/usr/bin/env bash
# Seccomp through real dockerd (private daemon, hack/dockerd.sh): a secure
# container always runs under a filter (Seccomp: 2), also with
# --security-opt seccomp=unconfined and with --cap-add SYS_ADMIN; unshare -U
# and mount -t tmpfs fail with EPERM; ordinary busybox work runs.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/docker.sh"

jq -e '.rules.seccomp' "$SECSHIM_TOP/policy/default.json" >/dev/null 2>&1 || {
  skip "docker-seccomp: policy/default.json does not enable the seccomp rule"
  done_testing
  exit
}
docker_e2e_setup

seccomp_line() { printf '%s' "$1" | grep -E '^Seccomp:' | tr -s ' \t' ' '; }
script='grep -E "^Seccomp:" /proc/self/status
unshare -U true 2>&1; echo "unshare-rc=$?"
mount -t tmpfs none /mnt 2>&1; echo "mount-rc=$?"
echo abc | wc -c | sed "s/^ */pipe=/"
(sleep 0; echo forked-child) & wait
ls / >/dev/null && echo ls-ok'

# Control: without secshim, seccomp=unconfined really leaves no filter.
out=$(dk_run --rm --network none --security-opt seccomp=unconfined "$IMAGE" sh -c "$script" 2>&1)
assert_eq "control: default runtime with seccomp=unconfined has no filter" "$(seccomp_line "$out")" "Seccomp: 0"

for variant in default unconfined cap-add-sys-admin; do
  case $variant in
    default) opts=() ;;
    unconfined) opts=(--security-opt seccomp=unconfined) ;;
    # dockerd generates its profile for a bounding set holding SYS_ADMIN, so
    # it allows unshare and mount; the capability rule drops SYS_ADMIN and
    # the seccomp rule must then take those syscalls away again
    # (security.md TL;DR 7: the CVE-2022-0185 class).
    cap-add-sys-admin) opts=(--cap-add SYS_ADMIN) ;;
  esac
  out=$(secure_run "${opts[@]}" "$IMAGE" sh -c "$script" 2>&1); rc=$?
  diag "$variant: $(printf '%s' "$out" | tr '\n' ' ' | head -c 400)"
  assert_status "$variant: secure container runs" "$rc" 0
  assert_eq "$variant: a seccomp filter is loaded" "$(seccomp_line "$out")" "Seccomp: 2"
  assert_contains "$variant: unshare -U fails with EPERM" "$out" "Operation not permitted"
  assert_contains "$variant: unshare -U exit status" "$out" "unshare-rc=1"
  assert_contains "$variant: mount -t tmpfs fails with EPERM" "$out" "permission denied"
  assert_not_contains "$variant: mount -t tmpfs does not succeed" "$out" "mount-rc=0"
  assert_contains "$variant: pipes work" "$out" "pipe=4"
  assert_contains "$variant: fork works" "$out" "forked-child"
  assert_contains "$variant: ls works" "$out" "ls-ok"
done

# SYS_ADMIN with no filter at all is two signs of a privileged container:
# refused outright, with the reason.
out=$(secure_run --cap-add SYS_ADMIN --security-opt seccomp=unconfined "$IMAGE" true 2>&1); rc=$?
assert_status "cap-add SYS_ADMIN + seccomp=unconfined: refused" "$rc" 125
assert_contains "cap-add SYS_ADMIN + seccomp=unconfined: secshim says why" "$out" "secshim: privileged: --cap-add SYS_ADMIN with --security-opt seccomp=unconfined together make the container privileged"

done_testing
