#!/usr/bin/env bash
# podman with `--runtime secshim` (private storage root and run root; the
# host's podman storage is not touched): a normal container runs with
# no_new_privileges forced, a /run/systemd bind is refused with secshim's
# message, and plain runc runs that same bind (control).
. "$(dirname "$0")/../lib/lib.sh"
. "$SECSHIM_TOP/tests/lib/deploy.sh"
deploy_need podman jq
rootfs_setup
etc_policy_setup

d=$(mktemp -d /tmp/secshim-podman.XXXXXX)
podman_cleanup() {
  awk -v d="$d" 'index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r | xargs -r umount -l 2>/dev/null
  rm -rf "$d"
}
deploy_on_exit podman_cleanup
# cgroupfs: no systemd here.  The ulimits: podman asks for nofile/nproc
# limits above this machine's hard limits, which runc may not raise.
pm() {
  timeout 120 podman --root "$d/storage" --runroot "$d/run" --cgroup-manager=cgroupfs --events-backend=file "$@"
}
prun() { # runtime args...
  local rt=$1; shift
  pm run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --runtime "$rt" "$@" 2>&1
}

out=$(prun "$SECSHIM_BIN" --rootfs "$ROOTFS" /bin/echo hello-from-podman); rc=$?
assert_status "podman run --runtime secshim: normal container" "$rc" 0
assert_contains "normal container printed" "$out" hello-from-podman
out=$(prun "$SECSHIM_BIN" --rootfs "$ROOTFS" /bin/grep NoNewPrivs /proc/self/status)
assert_contains "secshim forced no_new_privileges" "$(printf '%s' "$out" | tr -s ' \t' ' ')" "NoNewPrivs: 1"
mkdir -p /run/systemd
out=$(prun /usr/sbin/runc -v /run/systemd:/run/systemd --rootfs "$ROOTFS" /bin/echo control-ran); rc=$?
assert_status "control: plain runc runs the /run/systemd bind" "$rc" 0
out=$(prun "$SECSHIM_BIN" -v /run/systemd:/run/systemd --rootfs "$ROOTFS" /bin/echo should-not-run); rc=$?
if [ "$rc" -ne 0 ]; then ok "podman -v /run/systemd refused (exit $rc)"; else fail "podman -v /run/systemd ran"; fi
assert_not_contains "refused container never ran" "$out" should-not-run
assert_contains "podman shows secshim's reason" "$out" "secshim: mounts: bind mount of host path /run/systemd"
assert_eq "no container left behind" "$(pm ps -aq | wc -l)" 0
done_testing
