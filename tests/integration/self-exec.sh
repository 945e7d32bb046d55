#!/usr/bin/env bash
# secshim installed *as* runc must never exec itself (runtime-interface.md 10,
# security.md R-SELF): a runtime that is secshim's own inode is refused, for
# policed and passthrough verbs alike, with a message saying what to set.
source "$(dirname "$0")/../lib/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$SECSHIM_BIN" "$work/runc" # runc mode: /usr/sbin/runc -> secshim
cp "$FIXTURES/docker-20.10/nnp-user.config.json" "$work/config.json"
before=$(sha_of "$work/config.json")

out=$(timeout 10 "$SECSHIM_BIN" --secshim-policy="$SECSHIM_TOP/policy/default.json" --secshim-runtime="$work/runc" \
  create --bundle "$work" self1 2>&1)
assert_status "create with secshim as its own runtime: refused, no loop" "$?" 1
assert_contains "create: the message says what to set" "$out" "is secshim itself: set"
assert_eq "create: config.json untouched" "$(sha_of "$work/config.json")" "$before"

out=$(timeout 10 "$SECSHIM_BIN" --secshim-runtime="$work/runc" state self1 2>&1)
assert_status "passthrough with secshim as its own runtime: refused, no loop" "$?" 1
assert_contains "passthrough: the message names the runtime" "$out" "$work/runc"

# The same through the policy's "runtime" key.
jq --arg rt "$work/runc" '.runtime = $rt' "$SECSHIM_TOP/policy/default.json" >"$work/policy.json"
cp -r "$SECSHIM_TOP/policy/seccomp" "$SECSHIM_TOP/policy/apparmor" "$work/"
out=$(timeout 10 "$SECSHIM_BIN" --secshim-policy="$work/policy.json" delete self1 2>&1)
assert_status "policy runtime = secshim: delete refused, no loop" "$?" 1
assert_contains "policy runtime = secshim: the message says so" "$out" "is secshim itself"
done_testing
