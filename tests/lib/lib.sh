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
