#!/usr/bin/env bash
# secshim install --docker --name NAME --policy FILE: a second runtime
# ("secure-restricted") next to "secure", each with its own policy; a policy
# that does not load is refused by install and by --dry-run alike, nothing
# written; uninstall --name removes one, uninstall without it removes all
# and gives daemon.json back byte for byte.
. "$(dirname "$0")/../lib/lib.sh"
ADMIN=$SECSHIM_TOP/hack/secshim-admin
command -v jq >/dev/null || { skip "jq not installed"; done_testing; exit; }
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/docker"
cp -R "$SECSHIM_TOP/policy" "$root/etc/secshim"
dj=$root/etc/docker/daemon.json
admin() { SECSHIM_BIN=$SECSHIM_BIN "$ADMIN" "$@" --root "$root"; }
printf '{"log-level":"warn"}\n' >"$dj"; orig=$(sha_of "$dj")

out=$(admin install --docker --default 2>&1); rc=$?
assert_status "install secure" "$rc" 0
out=$(admin install --docker --name secure-restricted --policy /etc/secshim/restricted.json 2>&1); rc=$?
assert_status "install --name secure-restricted --policy restricted.json" "$rc" 0
assert_eq "both runtimes, each with its policy" \
  "$(jq -c '[.runtimes | to_entries[] | [.key, .value.path, .value.runtimeArgs[0]]]' "$dj")" \
  '[["secure","/usr/bin/secshim","--secshim-policy=/etc/secshim/default.json"],["secure-restricted","/usr/bin/secshim","--secshim-policy=/etc/secshim/restricted.json"]]'
assert_eq "the default stays secure" "$(jq -r '."default-runtime"' "$dj")" secure

# A policy that does not load: refused, by the real run and by --dry-run.
echo '{"version": 1, "rules": {"nosuchrule": {}}}' >"$root/etc/secshim/broken.json"
h=$(sha_of "$dj")
for dry in "" --dry-run; do
  out=$(admin install --docker --name secure-broken --policy /etc/secshim/broken.json $dry 2>&1); rc=$?
  assert_status "broken policy refused ${dry:-(real run)}" "$rc" 1
  assert_contains "says why ${dry:-(real run)}" "$out" "policy /etc/secshim/broken.json does not load: secshim check: policy"
  assert_contains "names the bad key ${dry:-(real run)}" "$out" "unknown rule \`nosuchrule\`"
  assert_eq "daemon.json untouched ${dry:-(real run)}" "$(sha_of "$dj")" "$h"
done
out=$(admin install --docker --policy /etc/secshim/missing.json --dry-run 2>&1); rc=$?
assert_status "--dry-run refuses a missing policy too" "$rc" 1
printf '{"version": 1, "rules": {}' >"$root/etc/secshim/truncated.json"
out=$(admin install --runc-mode --policy /etc/secshim/truncated.json --dry-run 2>&1); rc=$?
assert_status "runc mode: an unparsable policy is refused" "$rc" 1

out=$(admin install --containerd --name secure-restricted 2>&1); rc=$?
assert_status "--name with --containerd: usage error" "$rc" 2
assert_contains "says why" "$out" "--name goes with --docker only"
out=$(admin install --docker --name runc 2>&1); rc=$?
assert_status "--name runc: usage error" "$rc" 2
out=$(admin install --docker --name 'Bad Name' 2>&1); rc=$?
assert_status "--name with a space: usage error" "$rc" 2

out=$(admin uninstall --docker --name secure-restricted 2>&1); rc=$?
assert_status "uninstall --name secure-restricted" "$rc" 0
assert_eq "only secure is left" "$(jq -c '.runtimes | keys' "$dj")" '["secure"]'
out=$(admin uninstall --docker 2>&1); rc=$?
assert_status "uninstall the last one" "$rc" 0
assert_eq "daemon.json byte for byte" "$(sha_of "$dj")" "$orig"

admin install --docker --default >/dev/null 2>&1
admin install --docker --name secure-restricted --policy /etc/secshim/restricted.json >/dev/null 2>&1
out=$(admin uninstall --docker 2>&1); rc=$?
assert_status "uninstall --docker without --name removes both" "$rc" 0
assert_eq "both gone: byte for byte" "$(sha_of "$dj")" "$orig"
assert_eq "no state left" "$(find "$root/var/lib/secshim" -mindepth 1 -maxdepth 1 ! -name backup 2>/dev/null)" ""
done_testing
