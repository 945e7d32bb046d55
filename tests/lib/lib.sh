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
