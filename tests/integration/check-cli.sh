#!/usr/bin/env bash
# `secshim check` as a command: exit codes, JSON output, --output, --export-bpf.
source "$(dirname "$0")/../lib/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
P=$SECSHIM_TOP/policy/default.json
# The fixtures' setkey hook pointed at a live dockerd process (lib.sh), as
# on the host that wrote them.
fx=$work/fx
mkdir -p "$fx"
# Checked without --id/--root: docker's own binds from
# /var/lib/docker/containers/<id>/ would be nobody's (tests/policy passes the
# engine's id; here they are dropped).
for f in "$FIXTURES"/docker-20.10/*.json; do
  setkey_fixture "$f" | jq '(.mounts // []) |= map(select((.source // "") | test("^/var/lib/docker/containers/") | not))' >"$fx/${f##*/}"
done

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

# --opt=value, --help, and the order of a text report.
"$SECSHIM_BIN" check --help >"$work/h.txt" 2>&1
assert_status "--help: exit 0" "$?" 0
assert_contains "--help: prints the usage" "$(cat "$work/h.txt")" "usage: secshim check"
"$SECSHIM_BIN" check --policy="$P" --format=json "$fx/default.config.json" >"$work/eq.json"
assert_status "--policy=FILE --format=json: accepted (exit 0)" "$?" 0
assert_eq "--policy=FILE names that policy" "$(jq -r .policy "$work/eq.json")" "$P"
"$SECSHIM_BIN" check --policy="$P" "$fx/privileged.config.json" >"$work/priv.txt"
assert_status "privileged: refused, exit 1" "$?" 1
first=$(head -n 1 "$work/priv.txt")
assert_contains "the first line is the verdict with its counts" "$first" ": refused: "
n_reject=$(grep -c '^  reject ' "$work/priv.txt")
assert_contains "the verdict counts every refusal" "$first" "refused: $n_reject refusals,"
# Every refusal line comes before the first rewrite line.
last_reject=$(grep -n '^  reject ' "$work/priv.txt" | tail -n 1 | cut -d: -f1)
first_rewrite=$(grep -n '^  rewrite ' "$work/priv.txt" | head -n 1 | cut -d: -f1)
if [ -n "$first_rewrite" ] && [ "$last_reject" -lt "$first_rewrite" ]; then ok "refusals (to line $last_reject) before rewrites (from line $first_rewrite)"
else fail "refusals before rewrites: last reject line $last_reject, first rewrite line ${first_rewrite:-none}"; fi
# A long before/after value is shortened, and whole with --verbose.
short=$(grep 'capabilities: process.capabilities.bounding' "$work/priv.txt" | head -n 1)
"$SECSHIM_BIN" check --verbose --policy "$P" "$fx/privileged.config.json" >"$work/privv.txt"
long=$(grep 'capabilities: process.capabilities.bounding' "$work/privv.txt" | head -n 1)
assert_not_contains "without --verbose the 38 capabilities before are shortened" "$short" "\"CAP_AUDIT_READ\"] -> "
assert_contains "--verbose shows the whole value before" "$long" "\"CAP_AUDIT_READ\"] -> "
"$SECSHIM_BIN" check --policy "$P" "$fx/default.config.json" extra.json >/dev/null 2>"$work/two.txt"
assert_status "two files: exit 2" "$?" 2
assert_contains "two files: says so" "$(cat "$work/two.txt")" "one FILE only"

# Long before/after values are shortened ("...") unless --verbose.
short=$("$SECSHIM_BIN" check --policy="$P" "$fx/capadd-all.config.json" | grep -m 1 'process.capabilities.bounding')
long=$("$SECSHIM_BIN" check --verbose --policy="$P" "$fx/capadd-all.config.json" | grep -m 1 'process.capabilities.bounding')
assert_contains "without --verbose the before value is shortened" "$short" '"CAP_NET_BROADCAST","CAP...'
assert_not_contains "with --verbose it is whole" "$long" '"CAP...'
assert_contains "with --verbose the last capability is there" "$long" '"CAP_AUDIT_READ"] ->'

# The admin verbs work from the build tree (before make install too).
out=$("$SECSHIM_BIN" install --help 2>&1); rc=$?
assert_status "install --help from the build tree: exit 0" "$rc" 0
assert_contains "install --help: the admin script's usage" "$out" "usage: secshim install"
done_testing
