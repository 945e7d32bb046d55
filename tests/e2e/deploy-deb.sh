#!/usr/bin/env bash
# The Debian package on this machine, its whole lifecycle: `make deb` builds
# it, dpkg installs it (binary, secshim-admin, conffiles, logrotate snippet,
# man page, docs) without touching an existing /var/log/secshim, `secshim
# doctor` and `secshim install` work through the installed binary, a private
# dockerd runs containers through it, an upgrade to a newer build keeps them
# manageable, removal refuses while podman still needs the binary, then undoes
# runc mode and the docker install (dockerd keeps running containers and
# stopping the old ones), keeps the conffiles; purge removes what the package
# made and keeps logs that predate it.
. "$(dirname "$0")/../lib/lib.sh"
. "$SECSHIM_TOP/tests/lib/deploy.sh"
deploy_need dpkg dpkg-deb go-md2man jq dpkg-divert dockerd docker containerd podman logrotate
rootfs_setup
if dpkg-query -W -f='${Status}' secshim 2>/dev/null | grep -q 'ok installed'; then
  _deploy_give_up "deploy-deb: a secshim package is already installed on this host; not replacing it"
fi
if [ -e /etc/secshim ]; then
  # Not the package's: install and purge against an /etc without it (a
  # private view of this test's namespace), so the host's copy is neither
  # overwritten nor removed.
  [ "${SECSHIM_TEST_NS:-}" = 1 ] && [ -n "${PRIVATE_DIR_SAVE:-}" ] ||
    _deploy_give_up "deploy-deb: /etc/secshim exists outside the package; run through tests/run-all.sh to hide it"
  . "$SECSHIM_TOP/tests/lib/overlay.sh"
  overlay_dir /etc "$PRIVATE_DIR_SAVE" secshim && rmdir /etc/secshim ||
    _deploy_give_up "deploy-deb: cannot hide the host's /etc/secshim"
  deploy_on_exit "umount -R /etc"
  diag "the host's /etc/secshim is hidden from this test"
fi
[ "$(dpkg-divert --truename /usr/sbin/runc)" = /usr/sbin/runc ] || _deploy_give_up "deploy-deb: /usr/sbin/runc is diverted already"

deb=$("$SECSHIM_TOP/hack/build-deb.sh" 2>"$SECSHIM_BUILD/build-deb.log" | tail -n 1); rc=$?
assert_status "hack/build-deb.sh" "$rc" 0
[ -f "$deb" ] || { fail "no .deb produced: $(tail -n 5 "$SECSHIM_BUILD/build-deb.log")"; done_testing; exit; }
deb=$(readlink -f "$deb")
deb2=$(DEB_REVISION=2 "$SECSHIM_TOP/hack/build-deb.sh" 2>>"$SECSHIM_BUILD/build-deb.log" | tail -n 1)
assert_eq "a newer build for the upgrade" "$(dpkg-deb -f "$deb2" Version)" "$(cat "$SECSHIM_TOP/VERSION")-2"
assert_eq "Depends" "$(dpkg-deb -f "$deb" Depends)" "libc6, libyajl2, libseccomp2, libaudit1, libcap-ng0, libapparmor1, libnettle8, runc, jq"
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/secshim ./usr/lib/secshim/secshim-admin ./usr/lib/secshim/secshim-landlock ./etc/secshim/default.json \
         ./etc/logrotate.d/secshim ./usr/share/man/man1/secshim.1.gz ./usr/share/doc/secshim/copyright ./usr/share/doc/secshim/SECURITY.md; do
  assert_contains "package holds $f" "$contents" "$f"
done

runc_sha=$(sha_of /usr/sbin/runc)
cleanup_pkg() {
  if dpkg-query -W -f='${Status}' secshim 2>/dev/null | grep -q installed; then dpkg -P secshim >/dev/null 2>&1; fi
  if [ "$(dpkg-divert --truename /usr/sbin/runc)" = /usr/sbin/runc.real ]; then
    [ -L /usr/sbin/runc ] && rm -f /usr/sbin/runc
    dpkg-divert --local --rename --remove /usr/sbin/runc >/dev/null 2>&1
  fi
}
deploy_on_exit cleanup_pkg

# An audit log directory that predates the package (the runner's private
# one: a tmpfs, mode 0700) with a log in it.
mkdir -p -m 0700 /var/log/secshim
log_mode=$(stat -c %a /var/log/secshim)
echo '{"predates":"the package"}' >/var/log/secshim/predates.jsonl

out=$(DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" 2>&1); rc=$?
assert_status "dpkg -i" "$rc" 0
assert_eq "package state" "$(dpkg-query -W -f='${Status}' secshim)" "install ok installed"
assert_contains "policies are conffiles" "$(dpkg-query -W -f='${Conffiles}' secshim)" " /etc/secshim/default.json "
check "man page found by man" test "$(man -w secshim 2>/dev/null)" = /usr/share/man/man1/secshim.1.gz
assert_contains "man page renders" "$(MANWIDTH=80 man secshim 2>/dev/null)" "secshim - OCI runtime wrapper"
assert_eq "postinst keeps the mode of an existing /var/log/secshim" "$(stat -c %a /var/log/secshim)" "$log_mode"
check "postinst keeps its content" test -s /var/log/secshim/predates.jsonl
assert_contains "logrotate snippet is a conffile" "$(dpkg-query -W -f='${Conffiles}' secshim)" " /etc/logrotate.d/secshim "
out=$(logrotate -d -s "$SECSHIM_BUILD/logrotate.state" /etc/logrotate.d/secshim 2>&1); rc=$?
assert_status "logrotate accepts the snippet" "$rc" 0
assert_contains "logrotate reads the audit log pattern" "$out" "rotating pattern: /var/log/secshim/*.jsonl"

out=$(/usr/bin/secshim doctor 2>&1); rc=$?
assert_contains "installed doctor runs through secshim-admin" "$out" "OK    policy /etc/secshim/default.json loads"
assert_status "doctor fails while no engine uses secshim" "$rc" 1
assert_contains "doctor says what to do" "$out" "fix: secshim install --all --default"
out=$(/usr/bin/secshim install --docker --default --dry-run 2>&1); rc=$?
assert_status "installed secshim install --docker --dry-run" "$rc" 0
assert_contains "dry-run diff names the installed binary" "$out" '"path": "/usr/bin/secshim"'

# --- a private dockerd wired up by the installed secshim -------------------
d=$(mktemp -d /tmp/secshim-deb.XXXXXX)
root=$d/root sock=$root/var/run/docker.sock IMAGE=secshim-deb/busybox:latest
mkdir -p "$root/etc/docker" "$root/etc/secshim" "$root/var/run"
cp -R /etc/secshim/. "$root/etc/secshim/"   # where install checks that the policy loads
# deprecated-key-path: dockerd 20.10 otherwise creates the host's /etc/docker/key.json.
printf '{"log-level": "warn", "shutdown-timeout": 5, "deprecated-key-path": "%s"}\n' "$d/key.json" >"$root/etc/docker/daemon.json"
dj_sha=$(sha_of "$root/etc/docker/daemon.json")
dk() { timeout 90 docker -H "unix://$sock" "$@"; }
dd_pid=""
docker_cg_before=$(ls -d /sys/fs/cgroup/docker /sys/fs/cgroup/*/docker 2>/dev/null)
stop_dockerd() {
  deploy_dockerd_stop "$dd_pid" "$d"
  # The packaged daemon.json names no cgroup parent: dockerd used /docker.
  [ -n "$docker_cg_before" ] || cgroup_parent_remove docker
}
deploy_on_exit stop_dockerd
out=$(/usr/bin/secshim install --docker --default --root "$root" 2>&1); rc=$?
assert_status "installed secshim install --docker --default (private root)" "$rc" 0
setsid dockerd --config-file "$root/etc/docker/daemon.json" --data-root "$d/data" --exec-root "$d/exec" \
  -H "unix://$sock" --pidfile "$root/var/run/docker.pid" --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
  </dev/null >"$d/dockerd.log" 2>&1 &
dd_pid=$!
for _ in $(seq 240); do dk version >/dev/null 2>&1 && break; kill -0 "$dd_pid" 2>/dev/null || break; sleep 0.25; done
dk import "$(dirname "$ROOTFS")/rootfs.tar" "$IMAGE" >/dev/null 2>&1 || fail "private dockerd + image import: $(tail -n 3 "$d/dockerd.log")"
nnp() { dk run --rm --network none "$@" "$IMAGE" grep NoNewPrivs /proc/self/status 2>&1 | tr -s ' \t' ' '; }
assert_eq "docker runs through the packaged secshim" "$(nnp)" "NoNewPrivs: 1"
dk run -d --name keep --network none "$IMAGE" sleep 1000 >/dev/null 2>&1
pid_keep=$(dk inspect -f '{{.State.Pid}}' keep 2>/dev/null)
assert_eq "a long-running container through runtime secure" "$(dk inspect -f '{{.HostConfig.Runtime}} {{.State.Running}}' keep 2>&1)" "secure true"

# --- upgrade to a newer build -----------------------------------------------
out=$(DEBIAN_FRONTEND=noninteractive dpkg -i "$deb2" 2>&1); rc=$?
assert_status "dpkg -i of the newer build (upgrade)" "$rc" 0
assert_eq "upgraded" "$(dpkg-query -W -f='${Version}' secshim)" "$(cat "$SECSHIM_TOP/VERSION")-2"
assert_eq "upgrade keeps the docker configuration" "$(jq -r '.runtimes.secure.path' "$root/etc/docker/daemon.json")" /usr/bin/secshim
assert_eq "upgrade keeps the log directory's mode" "$(stat -c %a /var/log/secshim)" "$log_mode"
assert_eq "after the upgrade docker still runs through secshim" "$(nnp)" "NoNewPrivs: 1"
assert_eq "the old container still runs" "$(dk inspect -f '{{.State.Running}}' keep 2>&1)" true

# --- removal refuses while podman needs /usr/bin/secshim ---------------------
pm() { timeout 120 podman --root "$d/pm-storage" --runroot "$d/pm-run" --cgroup-manager=cgroupfs --events-backend=file "$@"; }
pm run -d --name pmkeep --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --runtime /usr/bin/secshim \
  --rootfs "$ROOTFS" /bin/sleep 1000 >/dev/null 2>&1
assert_eq "a podman container through /usr/bin/secshim" "$(pm inspect -f '{{.State.Running}}' pmkeep 2>&1)" true
out=$(dpkg -r secshim 2>&1); rc=$?
if [ "$rc" -ne 0 ]; then ok "dpkg -r refused while podman still needs the binary (exit $rc)"; else fail "dpkg -r went through: $out"; fi
assert_contains "the refusal lists the podman container" "$out" "podman container pmkeep"
assert_contains "and says what to do" "$out" "stop those containers, then remove the package again"
assert_eq "still installed after the refusal" "$(dpkg-query -W -f='${db:Status-Status}' secshim)" installed
out=$(pm rm -f pmkeep 2>&1); rc=$?
assert_status "podman rm -f while secshim is still there" "$rc" 0

out=$(/usr/bin/secshim install --runc-mode 2>&1); rc=$?
assert_status "installed secshim install --runc-mode" "$rc" 0
assert_eq "runc is the packaged secshim" "$(readlink /usr/sbin/runc)" /usr/bin/secshim
assert_contains "runc --version passes through to the real runc" "$(/usr/sbin/runc --version 2>&1)" "runc version"

out=$(SECSHIM_ROOT=$root dpkg -r secshim 2>&1); rc=$?
assert_status "dpkg -r" "$rc" 0
assert_contains "prerm reloaded the private dockerd" "$out" "now runs runtime \"secure\" as plain runc"
assert_eq "prerm restored daemon.json byte for byte" "$(sha_of "$root/etc/docker/daemon.json")" "$dj_sha"
out=$(dk run --rm --network none "$IMAGE" echo after-removal 2>&1); rc=$?
assert_status "docker run after package removal, dockerd not restarted" "$rc" 0
out=$(dk stop -t 2 keep 2>&1); rc=$?
assert_status "docker stop of the container made through secshim" "$rc" 0
check "docker stop: its process is gone" test ! -e "/proc/$pid_keep"
assert_eq "prerm undid runc mode: real runc back" "$(sha_of /usr/sbin/runc)" "$runc_sha"
assert_eq "prerm undid runc mode: no diversion" "$(dpkg-divert --truename /usr/sbin/runc)" /usr/sbin/runc
check "binary removed" test ! -e /usr/bin/secshim
check "conffiles kept after remove" test -f /etc/secshim/default.json
assert_eq "policy runtime key restored by prerm" "$(jq -r '.runtime // "absent"' /etc/secshim/default.json)" absent

out=$(dpkg -P secshim 2>&1); rc=$?
assert_status "dpkg -P" "$rc" 0
check "purge removes /etc/secshim" test ! -e /etc/secshim
check "purge removes /var/lib/secshim" test ! -e /var/lib/secshim
check "purge removes the logrotate snippet" test ! -e /etc/logrotate.d/secshim
assert_eq "purge keeps a log directory that predates the package" "$(stat -c %a /var/log/secshim 2>&1)" "$log_mode"
check "purge keeps the logs that predate the package" test -s /var/log/secshim/predates.jsonl
assert_eq "package gone" "$(dpkg-query -W -f='${Status}' secshim 2>/dev/null || echo absent)" absent
done_testing
