#!/usr/bin/env bash
# Every profile secshim generates compiles with the real apparmor_parser.
#
# `apparmor_parser -Q -K` parses and compiles without touching the kernel or
# the cache, so this runs on hosts without AppArmor (like the CI machine).
# Inputs: every bane file under tests/apparmor/ and policy/apparmor/.  The
# CLI's output must also equal the golden next to the input, so the goldens
# test_apparmor compares against are themselves proven to compile.
. "$(dirname "$0")/../lib/lib.sh"
PARSER=$(command -v apparmor_parser || echo /sbin/apparmor_parser)
[ -x "$PARSER" ] || { skip "apparmor_parser not installed (package apparmor)"; done_testing; exit; }
[ -x "$SECSHIM_BIN" ] || { fail "secshim binary $SECSHIM_BIN not built"; done_testing; exit; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

golden_for() { # input.toml -> its golden profile path
  case $1 in
    */policy/apparmor/*) echo "$SECSHIM_TOP/tests/apparmor/policy-$(basename "$1" .toml).profile" ;;
    *) echo "${1%.toml}.profile" ;;
  esac
}

for toml in "$SECSHIM_TOP"/tests/apparmor/*.toml "$SECSHIM_TOP"/policy/apparmor/*.toml; do
  name=${toml#"$SECSHIM_TOP"/}
  [ "$(basename "$toml")" = bad.toml ] && continue
  out=$tmp/$(basename "$toml" .toml).profile
  if ! "$SECSHIM_BIN" apparmor generate "$toml" >"$out" 2>"$tmp/err"; then
    fail "$name: secshim apparmor generate failed: $(cat "$tmp/err")"; continue
  fi
  if msg=$("$PARSER" -Q -K "$out" 2>&1); then ok "$name: compiles with apparmor_parser -Q -K"
  else fail "$name: apparmor_parser: $(echo "$msg" | grep -v 'Cache read/write disabled')"; fi
  golden=$(golden_for "$toml")
  if [ -f "$golden" ] && cmp -s "$out" "$golden"; then ok "$name: CLI output equals $(basename "$golden")"
  else fail "$name: CLI output differs from $golden"; fi
done

# The checker is not vacuous: a profile apparmor_parser 3 rejects (bane's
# IPv4 rule spelled for IPv6) must fail the same command.
printf 'profile broken {\n  network inet6 icmp,\n}\n' >"$tmp/broken"
if "$PARSER" -Q -K "$tmp/broken" >/dev/null 2>&1; then fail "apparmor_parser -Q -K accepted a broken profile"
else ok "apparmor_parser -Q -K rejects a broken profile (the check can fail)"; fi

# The CLI refuses a bad file with line and column and exit status 2.
"$SECSHIM_BIN" apparmor generate "$SECSHIM_TOP/tests/apparmor/bad.toml" >"$tmp/out" 2>"$tmp/err"; rc=$?
assert_status "generate bad.toml exits 2" "$rc" 2
assert_contains "generate bad.toml names line and column" "$(cat "$tmp/err")" "bad.toml:2:1: unknown key \`Nmae\`"
assert_eq "generate bad.toml prints nothing on stdout" "$(wc -c <"$tmp/out")" 0
"$SECSHIM_BIN" apparmor frobnicate >/dev/null 2>&1; rc=$?
assert_status "unknown apparmor subcommand exits 2" "$rc" 2
done_testing
