#!/usr/bin/env bash
# The two per-call shortcuts of policy loading, through the binary:
#  - passthrough verbs read only the policy's top-level "runtime" (a yajl
#    event scan, src/policy/load.c policy_peek_runtime) with the same file
#    checks as the loader, and fall back to the default runtime whenever
#    they cannot find an absolute one;
#  - create restores the policy compiled from the same bytes before (the
#    compiled policy, /run/secshim/compiled), skipping the seccomp profile's
#    name check, but a profile changed by one byte is loaded and validated
#    again at once, so a name libseccomp does not know is still refused at
#    container start.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/stubrunc.sh"

missing=
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
command -v jq >/dev/null || missing+=" jq;"
[ -f "$FIXTURES/docker-20.10/default.config.json" ] || missing+=" fixtures in $FIXTURES;"
if [ -n "$missing" ]; then skip "policy-load-fastpaths: missing${missing%;}"; done_testing; exit; fi
if ! stub_setup; then fail "stub_setup failed"; done_testing; exit; fi

# --- passthrough: the runtime peek ----------------------------------------------
# A runtime that says it ran; the default runtime must never print that.
FAKE=$WORK/fake-runtime
printf '#!/bin/sh\necho "fake-runtime ran: $*"\n' >"$FAKE"
chmod 0755 "$FAKE"
peek() { # name policy-text expect(fake|default) [mode]
  printf '%s' "$2" >"$WORK/peek.json"
  chmod "${4:-0644}" "$WORK/peek.json"
  out=$("$SECSHIM_BIN" --secshim-policy="$WORK/peek.json" state peek-test 2>&1)
  if [ "$3" = fake ]; then assert_contains "peek: $1" "$out" "fake-runtime ran: state peek-test"
  else assert_not_contains "peek: $1 -> default runtime" "$out" "fake-runtime ran"; fi
}
peek "top-level runtime" "{\"version\": 1, \"runtime\": \"$FAKE\", \"rules\": {}}" fake
peek "runtime after nested decoys" \
  "{\"a\": {\"runtime\": \"/nonexistent\"}, \"b\": [\"runtime\", \"/nonexistent\"], \"runtime\": \"$FAKE\"}" fake
peek "runtime found before a broken tail" "{\"runtime\": \"$FAKE\", \"rules\": {" fake
peek "broken before runtime" "{\"version\": 1,, \"runtime\": \"$FAKE\"}" default
peek "no runtime" '{"version": 1, "rules": {}}' default
peek "runtime is a number" '{"runtime": 5}' default
peek "runtime is an object" "{\"runtime\": {\"path\": \"$FAKE\"}}" default
peek "relative runtime" '{"runtime": "fake-runtime"}' default
peek "runtime with an escaped NUL" "{\"runtime\": \"$FAKE\\u0000x\"}" default
peek "root is an array" "[\"runtime\", \"$FAKE\"]" default
peek "empty file" '' default
peek "group-writable policy file" "{\"runtime\": \"$FAKE\"}" default 0664
out=$("$SECSHIM_BIN" --secshim-policy="$WORK/does-not-exist.json" state peek-test 2>&1)
assert_not_contains "peek: missing policy file -> default runtime" "$out" "fake-runtime ran"
out=$("$SECSHIM_BIN" --secshim-policy="$WORK/peek.json" --secshim-runtime="$FAKE" state peek-test 2>&1)
assert_contains "peek: --secshim-runtime still wins over a bad policy" "$out" "fake-runtime ran"

# --- create: the compiled policy ------------------------------------------------
cache=/run/secshim/compiled
profile=$WORK/policy/seccomp/default.json
cp "$profile" "$WORK/profile.orig"
create() { # id -> rc; stderr in $WORK/id.err
  mkdir -p "$WORK/b-$1"
  fixture_any_id "$FIXTURES/docker-20.10/default.config.json" >"$WORK/b-$1/config.json"
  "$SECSHIM_BIN" --secshim-policy="$POLICY" --secshim-runtime="$STUB" create --bundle "$WORK/b-$1" "$1" \
    >/dev/null 2>"$WORK/$1.err"
  rc=$?
}
# Each entry with its checksum (its last 16 bytes), to tell a rewrite.
entries() {
  local f
  for f in $(find "$cache" -maxdepth 1 -type f -name '????????????????????????????????' 2>/dev/null | sort); do
    printf '%s %s\n' "$f" "$(tail -c 16 "$f" | od -An -tx1 | tr -d ' \n')"
  done
}

# One byte more (a space at the end): bytes no earlier run has compiled.
printf ' ' >>"$profile"
before=$(entries)
create c1
assert_status "cache: first create of new profile bytes" "$rc" 0
after=$(entries)
if [ "$(id -u)" = 0 ]; then
  new=$(comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after") | grep -c .)
  assert_eq "cache: the first create writes (or replaces) one entry" "$new" 1
  create c2
  assert_status "cache: second create of the same bytes" "$rc" 0
  assert_eq "cache: the second create writes nothing" "$(entries)" "$after"
else
  skip "cache: entries need root (/run/secshim)"
fi
check "cache: both creates ran the runtime" stub_ran c1

# A config without seccomp, with the entry present: the profile the policy
# injects is parsed only now (on its first use in the process), and must be
# what a full `secshim check` injects.
mkdir -p "$WORK/b-c1n"
fixture_any_id "$FIXTURES/docker-20.10/default.config.json" | jq 'del(.linux.seccomp)' >"$WORK/noseccomp.json"
cp "$WORK/noseccomp.json" "$WORK/b-c1n/config.json"
"$SECSHIM_BIN" --secshim-policy="$POLICY" --secshim-runtime="$STUB" create --bundle "$WORK/b-c1n" c1n \
  >/dev/null 2>"$WORK/c1n.err"
assert_status "lazy profile: create of a config without seccomp (entry present)" "$?" 0
"$SECSHIM_BIN" check --policy "$POLICY" --output "$WORK/c1n.checked.json" "$WORK/noseccomp.json" >/dev/null 2>&1
injected=$(jq -cS '.linux.seccomp' "$STUB_OUT/c1n.json" 2>/dev/null)
assert_eq "lazy profile: the injected profile is the one secshim check injects" "$injected" \
  "$(jq -cS '.linux.seccomp' "$WORK/c1n.checked.json" 2>/dev/null)"
assert_eq "lazy profile: it is the policy's (denies by default)" \
  "$(jq -r '.linux.seccomp.defaultAction' "$STUB_OUT/c1n.json" 2>/dev/null)" SCMP_ACT_ERRNO

# The same profile with one syscall name misspelt: validated again, refused.
sed '0,/"getpid"/s//"getpiq"/' "$WORK/profile.orig" >"$profile"
printf ' ' >>"$profile"
create c3
assert_status "cache: a misspelt name in a changed profile refuses the container" "$rc" 1
assert_contains "cache: the refusal names the syscall" "$(cat "$WORK/c3.err")" '`getpiq` is not a syscall'
if stub_ran c3; then fail "cache: the runtime ran for a refused policy"; else ok "cache: the runtime never ran"; fi
create c4
assert_status "cache: still refused at the next start (no entry for a failure)" "$rc" 1

# secshim check validates in full even when an entry exists.
cp "$WORK/profile.orig" "$profile"
printf ' ' >>"$profile"
out=$("$SECSHIM_BIN" check --policy "$POLICY" --root /run/docker/runtime-runc/moby \
  --id a45794015021da989fe89696c107f5350c1441ae97ce7bfc4e7311ad5a5e5f3f "$FIXTURES/docker-20.10/default.config.json" 2>&1)
assert_not_contains "check: the compiled policy still checks" "$out" "is not a syscall"

# The profile is keyed by its bytes: a rewrite of the same size with the old
# mtime put back (touch -d), right after a create, is loaded in full at the
# next create, so a misspelt name is refused.  No settle window.
cp "$WORK/profile.orig" "$profile"
printf '  ' >>"$profile"
create c5
assert_status "content key: create with a fresh profile" "$rc" 0
before=$(entries)
create c6
assert_status "content key: second create" "$rc" 0
if [ "$(id -u)" = 0 ]; then
  assert_eq "content key: the second create used the entry (nothing written)" "$(entries)" "$before"
else
  skip "content key: entries need root (/run/secshim)"
fi
old_mtime=$(stat -c '%y' "$profile") old_size=$(stat -c '%s' "$profile") old_ino=$(stat -c '%i' "$profile")
sed '0,/"getpid"/s//"getpiq"/' "$WORK/profile.orig" >"$WORK/profile.bad"
printf '  ' >>"$WORK/profile.bad"
cat "$WORK/profile.bad" >"$profile" # in place: same inode
touch -d "$old_mtime" "$profile"
assert_eq "content key: same inode, size and mtime after the rewrite" \
  "$(stat -c '%i %s %y' "$profile")" "$old_ino $old_size $old_mtime"
create c7
assert_status "content key: a same-size rewrite with the mtime put back is validated: refused" "$rc" 1
assert_contains "content key: the refusal names the syscall" "$(cat "$WORK/c7.err")" '`getpiq` is not a syscall'
if stub_ran c7; then fail "content key: the runtime ran"; else ok "content key: the runtime never ran"; fi

# --- a data file others can write is refused, like the policy itself -----------
cp "$WORK/profile.orig" "$profile"
chmod g+w "$profile"
create c8
assert_status "group-writable seccomp profile: refused" "$rc" 1
assert_contains "group-writable seccomp profile: the refusal names the file" "$(cat "$WORK/c8.err")" \
  "must be owned by root and writable by no one else"
if stub_ran c8; then fail "group-writable profile: the runtime ran"; else ok "group-writable profile: the runtime never ran"; fi
chmod g-w "$profile"
create c9
assert_status "the same profile, mode fixed: allowed" "$rc" 0

done_testing
