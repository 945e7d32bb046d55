#!/usr/bin/env bash
# `secshim check` as a command: exit codes, JSON output, --output, --export-bpf.
source "$(dirname "$0")/../lib/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
P=$SECSHIM_TOP/policy/default.json
fx=$FIXTURES/docker-20.10

"$SECSHIM_BIN" check --policy "$P" --format json --output "$work/out.json" --export-bpf "$work/f.bpf" \
  "$fx/seccomp-unconfined.config.json" >"$work/r.json"
assert_status "allowed with rewrites: exit 0" "$?" 0
assert_eq "json: verdict" "$(jq -r .verdict "$work/r.json")" rewritten
assert_contains "json: the seccomp summary names the blocked families" "$(jq -r .seccomp "$work/r.json")" "blocked: namespaces"
assert_eq "--output: the rewritten config has our filter" "$(jq -r .linux.seccomp.defaultAction "$work/out.json")" SCMP_ACT_ERRNO
# A BPF program is a whole number of 8-byte sock_filter instructions.
size=$(stat -c %s "$work/f.bpf" 2>/dev/null || echo 0)
if [ "$size" -gt 64 ] && [ $((size % 8)) -eq 0 ]; then ok "--export-bpf: $size bytes of BPF"; else fail "--export-bpf: size $size"; fi

"$SECSHIM_BIN" check --policy "$P" --output "$work/out2.json" "$fx/systemd-mount.config.json" >"$work/r2.txt"
assert_status "refused: exit 1" "$?" 1
if [ -e "$work/out2.json" ]; then fail "refused: --output must not be written"; else ok "refused: no --output written"; fi
"$SECSHIM_BIN" check --policy "$work/missing.json" "$fx/default.config.json" >/dev/null 2>"$work/e.txt"
assert_status "unusable policy: exit 2" "$?" 2
assert_contains "unusable policy: the message names the file" "$(cat "$work/e.txt")" "missing.json"
"$SECSHIM_BIN" check --policy "$P" --bogus "$fx/default.config.json" >/dev/null 2>&1
assert_status "unknown option: exit 2" "$?" 2
done_testing
