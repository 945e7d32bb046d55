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
trap 'cri_sandbox_stop; rm -rf "$work"' EXIT
# The 8th column: extra `secshim check` options, word-split (e.g.
# --systemd-cgroup, runc's global option).  The runc --root and container id
# the engine passes with each base document come from ids.tsv, unless the
# options give their own --root/--id, or the column is - (none at all).
ids=$SECSHIM_TOP/tests/policy/ids.tsv
check_args() { # base [options]
  local o root id
  o=${2:-}
  [ "$o" = - ] && return 0
  # shellcheck disable=SC2086
  [ -n "$o" ] && printf '%s\n' $o
  case " $o " in *" --root "* | *" --id "*) return 0 ;; esac
  read -r root id < <(awk -F'\t' -v b="$1" '$1 == b { print $2, $3 }' "$ids")
  [ -n "${root:-}" ] && printf -- '--root\n%s\n--id\n%s\n' "$root" "$id"
  return 0
}
# The CRI fixtures' pod sandbox, live (lib.sh cri_sandbox_start).
cri_ready=0
if grep -q containerd-1.6/ "$cases" && cri_sandbox_start; then cri_ready=1; fi

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
  case $base in containerd-1.6/*)
    [ "$cri_ready" = 1 ] || { skip "$name: needs root in run-all's private mount namespace for the CRI sandbox's stock paths"; continue; } ;;
  esac
  mapfile -t rargs < <(check_args "$base" "${args:-}")
  if ! cri_fixture "$(resolve_base "$base")" | setkey_fixture /dev/stdin | jq -c "$tweak" \
      >"$doc" 2>"$work/jq.err"; then
    fail "$name: tweak failed: $(cat "$work/jq.err")"; continue
  fi
  rm -f "$out"
  text=$("$SECSHIM_BIN" check --policy "$(resolve_policy "$policy")" "${rargs[@]}" --output "$out" "$doc" 2>&1)
  status=$?
  if [ "$status" -ne "$want_exit" ]; then
    fail "$name: exit $status, expected $want_exit: $(printf '%s' "$text" | head -c 800)"; continue
  fi
  if [ "$want_msg" != - ] && ! printf '%s' "$text" | grep -qF -- "$want_msg"; then
    # the verdict line and every refusing finding, whole: enough to tell a
    # different document from a different judgement
    fail "$name: message '$want_msg' not in: $(printf '%s' "$text" | grep -E '^[^ ]|^  (reject|exempt) ' | head -c 4000)"; continue
  fi
  ok "$name"
  if [ "${assertion:--}" != - ]; then
    if [ -s "$out" ] && [ "$(jq -r "$assertion" "$out" 2>&1)" = true ]; then ok "$name: $assertion"
    else fail "$name: assertion '$assertion' does not hold on the output"; fi
  fi
done <"$cases"
[ "$n" -gt 0 ] || fail "no policy cases found in $cases"
done_testing
