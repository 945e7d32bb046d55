#!/usr/bin/env bash
# `secshim uninstall --docker` against a running PRIVATE dockerd (its
# daemon.json, pid file and socket under a fake root; the host's dockerd is
# not touched), then the secshim binary deleted as package removal does:
#
# - dockerd does not drop a runtime on SIGHUP, so uninstall first reloads it
#   with "secure" -> plain runc: `docker run` (default and --runtime secure)
#   keeps working without secshim, before dockerd is restarted;
# - containers created through secshim can still be stopped and removed,
#   and their processes really go;
# - the pre-existing daemon.json comes back byte for byte, and a restarted
#   dockerd no longer knows "secure".
. "$(dirname "$0")/../lib/lib.sh"
. "$SECSHIM_TOP/tests/lib/deploy.sh"
deploy_need dockerd docker containerd jq
rootfs_setup
IMAGE=secshim-deploy/busybox:latest

d=$(mktemp -d /tmp/secshim-ddu.XXXXXX)
root=$d/root sock=$root/var/run/docker.sock
mkdir -p "$root/etc/docker" "$root$d" "$root/var/run" "$d/bin"
# The policy's host path (read by secshim) and its copy under the root
# (where secshim install checks it exists).
cp -R "$SECSHIM_TOP/policy" "$d/policy"; cp -R "$d/policy" "$root$d/policy"
# The binary the engine is given: a link that "package removal" deletes.
ln -s "$SECSHIM_BIN" "$d/bin/secshim"
dj=$root/etc/docker/daemon.json
# deprecated-key-path: dockerd 20.10 otherwise creates the host's /etc/docker/key.json.
printf '{"log-level": "warn",\n  "cgroup-parent":"secshim-deploy" ,\t"shutdown-timeout": 5, "deprecated-key-path": "%s"}' "$d/key.json" >"$dj"
orig_sha=$(sha_of "$dj")
out=$("$ADMIN" install --docker --default --root "$root" --bin "$d/bin/secshim" --policy "$d/policy/default.json" 2>&1); rc=$?
assert_status "secshim install --docker --default" "$rc" 0
out=$("$ADMIN" install --docker --name secure-restricted --root "$root" --bin "$d/bin/secshim" --policy "$d/policy/restricted.json" 2>&1); rc=$?
assert_status "secshim install --docker --name secure-restricted (a second runtime)" "$rc" 0

dk() { timeout 90 docker -H "unix://$sock" "$@"; }
dd_pid=""
start_dockerd() {
  setsid dockerd --config-file "$dj" --data-root "$d/data" --exec-root "$d/exec" \
    -H "unix://$sock" --pidfile "$root/var/run/docker.pid" --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    </dev/null >>"$d/dockerd.log" 2>&1 &
  dd_pid=$!
  for _ in $(seq 240); do dk version >/dev/null 2>&1 && return 0; kill -0 "$dd_pid" 2>/dev/null || break; sleep 0.25; done
  return 1
}
stop_dockerd() { deploy_dockerd_kill "$dd_pid" "$d"; }
cleanup() { deploy_dockerd_stop "$dd_pid" "$d"; }
deploy_on_exit cleanup
if ! start_dockerd; then
  fail "private dockerd did not start: $(tail -n 3 "$d/dockerd.log")"; done_testing; exit
fi
ok "private dockerd starts with secshim as its default runtime"
dk import "$(dirname "$ROOTFS")/rootfs.tar" "$IMAGE" >/dev/null 2>&1 || { fail "docker import of the test image"; done_testing; exit; }
nnp() { dk run --rm --network none "$@" "$IMAGE" grep NoNewPrivs /proc/self/status 2>&1 | tr -s ' \t' ' '; }
assert_eq "before uninstall the default runtime is secshim (NoNewPrivs forced)" "$(nnp)" "NoNewPrivs: 1"

# Two long-running containers created through secshim, one per runtime.
dk run -d --name keep --network none "$IMAGE" sleep 1000 >/dev/null 2>&1
assert_eq "keep: created through runtime secure" "$(dk inspect -f '{{.HostConfig.Runtime}} {{.State.Running}}' keep 2>&1)" "secure true"
dk run -d --name kill --runtime secure-restricted --network none -u 1000:1000 --read-only --memory 64m --pids-limit 64 --cpus 0.5 "$IMAGE" sleep 1000 >/dev/null 2>&1
assert_eq "kill: created through runtime secure-restricted" "$(dk inspect -f '{{.HostConfig.Runtime}} {{.State.Running}}' kill 2>&1)" "secure-restricted true"
pid_keep=$(dk inspect -f '{{.State.Pid}}' keep); pid_kill=$(dk inspect -f '{{.State.Pid}}' kill)

sha_installed=$(sha_of "$dj")
out=$("$ADMIN" uninstall --docker --dry-run --root "$root" --bin "$d/bin/secshim" 2>&1); rc=$?
assert_status "uninstall --docker --dry-run" "$rc" 0
assert_contains "dry-run says it would reload dockerd first" "$out" "would first reload dockerd (pid "
assert_eq "dry-run: daemon.json unchanged" "$(sha_of "$dj")" "$sha_installed"
assert_eq "dry-run: dockerd untouched" "$(dk info --format '{{.DefaultRuntime}}')" secure
out=$("$ADMIN" uninstall --docker --root "$root" --bin "$d/bin/secshim" 2>&1); rc=$?
assert_status "secshim uninstall --docker with dockerd running" "$rc" 0
assert_contains "uninstall says what dockerd now runs" "$out" "now runs runtime \"secure\" as plain runc, default runtime \"runc\""
assert_contains "uninstall says to restart dockerd" "$out" "restart dockerd when convenient (systemctl restart docker)"
assert_eq "daemon.json byte for byte" "$(sha_of "$dj")" "$orig_sha"
assert_eq "dockerd in memory: default runc, both runtimes -> runc" \
  "$(dk info --format '{{.DefaultRuntime}} {{(index .Runtimes "secure").Path}} {{(index .Runtimes "secure-restricted").Path}}')" "runc runc runc"

# Package removal: the binary the shims and the old runtime named is gone.
rm -f "$d/bin/secshim"
out=$(dk run --rm --network none "$IMAGE" echo after-uninstall 2>&1); rc=$?
assert_status "docker run after uninstall + removal (no restart)" "$rc" 0
assert_contains "docker run output" "$out" after-uninstall
out=$(dk run --rm --network none --runtime secure "$IMAGE" echo secure-is-runc 2>&1); rc=$?
assert_status "--runtime secure now runs plain runc" "$rc" 0
assert_eq "and without secshim's no_new_privileges" "$(nnp --runtime secure)" "NoNewPrivs: 0"

out=$(dk stop -t 2 keep 2>&1); rc=$?
assert_status "docker stop of a container created through secshim" "$rc" 0
check "docker stop: its process is gone" test ! -e "/proc/$pid_keep"
assert_eq "docker stop: docker sees it stopped" "$(dk inspect -f '{{.State.Running}}' keep)" false
out=$(dk rm keep 2>&1); rc=$?
assert_status "docker rm of the stopped one" "$rc" 0
out=$(dk rm -f kill 2>&1); rc=$?
assert_status "docker rm -f of a running one" "$rc" 0
check "docker rm -f: its process is gone" test ! -e "/proc/$pid_kill"
assert_eq "no container left" "$(dk ps -aq | wc -l)" 0

# A restart reads the restored file: no "secure" any more, runc works.
stop_dockerd
check "the first dockerd stopped" test ! -e "/proc/$dd_pid"
if start_dockerd; then
  assert_eq "restarted dockerd: no runtime secure" "$(dk info --format '{{.DefaultRuntime}}{{range $k, $v := .Runtimes}} {{$k}}{{end}}' | grep -c secure)" 0
  out=$(dk run --rm --network none "$IMAGE" echo after-restart 2>&1); rc=$?
  assert_status "docker run after the restart" "$rc" 0
else
  fail "dockerd does not start again with the restored daemon.json: $(tail -n 3 "$d/dockerd.log")"
fi
done_testing
