#!/usr/bin/env bash
# The VM lane as one TAP suite (tests/run-all.sh, suite "vm"): hack/vm.sh
# boots Debian 12's kernel with AppArmor on and runs tests/vm/[0-9]*.sh
# inside.  A missing qemu or kernel package is a counted skip, a failure
# under SECSHIM_MUST_WORK=1 (CI).
set -u
cd "$(dirname "$0")/../.."
out=$(hack/vm.sh)
rc=$?
if [ "${SECSHIM_MUST_WORK:-}" = 1 ] && printf '%s\n' "$out" | grep -q '# SKIP'; then
  printf '%s\n' "$out" | sed 's/^ok \([0-9]*\) - # SKIP/not ok \1 - SECSHIM_MUST_WORK=1:/'
  exit 1
fi
printf '%s\n' "$out"
exit $rc
