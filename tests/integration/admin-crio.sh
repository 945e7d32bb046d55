#!/usr/bin/env bash
# secshim install/uninstall --crio against a fake root: one drop-in, removed
# by uninstall, a foreign drop-in of the same name never touched.
. "$(dirname "$0")/../lib/lib.sh"
ADMIN=$SECSHIM_TOP/hack/secshim-admin
command -v jq >/dev/null || { skip "jq not installed"; done_testing; exit; }
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/crio" "$root/etc/secshim"
echo '{"version": 1, "rules": {}}' >"$root/etc/secshim/default.json"
d=$root/etc/crio/crio.conf.d/99-secshim.conf
admin() { "$ADMIN" "$@" --root "$root"; }
# toml KEY in [TABLE] of FILE (flat tables only, as CRI-O drop-ins are)
get() { awk -v t="$2" -v k="$3" '/^[[:space:]]*\[/ { h=$0; gsub(/[][[:space:]]/, "", h); cur=h; next }
  cur==t { l=$0; sub(/^[[:space:]]*/, "", l); if (index(l, k " = ")==1) { v=substr(l, length(k)+4); gsub(/"/, "", v); print v } }' "$1"; }

out=$(admin install --crio --default --dry-run 2>&1)
check "dry-run writes nothing" test ! -e "$d"
assert_contains "dry-run shows runtime_path" "$out" '+runtime_path = "/usr/bin/secshim"'
admin install --crio --default >/dev/null 2>&1; rc=$?
assert_status "install --crio --default" "$rc" 0
assert_eq "runtime_path" "$(get "$d" crio.runtime.runtimes.secure runtime_path)" /usr/bin/secshim
assert_eq "runtime_type" "$(get "$d" crio.runtime.runtimes.secure runtime_type)" oci
assert_eq "runtime_root" "$(get "$d" crio.runtime.runtimes.secure runtime_root)" /run/runc
assert_eq "default_runtime" "$(get "$d" crio.runtime default_runtime)" secure
if python3 -c 'import tomllib' 2>/dev/null; then
  check "drop-in is valid TOML" python3 -c 'import sys, tomllib; tomllib.load(open(sys.argv[1], "rb"))' "$d"
else
  skip "python3 tomllib missing: TOML syntax not checked"
fi
admin install --crio >/dev/null 2>&1
assert_eq "reinstall without --default drops the default" "$(get "$d" crio.runtime default_runtime)" ""
admin uninstall --crio >/dev/null 2>&1
check "uninstall removes the drop-in" test ! -e "$d"

printf '[crio.runtime]\ndefault_runtime = "crun"\n' >"$d"; h=$(sha_of "$d")
out=$(admin install --crio 2>&1); rc=$?
assert_status "foreign drop-in refused" "$rc" 1
out=$(admin uninstall --crio 2>&1); rc=$?
assert_status "foreign drop-in not removed by uninstall" "$rc" 1
assert_eq "foreign drop-in untouched" "$(sha_of "$d")" "$h"
done_testing
