#!/usr/bin/env bash
# `make demo` (hack/demo.sh) shows every outcome the policy promises and
# leaves the host as it found it, apart from what it says it leaves: the
# private dockerd, /run/secshim-test and /var/lib/secshim-test.  In
# particular no directory appears where a refused bind source was missing
# (dockerd creates one before asking the runtime), no audit record lands in
# /var/log/secshim, and dockerd writes no /etc/docker/key.json.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/docker.sh"
docker_e2e_setup
work=$(mktemp -d)
trap 'rm -rf "$work"; docker_e2e_teardown' EXIT

# What a user's host holds outside the demo's own trees.
snapshot() {
  local p
  for p in /var/run/docker.sock /run/systemd /run/containerd /etc/docker /etc/secshim /var/log/secshim; do
    if [ -e "$p" ] || [ -L "$p" ]; then stat -c '%n %F %a %U' "$p"; else echo "$p absent"; fi
  done
  find /etc/docker /var/log/secshim -xdev -printf '%p %s %T@\n' 2>/dev/null | sort
  ls -A /run | grep -v '^secshim-test$'
  ls -A /var/lib | grep -v '^secshim-test$'
  ls -d /sys/fs/cgroup/*/* 2>/dev/null | grep -v '/secshim-test$'
}
snapshot >"$work/before"
SECSHIM_BIN=$SECSHIM_BIN "$SECSHIM_TOP/hack/demo.sh" >"$work/demo.out" 2>&1
rc=$?
snapshot >"$work/after"
assert_status "hack/demo.sh: exit 0" "$rc" 0
summary=$(grep -E '==> [0-9]+ of [0-9]+ outcomes as the policy says' "$work/demo.out" | sed 's/.*==> //')
n=${summary%% of *} m=${summary#* of }; m=${m%% *}
if [ -n "$summary" ] && [ "$n" = "$m" ] && [ "$n" -ge 10 ]; then ok "demo: $summary"
else fail "demo: outcomes '${summary:-none}' (see below)"; sed 's/^/# /' "$work/demo.out" | tail -n 40; fi
assert_not_contains "demo: no UNEXPECTED outcome" "$(cat "$work/demo.out")" UNEXPECTED
assert_contains "demo: says what it leaves behind" "$(cat "$work/demo.out")" "Left on this host: the daemon"
changes=$(diff "$work/before" "$work/after")
assert_eq "the host outside the demo's own trees is unchanged" "$changes" ""
records=$(cat /run/secshim-test/audit-default.jsonl 2>/dev/null | wc -l)
if [ "$records" -ge 5 ]; then ok "decisions went to the demo's own log ($records records)"; else fail "demo's own audit log has $records records"; fi
done_testing
