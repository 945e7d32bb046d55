#!/usr/bin/env bash
# The VM lane as one TAP suite (tests/run-all.sh, suite "vm"): hack/vm.sh
# boots Debian 12's kernel twice, with AppArmor on (tests/vm/[0-9]*.sh) and
# with apparmor=0 (tests/vm/noaa/[0-9]*.sh), and the results are numbered
# as one stream.  A missing qemu or kernel package is a counted skip, a
# failure under SECSHIM_MUST_WORK=1 (CI).
set -u
cd "$(dirname "$0")/../.."
rc=0
out=$(hack/vm.sh) || rc=1
out2=$(SECSHIM_VM_APPEND="apparmor=0" SECSHIM_VM_TESTS=noaa hack/vm.sh) || rc=1
all=$(printf '%s\n%s\n' "$out" "$out2" | grep -v '^1\.\.')
if [ "${SECSHIM_MUST_WORK:-}" = 1 ] && printf '%s\n' "$all" | grep -q '# SKIP'; then
  all=$(printf '%s\n' "$all" | sed 's/^ok \([0-9]*\) - # SKIP/not ok \1 - SECSHIM_MUST_WORK=1:/')
  rc=1
fi
printf '%s\n' "$all" | awk '
  /^(not )?ok [0-9]+/ { n++; sub(/ok [0-9]+/, "ok " n) }
  { print }
  END { print "1.." n }'
exit $rc
