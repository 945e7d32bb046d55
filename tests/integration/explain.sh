#!/usr/bin/env bash
# `secshim explain`: what was rewritten or refused for a container, from the
# audit log, by id or id prefix, in the words of the refusal message.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/stubrunc.sh"
stub_setup

# Bundles where dockerd keeps them (.../moby/ID), from a docker 20.10 config
# without dockerd's own files and hook.
ID1=4dfcb02645b9e6f2e6aa65f22127a2f606ed8b4391a007fd44efdc756b2a9aee
ID2=af12bc55723f3698f2bbf2256b69f1b1e24c718e94f7ff9877762f02fa91cb75
ID3=af12bc5572ffffffffffffffffffffffffffffffffffffffffffffffffffffff
mkb() { # id fixture
  mkdir -p "$WORK/moby/$1/rootfs"
  jq 'del(.hooks) | .root.path = "rootfs" | .mounts |= map(select((.source // "") | startswith("/var/lib/docker") | not))' \
    "$FIXTURES/docker-20.10/$2.config.json" >"$WORK/moby/$1/config.json"
}
mkb "$ID1" default
mkb "$ID2" systemd-mount
mkdir -p /run/systemd
shim create --bundle "$WORK/moby/$ID1" "$ID1" >/dev/null 2>&1
assert_status "a root container is created (rewritten)" "$?" 0
shim create --bundle "$WORK/moby/$ID2" "$ID2" >/dev/null 2>"$WORK/refused.err"
assert_status "a -v /run/systemd container is refused" "$?" 1

out=$("$SECSHIM_BIN" explain --log "$AUDIT_LOG" "${ID1:0:12}" 2>&1); rc=$?
assert_status "explain by 12-character prefix: exit 0" "$rc" 0
assert_contains "explain: the full id and the count" "$out" "container $ID1: 1 decision in $AUDIT_LOG"
assert_contains "explain: the verb and outcome" "$out" "create ${ID1:0:12}: rewritten"
assert_contains "explain: the uid rewrite, with the symptom and the fix in docker's words" "$out" \
  "rewritten: the container runs as uid 65534 instead of root (rules.user.uid): files root owns in the image are not writable for it (touch: Permission denied); run it with -u UID:GID of the files' owner (or chown them in the image)"
assert_contains "explain: the dropped capabilities, with ping" "$out" "capabilities MKNOD, NET_RAW, SETFCAP, AUDIT_WRITE were dropped (not in rules.capabilities.allow): e.g. ping needs NET_RAW"
assert_eq "explain: the identical bounding/effective/permitted rewrite is shown once" \
  "$(printf '%s\n' "$out" | grep -c 'were dropped')" 1
assert_not_contains "explain: no JSON path" "$out" "process.capabilities.bounding"
assert_not_contains "explain: only-recorded findings need --all" "$out" "CIS 5.11"
out=$("$SECSHIM_BIN" explain --all --log="$AUDIT_LOG" "$ID1" 2>&1)
assert_contains "explain --all: recorded findings too" "$out" "recorded: no memory limit (CIS 5.11)"

out=$("$SECSHIM_BIN" explain --log "$AUDIT_LOG" "${ID2:0:12}" 2>&1); rc=$?
assert_status "explain a refused container: exit 0" "$rc" 0
msg=$(sed -n 's/.*msg="\(secshim: .*\)"$/\1/p; t; s/^\(secshim: .*\)$/\1/p' "$WORK/refused.err" | head -n 1)
assert_contains "explain: the refusal as the engine was told it" "$out" "  the engine was told: $msg"
assert_contains "explain: the same wording for the refused mount" "$out" \
  "refused: -v /run/systemd:/run/systemd is refused: host path /run/systemd is listed in rules.mounts (deny or denyExact)"

# A prefix two containers share is refused with both.
mkb "$ID3" default
shim create --bundle "$WORK/moby/$ID3" "$ID3" >/dev/null 2>&1
out=$("$SECSHIM_BIN" explain --log "$AUDIT_LOG" af12bc557 2>&1); rc=$?
assert_status "ambiguous prefix: exit 2" "$rc" 2
assert_contains "ambiguous prefix: both listed" "$out" "matches 2 containers: ${ID2:0:12} ${ID3:0:12}; give more of the id"

out=$(PATH=/nonexistent "$SECSHIM_BIN" explain --log "$AUDIT_LOG" no-such-container 2>&1); rc=$?
assert_status "unknown container: exit 1" "$rc" 1
assert_contains "unknown container: said so" "$out" "no record of \`no-such-container\`"
"$SECSHIM_BIN" explain --log "$WORK/missing.jsonl" "$ID1" >/dev/null 2>&1
assert_status "missing log: exit 2" "$?" 2
"$SECSHIM_BIN" explain --help | grep -q "usage: secshim explain"
assert_status "explain --help: exit 0 with the usage" "$?" 0
"$SECSHIM_BIN" explain >/dev/null 2>&1
assert_status "explain without CONTAINER: exit 2" "$?" 2

# Rotated logs are read first.
mv "$AUDIT_LOG" "$AUDIT_LOG.1"
: >"$AUDIT_LOG"
out=$("$SECSHIM_BIN" explain --log "$AUDIT_LOG" "${ID1:0:12}" 2>&1)
assert_contains "explain: reads FILE.1 too" "$out" "container $ID1: 1 decision"
done_testing
