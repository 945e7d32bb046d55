#!/usr/bin/env bash
# secshim install/uninstall --docker against a fake root: every other key of
# daemon.json survives, an unparsable file is refused and left untouched,
# --dry-run changes nothing, uninstall restores the previous default runtime.
. "$(dirname "$0")/../lib/lib.sh"
ADMIN=$SECSHIM_TOP/hack/secshim-admin
command -v jq >/dev/null || { skip "jq not installed"; done_testing; exit; }
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/docker" "$root/etc/secshim"
echo '{"version": 1, "rules": {}}' >"$root/etc/secshim/default.json"
dj=$root/etc/docker/daemon.json
admin() { "$ADMIN" "$@" --root "$root"; }

orig='{"log-level":"warn","default-runtime":"crun","runtimes":{"crun":{"path":"/usr/bin/crun"}},"storage-driver":"overlay2","features":{"buildkit":true},"max-concurrent-downloads":3}'
printf '%s\n' "$orig" >"$dj"
before=$(sha_of "$dj")

out=$(admin install --docker --default --dry-run 2>&1); rc=$?
assert_status "dry-run succeeds" "$rc" 0
assert_eq "dry-run leaves daemon.json byte for byte" "$(sha_of "$dj")" "$before"
assert_contains "dry-run prints a diff of the new runtime" "$out" '+      "path": "/usr/bin/secshim",'
check "dry-run writes no state" test ! -e "$root/var/lib/secshim/docker.json"

out=$(admin install --docker --default 2>&1); rc=$?
assert_status "install --docker --default succeeds" "$rc" 0
assert_eq "secure runtime path" "$(jq -r '.runtimes.secure.path' "$dj")" /usr/bin/secshim
assert_eq "secure runtime args" "$(jq -c '.runtimes.secure.runtimeArgs' "$dj")" '["--secshim-policy=/etc/secshim/default.json"]'
assert_eq "default-runtime is secure" "$(jq -r '."default-runtime"' "$dj")" secure
assert_eq "other keys preserved" "$(jq -cS 'del(.runtimes.secure, ."default-runtime")' "$dj")" \
  "$(jq -cS 'del(."default-runtime")' <<<"$orig")"
bk=$(ls "$root"/var/lib/secshim/backup/_etc_docker_daemon.json.* 2>/dev/null | head -n 1)
assert_eq "the backup holds the original bytes" "$(cat "${bk:-/dev/null}")" "$orig"
assert_eq "mode kept" "$(stat -c %a "$dj")" 644

out=$(admin install --docker --default 2>&1); rc=$?
assert_status "install is idempotent" "$rc" 0
assert_eq "idempotent: one secure runtime, two runtimes" "$(jq '.runtimes | length' "$dj")" 2

out=$(admin uninstall --docker 2>&1); rc=$?
assert_status "uninstall succeeds" "$rc" 0
assert_eq "uninstall restores the exact object (default-runtime crun back)" "$(jq -cS . "$dj")" "$(jq -cS . <<<"$orig")"
check "uninstall clears the state" test ! -e "$root/var/lib/secshim/docker.json"

# The original bytes come back, not a re-serialisation: odd spacing, key
# order, a trailing newline missing, mode 0600.
printf '{ "log-level" :"warn",\n\t"runtimes": {"crun": {"path": "/usr/bin/crun"}} ,"debug":false}' >"$dj"
chmod 0600 "$dj"; before=$(sha_of "$dj")
admin install --docker --default >/dev/null 2>&1
check "install changed the odd file" test "$(sha_of "$dj")" != "$before"
out=$(admin uninstall --docker 2>&1); rc=$?
assert_status "uninstall of the odd file" "$rc" 0
assert_eq "install+uninstall: daemon.json byte for byte" "$(sha_of "$dj")" "$before"
assert_eq "install+uninstall: mode 0600 kept" "$(stat -c %a "$dj")" 600
assert_contains "uninstall says it restored the bytes" "$out" "restored /etc/docker/daemon.json byte for byte"
check "uninstall drops the saved original" test ! -e "$root/var/lib/secshim/docker.daemon.json.orig"
# Installed twice: the first original still wins.
admin install --docker >/dev/null 2>&1; admin install --docker --default >/dev/null 2>&1
admin uninstall --docker >/dev/null 2>&1
assert_eq "install twice + uninstall: byte for byte" "$(sha_of "$dj")" "$before"
# Edited after install: only our keys go, the user's edit stays.
admin install --docker --default >/dev/null 2>&1
jq '.debug = true' "$dj" >"$dj.new" && mv "$dj.new" "$dj"
out=$(admin uninstall --docker 2>&1); rc=$?
assert_status "uninstall after an edit" "$rc" 0
assert_contains "says the file changed since install" "$out" "changed since 'secshim install'"
assert_eq "the edit survives, secshim's keys go" "$(jq -cS . "$dj")" '{"debug":true,"log-level":"warn","runtimes":{"crun":{"path":"/usr/bin/crun"}}}'
chmod 0644 "$dj"

# No daemon.json at all: install creates it, uninstall removes it.
rm -f "$dj"
admin install --docker >/dev/null 2>&1
assert_eq "created daemon.json has only our runtime" "$(jq -c 'keys' "$dj")" '["runtimes"]'
check "no default-runtime without --default" test "$(jq 'has("default-runtime")' "$dj")" = false
admin uninstall --docker >/dev/null 2>&1
check "uninstall removes a daemon.json that install created" test ! -e "$dj"

# Unparsable files are refused and left untouched.
for bad in '{"a": 1,}' '{"a":1}{"b":2}' '["not", "an", "object"]' '{"log-level": "warn"'; do
  printf '%s\n' "$bad" >"$dj"; h=$(sha_of "$dj")
  out=$(admin install --docker --default 2>&1); rc=$?
  assert_status "refuses '$bad'" "$rc" 1
  assert_contains "says why for '$bad'" "$out" "refusing to edit /etc/docker/daemon.json"
  assert_eq "leaves '$bad' untouched" "$(sha_of "$dj")" "$h"
done

# A foreign runtime called "secure" is not overwritten.
echo '{"runtimes":{"secure":{"path":"/opt/other/runtime"}}}' >"$dj"; h=$(sha_of "$dj")
out=$(admin install --docker 2>&1); rc=$?
assert_status "refuses to replace a foreign 'secure' runtime" "$rc" 1
assert_eq "foreign runtime untouched" "$(sha_of "$dj")" "$h"

# --policy is written into runtimeArgs; a relative path is refused.
echo '{}' >"$dj"
echo '{"version": 1, "rules": {}}' >"$root/etc/secshim/restricted.json"
admin install --docker --policy /etc/secshim/restricted.json >/dev/null 2>&1
assert_eq "--policy in runtimeArgs" "$(jq -r '.runtimes.secure.runtimeArgs[0]' "$dj")" "--secshim-policy=/etc/secshim/restricted.json"
admin install --docker --policy etc/x.json >/dev/null 2>&1; rc=$?
assert_status "relative --policy is a usage error" "$rc" 2
out=$(admin install --docker --policy /etc/secshim/missing.json 2>&1); rc=$?
assert_status "missing policy refused" "$rc" 1
done_testing
