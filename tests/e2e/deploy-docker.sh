#!/usr/bin/env bash
# dockerd wired up by `secshim install`, against a PRIVATE dockerd (own data
# root, exec root, socket and daemon.json; the host's dockerd is not touched):
#
# 1. `secshim install --docker --default`: containers without --runtime go
#    through secshim (no_new_privileges forced, /run/systemd refused) -- and
#    `--runtime runc` still bypasses it, as doctor warns.
# 2. `secshim install --runc-mode` on THIS host (dpkg-divert of /usr/sbin/runc):
#    now `--runtime runc` is policed too.  The host is restored by
#    `secshim uninstall --runc-mode` in an exit trap, with a by-hand fallback,
#    whatever happens in between.
. "$(dirname "$0")/../lib/lib.sh"
. "$SECSHIM_TOP/tests/lib/deploy.sh"
deploy_need dockerd docker containerd jq dpkg-divert
rootfs_setup
etc_policy_setup
IMAGE=secshim-deploy/busybox:latest

d=$(mktemp -d /tmp/secshim-dd.XXXXXX)
root=$d/root sock=$d/docker.sock
mkdir -p "$root/etc/docker" "$root/etc/secshim"
cp -R "$SECSHIM_TOP/policy/." "$root/etc/secshim/"   # install checks that the policy loads
# deprecated-key-path: dockerd 20.10 otherwise creates the host's /etc/docker/key.json.
cat >"$root/etc/docker/daemon.json" <<J
{"log-level": "warn", "cgroup-parent": "secshim-deploy", "shutdown-timeout": 5, "deprecated-key-path": "$d/key.json"}
J
out=$("$ADMIN" install --docker --default --root "$root" --bin "$SECSHIM_BIN" 2>&1); rc=$?
assert_status "secshim install --docker --default on the private daemon.json" "$rc" 0
assert_eq "other keys kept" "$(jq -r '."cgroup-parent"' "$root/etc/docker/daemon.json")" secshim-deploy

DOCKER=$(command -v docker)
dk() { timeout 90 "$DOCKER" -H "unix://$sock" "$@"; }
setsid dockerd --config-file "$root/etc/docker/daemon.json" --data-root "$d/data" --exec-root "$d/exec" \
  -H "unix://$sock" --pidfile "$d/docker.pid" --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
  </dev/null >"$d/dockerd.log" 2>&1 &
dd_pid=$!
stop_dockerd() { deploy_dockerd_stop "$dd_pid" "$d"; }
deploy_on_exit stop_dockerd
for _ in $(seq 240); do dk version >/dev/null 2>&1 && break; kill -0 "$dd_pid" 2>/dev/null || break; sleep 0.25; done
if ! dk version >/dev/null 2>&1; then
  fail "private dockerd did not start with the daemon.json secshim install wrote: $(tail -n 3 "$d/dockerd.log")"
  done_testing; exit
fi
ok "private dockerd starts with the daemon.json secshim install wrote"
assert_eq "dockerd's default runtime is secure" "$(dk info --format '{{.DefaultRuntime}}')" secure
dk import "$(dirname "$ROOTFS")/rootfs.tar" "$IMAGE" >/dev/null 2>&1 || { fail "docker import of the test image"; done_testing; exit; }

drun() { dk run --rm --network none "$@" 2>&1; }
nnp() { printf '%s' "$1" | grep -E '^NoNewPrivs:' | tr -s ' \t' ' '; }
mkdir -p /run/systemd

# --- 1. default-runtime secure ------------------------------------------------
out=$(drun "$IMAGE" echo hello-default); rc=$?
assert_status "default runtime: normal container runs" "$rc" 0
assert_contains "default runtime: output" "$out" hello-default
assert_eq "default runtime goes through secshim (NoNewPrivs forced)" "$(nnp "$(drun "$IMAGE" grep NoNewPrivs /proc/self/status)")" "NoNewPrivs: 1"
out=$(drun -v /run/systemd:/run/systemd "$IMAGE" echo should-not-run); rc=$?
if [ "$rc" -ne 0 ]; then ok "default runtime: -v /run/systemd refused (exit $rc)"; else fail "default runtime: -v /run/systemd ran"; fi
assert_contains "default runtime: docker shows secshim's reason" "$out" "secshim: mounts: -v /run/systemd:/run/systemd is refused"
# The bypass doctor warns about: dockerd's reserved runc runtime.
out=$(drun --runtime runc -v /run/systemd:/run/systemd "$IMAGE" echo bypass-ran); rc=$?
assert_contains "without runc mode, --runtime runc bypasses secshim (the documented gap)" "$out" bypass-ran
out=$(SECSHIM_BIN=$SECSHIM_BIN "$ADMIN" doctor --root "$root" 2>&1)
assert_contains "doctor reports that bypass" "$out" "but 'docker run --runtime=runc' and BuildKit still reach the real runc"

# --- 2. runc mode on this host --------------------------------------------------
if [ "$(dpkg-divert --truename /usr/sbin/runc)" != /usr/sbin/runc ]; then
  fail "runc mode: /usr/sbin/runc is already diverted on this host ($(dpkg-divert --truename /usr/sbin/runc)); not touching it"
  done_testing; exit
fi
runc_sha=$(sha_of /usr/sbin/runc)
pol_sha=$(sha_of /etc/secshim/default.json)
restore_runc() {
  "$ADMIN" uninstall --runc-mode --bin "$SECSHIM_BIN" >/dev/null 2>&1
  # By hand if the script could not: the host must get its runc back.
  if [ "$(dpkg-divert --truename /usr/sbin/runc)" = /usr/sbin/runc.real ]; then
    [ -L /usr/sbin/runc ] && rm -f /usr/sbin/runc
    dpkg-divert --local --rename --remove /usr/sbin/runc >/dev/null 2>&1
  fi
}
deploy_on_exit restore_runc
out=$("$ADMIN" install --runc-mode --bin "$SECSHIM_BIN" 2>&1); rc=$?
assert_status "secshim install --runc-mode on this host" "$rc" 0
assert_eq "runc is now secshim" "$(readlink /usr/sbin/runc)" "$SECSHIM_BIN"
assert_eq "the policy names runc.real" "$(jq -r .runtime /etc/secshim/default.json)" /usr/sbin/runc.real
out=$(drun --runtime runc "$IMAGE" echo hello-runc-mode); rc=$?
assert_status "runc mode: --runtime runc normal container runs" "$rc" 0
assert_contains "runc mode: output" "$out" hello-runc-mode
assert_eq "runc mode: --runtime runc goes through secshim" "$(nnp "$(drun --runtime runc "$IMAGE" grep NoNewPrivs /proc/self/status)")" "NoNewPrivs: 1"
out=$(drun --runtime runc -v /run/systemd:/run/systemd "$IMAGE" echo should-not-run); rc=$?
if [ "$rc" -ne 0 ]; then ok "runc mode: --runtime runc -v /run/systemd refused (exit $rc)"; else fail "runc mode: --runtime runc -v /run/systemd ran"; fi
assert_contains "runc mode: docker shows secshim's reason" "$out" "secshim: mounts: -v /run/systemd:/run/systemd is refused"
out=$(drun "$IMAGE" echo hello-secure-in-runc-mode); rc=$?
assert_status "runc mode: the secure runtime still finds the real runc" "$rc" 0
out=$(SECSHIM_BIN=$SECSHIM_BIN "$ADMIN" doctor 2>&1)
assert_contains "doctor sees runc mode on the host" "$out" "OK    runc mode: /usr/sbin/runc is secshim"

out=$("$ADMIN" uninstall --runc-mode --bin "$SECSHIM_BIN" 2>&1); rc=$?
assert_status "secshim uninstall --runc-mode" "$rc" 0
assert_eq "the real runc is back, byte for byte" "$(sha_of /usr/sbin/runc)" "$runc_sha"
assert_eq "no diversion left" "$(dpkg-divert --truename /usr/sbin/runc)" /usr/sbin/runc
assert_eq "the policy is back, byte for byte" "$(sha_of /etc/secshim/default.json)" "$pol_sha"
out=$(drun --runtime runc -v /run/systemd:/run/systemd "$IMAGE" echo bypass-again)
assert_contains "after uninstall --runtime runc is plain runc again" "$out" bypass-again
done_testing
