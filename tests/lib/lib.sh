# Shell TAP helpers for integration, adversarial and e2e tests (after
# bubblewrap's libtest-core.sh).  Source it, call ok/fail/skip/assert_*, end
# with `done_testing`.
#
#   SECSHIM_BIN   the binary under test (set by tests/run-all.sh)
#   SECSHIM_TOP   the repository
#   SECSHIM_MUST_WORK=1 turns skips for missing components into failures (CI)
set -u
: "${SECSHIM_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${SECSHIM_BUILD:=$SECSHIM_TOP/build}"
: "${SECSHIM_BIN:=$SECSHIM_BUILD/secshim}"
# Documents the engines wrote, captured by hack/capture-fixtures.sh.
FIXTURES=${FIXTURES:-$SECSHIM_TOP/tests/fixtures}
_tap_n=0 _tap_failed=0

ok()   { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
fail() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }
skip() {
  if [ "${SECSHIM_MUST_WORK:-0}" = 1 ]; then fail "$* (skip not allowed: SECSHIM_MUST_WORK=1)"; return; fi
  _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - # SKIP $*";
}
diag() { echo "# $*"; }
# check NAME COMMAND...: ok if the command succeeds
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }
done_testing() { echo "1..$_tap_n"; [ "$_tap_failed" -eq 0 ]; }

assert_contains() { # name haystack needle
  if printf '%s' "$2" | grep -qF -- "$3"; then ok "$1"; else fail "$1: expected to find '$3' in: $(printf '%s' "$2" | head -c 600)"; fi
}
assert_not_contains() {
  if printf '%s' "$2" | grep -qF -- "$3"; then fail "$1: did not expect '$3' in: $(printf '%s' "$2" | head -c 600)"; else ok "$1"; fi
}
assert_eq() { # name actual expected
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', expected '$3'"; fi
}
assert_status() { # name actual expected
  if [ "$2" -eq "$3" ]; then ok "$1"; else fail "$1: exit status $2, expected $3"; fi
}
sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# dockerd's libnetwork-setkey hook names /proc/<dockerd pid>/exe.  secshim
# accepts it only when that file is, by inode, the dockerd binary the policy
# names, so the fixtures' hook (a pid of the capture host) needs a live
# process running the host's dockerd.  dockerd re-executed as
# "libnetwork-setkey" (moby's reexec: argv[0] picks the function) parses its
# flags and then blocks reading its state from stdin: given a FIFO it also
# holds for writing, it waits forever and touches nothing.  setpriv
# --pdeathsig ends it with the shell that started it.
#   SETKEY_EXE   /proc/<pid>/exe of that process, or empty when the host has
#                no dockerd (then setkey_fixture drops the hook)
#   setkey_fixture FILE [ID]   print FILE with the setkey hook's path set to
#                SETKEY_EXE (and its container id argument to ID)
setkey_dockerd_start() {
  local bin d pid i
  SETKEY_EXE=
  if [ -n "${SECSHIM_SETKEY_PID:-}" ] && [ "$(readlink "/proc/$SECSHIM_SETKEY_PID/exe" 2>/dev/null)" = "${SECSHIM_SETKEY_BIN:-}" ]; then
    SETKEY_EXE=/proc/$SECSHIM_SETKEY_PID/exe
    return 0
  fi
  for bin in /usr/bin/dockerd /usr/sbin/dockerd /usr/local/bin/dockerd; do [ -x "$bin" ] && break; bin=; done
  [ -n "$bin" ] && command -v setpriv >/dev/null || return 0
  d=$(mktemp -d) || return 0
  ln -s "$bin" "$d/libnetwork-setkey" && mkfifo "$d/stdin" || { rm -rf "$d"; return 0; }
  # execvp with a bare name keeps argv[0] exactly "libnetwork-setkey".
  PATH=$d:$PATH setpriv --pdeathsig KILL libnetwork-setkey -exec-root=/nonexistent x y <>"$d/stdin" >/dev/null 2>&1 &
  pid=$!
  for i in $(seq 100); do
    [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$bin" ] && break
    sleep 0.02
  done
  rm -rf "$d"
  if [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$bin" ]; then
    export SECSHIM_SETKEY_PID=$pid SECSHIM_SETKEY_BIN=$bin
    SETKEY_EXE=/proc/$pid/exe
  fi
}
setkey_fixture() {
  if [ -n "$SETKEY_EXE" ]; then
    jq --arg exe "$SETKEY_EXE" --arg id "${2:-}" '(.hooks.prestart[]? | select(.path | test("^/proc/[0-9]+/exe$"))) |=
      (.path = $exe | if $id != "" then .args[2] = $id else . end)' "$1"
  else
    jq '(.hooks.prestart // []) |= map(select(.path | test("^/proc/[0-9]+/exe$") | not))' "$1"
  fi
}
setkey_dockerd_start

# cri_sandbox_start: a live stand-in for containerd's pod sandbox of the
# tests/fixtures/containerd-1.6 documents, on containerd's stock paths
# (inside run-all's private mount namespace only, as root):
#   - a process in its own network, ipc and uts namespaces (the pause
#     process), CRI_SANDBOX_PID;
#   - runc's state of the sandbox in containerd's runc root
#     /run/containerd/runc/k8s.io/<sandbox id>/state.json, with the labels
#     runc keeps (every annotation as key=value) and that pid;
#   - the CNI network namespace file the sandbox config names.
# The fixtures name the sandbox's pid 4242: cri_fixture rewrites it.
CRI_SANDBOX_ID=5f2c3b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170615e4d3
CRI_CONTAINER_ID=b7e1c9d3a5f70819a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819
CRI_POD_UID=3f0c6a2e-8d41-4b7a-9c15-2e6f0d9a7b31
CRI_NETNS=/run/netns/cni-7d3e2b1a-0c4f-5e6d-8a9b-1c2d3e4f5a6b
CRI_RUNC_ROOT=/run/containerd/runc/k8s.io
CRI_SANDBOX_PID=
cri_sandbox_start() {
  local doc state i
  [ "${SECSHIM_TEST_NS:-}" = 1 ] && [ "$(id -u)" -eq 0 ] || return 1
  doc=$(mktemp) || return 1
  printf '{"mounts":[{"source":"%s/%s/state.json","options":["bind"]},{"source":"%s","options":["bind"]}]}\n' \
    "$CRI_RUNC_ROOT" "$CRI_SANDBOX_ID" "$CRI_NETNS" >"$doc"
  "$SECSHIM_TOP/tests/lib/stock-binds.sh" "$doc" || { rm -f "$doc"; return 1; }
  rm -f "$doc"
  unshare --net --ipc --uts sleep 3600 &
  CRI_SANDBOX_PID=$!
  for i in $(seq 50); do
    [ "$(readlink "/proc/$CRI_SANDBOX_PID/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
    sleep 0.1
  done
  state=$CRI_RUNC_ROOT/$CRI_SANDBOX_ID/state.json
  jq -n --arg id "$CRI_SANDBOX_ID" --arg uid "$CRI_POD_UID" --argjson pid "$CRI_SANDBOX_PID" \
    '{id: $id, init_process_pid: $pid, config: {labels: ["io.kubernetes.cri.container-type=sandbox",
      "io.kubernetes.cri.sandbox-id=\($id)", "io.kubernetes.cri.sandbox-uid=\($uid)", "bundle=/run/containerd/io.containerd.runtime.v2.task/k8s.io/\($id)"]}}' >"$state" &&
    mount --bind "/proc/$CRI_SANDBOX_PID/ns/net" "$CRI_NETNS"
}
cri_sandbox_stop() { [ -z "$CRI_SANDBOX_PID" ] || kill "$CRI_SANDBOX_PID" 2>/dev/null; CRI_SANDBOX_PID=; }
# cri_fixture FILE: the document with the live sandbox's pid.
cri_fixture() { sed "s#/proc/4242/#/proc/${CRI_SANDBOX_PID:-4242}/#g" "$1"; }

# ns_holder_start FLAG: another "container", a sleeping process in a
# namespace of its own (unshare FLAG, e.g. --net, --user).  Sets
# NS_HOLDER (unshare) and NS_OTHER (the process inside); returns 1 when it
# is not in a new namespace.  ns_holder_stop ends both: unshare --fork
# ignores SIGTERM while it waits, so its child is killed first.
NS_HOLDER= NS_OTHER=
ns_holder_start() {
  local type=${1#--} i
  [ "$type" = net ] || [ "$type" = user ] || [ "$type" = ipc ] || [ "$type" = uts ] || return 1
  unshare "$1" --fork sleep 300 </dev/null >/dev/null 2>&1 &
  NS_HOLDER=$! NS_OTHER=
  for i in $(seq 50); do
    NS_OTHER=$(pgrep -P "$NS_HOLDER" sleep | head -n 1)
    [ -n "$NS_OTHER" ] && break
    sleep 0.1
  done
  [ -n "$NS_OTHER" ] && [ "$(readlink "/proc/$NS_OTHER/ns/$type")" != "$(readlink "/proc/self/ns/$type")" ]
}
ns_holder_stop() {
  [ -n "$NS_HOLDER" ] || return 0
  pkill -KILL -P "$NS_HOLDER" 2>/dev/null
  kill "$NS_HOLDER" 2>/dev/null
  NS_HOLDER= NS_OTHER=
  return 0
}
