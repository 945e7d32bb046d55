#!/usr/bin/env bash
# Data-driven policy cases: see tests/policy/README.md for the format.
# Each case runs `secshim check` on a base document with a jq tweak applied
# and asserts the exit status, a message, and optionally a jq assertion on
# the rewritten document.
source "$(dirname "$0")/../lib/lib.sh"
set -o pipefail
export SECSHIM_TEST_SHELL_PID=$$
cases=$SECSHIM_TOP/tests/policy/cases.tsv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

resolve_policy() {
  case $1 in
    /*) echo "$1" ;;
    */*) echo "$SECSHIM_TOP/tests/policy/$1" ;;
    *) echo "$SECSHIM_TOP/policy/$1.json" ;;
  esac
}
resolve_base() {
  if [ -f "$SECSHIM_TOP/tests/policy/docs/$1" ]; then echo "$SECSHIM_TOP/tests/policy/docs/$1"
  else echo "$FIXTURES/$1"; fi
}

n=0
while IFS=$'\t' read -r name policy base tweak want_exit want_msg assertion args; do
  case $name in ''|'#'*) continue ;; esac
  n=$((n + 1))
  doc=$work/$n.json out=$work/$n.out.json
  # The fixtures' dockerd hook names /proc/<dockerd pid>/exe of the machine
  # they were captured on: point it at a live process running this host's
  # dockerd (lib.sh setkey_dockerd_start), or drop it when there is none.
  case $name in hooks-setkey-*|hooks-dockerd-*)
    [ -n "$SETKEY_EXE" ] || { skip "$name: no dockerd on this host to run the setkey hook"; continue; } ;;
  esac
  if ! setkey_fixture "$(resolve_base "$base")" | jq -c "$tweak" \
      >"$doc" 2>"$work/jq.err"; then
    fail "$name: tweak failed: $(cat "$work/jq.err")"; continue
  fi
  rm -f "$out"
  # args: extra `secshim check` options (e.g. --systemd-cgroup --id ID), word-split.
  # shellcheck disable=SC2086
  text=$("$SECSHIM_BIN" check --policy "$(resolve_policy "$policy")" --output "$out" ${args:-} "$doc" 2>&1)
  status=$?
  if [ "$status" -ne "$want_exit" ]; then
    fail "$name: exit $status, expected $want_exit: $(printf '%s' "$text" | head -c 800)"; continue
  fi
  if [ "$want_msg" != - ] && ! printf '%s' "$text" | grep -qF -- "$want_msg"; then
    fail "$name: message '$want_msg' not in: $(printf '%s' "$text" | head -c 800)"; continue
  fi
  ok "$name"
  if [ "${assertion:--}" != - ]; then
    if [ -s "$out" ] && [ "$(jq -r "$assertion" "$out" 2>&1)" = true ]; then ok "$name: $assertion"
    else fail "$name: assertion '$assertion' does not hold on the output"; fi
  fi
done <"$cases"
[ "$n" -gt 0 ] || fail "no policy cases found in $cases"
done_testing
