#!/usr/bin/env bash
# podman with `--runtime secshim` (private storage root and run root; the
# host's podman storage is not touched): a normal container runs with
# no_new_privileges forced, a /run/systemd bind is refused with secshim's
# message (the exact text, in podman's words: -v, --privileged, --pid host),
# and plain runc runs that same bind (control).  Then `secshim install
# --podman --default` (a drop-in under a private root, read through
# CONTAINERS_CONF): podman run without --runtime goes through secshim.
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
assert_contains "podman shows secshim's reason" "$out" "secshim: mounts: -v /run/systemd:/run/systemd is refused"
# The exact text, in podman's words, and short enough for podman to show
# (it could not display an 8 KiB line).
want="secshim: mounts: -v /run/systemd:/run/systemd is refused: host path /run/systemd is listed in rules.mounts (deny or denyExact); mount a narrower path or a volume, or exempt the container from rule mounts (policy /etc/secshim/default.json; details: secshim check / audit log)"
assert_eq "podman: the exact message" "$(printf '%s\n' "$out" | grep -o 'secshim: mounts: .*audit log)' | head -n 1)" "$want"
out=$(prun "$SECSHIM_BIN" --privileged --rootfs "$ROOTFS" /bin/echo should-not-run); rc=$?
if [ "$rc" -ne 0 ]; then ok "podman --privileged refused (exit $rc)"; else fail "podman --privileged ran"; fi
msg=$(printf '%s\n' "$out" | grep -o 'secshim: privileged: .*' | head -n 1)
assert_contains "podman --privileged: one clause in podman's words" "$msg" \
  "secshim: privileged: --privileged is refused: it gives every capability and host device and no seccomp filter"
n=$(printf '%s' "$msg" | wc -c)
if [ "$n" -gt 0 ] && [ "$n" -lt 1024 ]; then ok "podman --privileged: the message is $n bytes"; else fail "podman --privileged: $n bytes: $out"; fi
out=$(prun "$SECSHIM_BIN" --pid host --rootfs "$ROOTFS" /bin/echo should-not-run); rc=$?
assert_contains "podman --pid host: in podman's words" "$out" \
  "secshim: namespaces: --pid host is refused: the container would share the host's namespace; drop it, or exempt the container from rule namespaces (policy /etc/secshim/default.json; details: secshim check / audit log)"
assert_eq "no container left behind" "$(pm ps -aq | wc -l)" 0

# --- secshim install --podman --default ---------------------------------------
root=$d/root; mkdir -p "$root/etc"; cp -R "$SECSHIM_TOP/policy" "$root/etc/secshim"
out=$(SECSHIM_BIN=$SECSHIM_BIN "$SECSHIM_TOP/hack/secshim-admin" install --podman --default --root "$root" --bin "$SECSHIM_BIN" 2>&1); rc=$?
assert_status "secshim install --podman --default" "$rc" 0
export CONTAINERS_CONF=$root/etc/containers/containers.conf.d/99-secshim.conf
out=$(pm run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --rootfs "$ROOTFS" /bin/grep NoNewPrivs /proc/self/status 2>&1)
assert_contains "podman run without --runtime goes through secshim" "$(printf '%s' "$out" | tr -s ' \t' ' ')" "NoNewPrivs: 1"
out=$(pm run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -v /run/systemd:/run/systemd --rootfs "$ROOTFS" /bin/echo should-not-run 2>&1)
assert_contains "and its policy refuses -v /run/systemd" "$out" "secshim: mounts: -v /run/systemd:/run/systemd is refused"
out=$(SECSHIM_BIN=$SECSHIM_BIN "$SECSHIM_TOP/hack/secshim-admin" uninstall --podman --root "$root" 2>&1); rc=$?
assert_status "secshim uninstall --podman" "$rc" 0
check "the drop-in is gone" test ! -e "$CONTAINERS_CONF"
unset CONTAINERS_CONF
done_testing
