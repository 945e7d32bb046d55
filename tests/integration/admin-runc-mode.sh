#!/usr/bin/env bash
# secshim install/uninstall --runc-mode against a fake root with its own dpkg
# database (dpkg-divert --root): the real runc moves to runc.real, runc
# becomes secshim, every policy names runc.real; uninstall undoes all three.
. "$(dirname "$0")/../lib/lib.sh"
ADMIN=$SECSHIM_TOP/hack/secshim-admin
command -v jq >/dev/null || { skip "jq not installed"; done_testing; exit; }
command -v dpkg-divert >/dev/null || { skip "dpkg-divert not installed (not Debian)"; done_testing; exit; }
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/secshim/seccomp" "$root/usr/sbin" "$root/usr/bin" "$root/var/lib/dpkg"
printf '#!/bin/sh\necho "runc version 1.1.5+ds1"\necho "commit: 1.1.5+ds1-1+deb12u1"\n' >"$root/usr/sbin/runc"
printf '#!/bin/sh\necho secshim\n' >"$root/usr/bin/secshim"
chmod 0755 "$root/usr/sbin/runc" "$root/usr/bin/secshim"
# default.json has no "runtime" (secshim falls back to /usr/sbin/runc);
# restricted.json names it; the seccomp profile is not a policy.
printf '{\n  "version": 1,\n  "rules": {}\n}\n' >"$root/etc/secshim/default.json"
printf '{\n  "version": 1,\n  "runtime": "/usr/sbin/runc",\n  "rules": {}\n}\n' >"$root/etc/secshim/restricted.json"
echo '{"defaultAction": "SCMP_ACT_ERRNO"}' >"$root/etc/secshim/seccomp/default.json"
h_def=$(sha_of "$root/etc/secshim/default.json"); h_res=$(sha_of "$root/etc/secshim/restricted.json")
h_runc=$(sha_of "$root/usr/sbin/runc")
admin() { "$ADMIN" "$@" --root "$root"; }
div() { dpkg-divert --root "$root" "$@"; }

out=$(admin install --runc-mode --dry-run 2>&1); rc=$?
assert_status "dry-run" "$rc" 0
assert_contains "dry-run names the diversion" "$out" "dpkg-divert --local --rename --divert /usr/sbin/runc.real --add /usr/sbin/runc"
assert_eq "dry-run: runc untouched" "$(sha_of "$root/usr/sbin/runc")" "$h_runc"
assert_eq "dry-run: no diversion" "$(div --truename /usr/sbin/runc)" /usr/sbin/runc

out=$(admin install --runc-mode 2>&1); rc=$?
assert_status "install --runc-mode" "$rc" 0
assert_eq "diversion recorded" "$(div --truename /usr/sbin/runc)" /usr/sbin/runc.real
assert_eq "diversion is local" "$(div --listpackage /usr/sbin/runc)" LOCAL
assert_eq "real runc moved to runc.real" "$(sha_of "$root/usr/sbin/runc.real")" "$h_runc"
assert_eq "runc is a symlink to secshim" "$(readlink "$root/usr/sbin/runc")" /usr/bin/secshim
assert_eq "default policy names runc.real" "$(jq -r .runtime "$root/etc/secshim/default.json")" /usr/sbin/runc.real
assert_eq "restricted policy names runc.real" "$(jq -r .runtime "$root/etc/secshim/restricted.json")" /usr/sbin/runc.real
assert_eq "restricted policy: only the runtime line changed" \
  "$(diff "$root/var/lib/secshim/backup/"_etc_secshim_restricted.json.* "$root/etc/secshim/restricted.json" | grep -c '^[<>]')" 2
assert_eq "seccomp profile untouched" "$(jq -c . "$root/etc/secshim/seccomp/default.json")" '{"defaultAction":"SCMP_ACT_ERRNO"}'

out=$(admin install --runc-mode 2>&1); rc=$?
assert_status "install --runc-mode twice" "$rc" 0
assert_eq "still one level of diversion" "$(div --truename /usr/sbin/runc)" /usr/sbin/runc.real

out=$(SECSHIM_BIN=$root/usr/bin/secshim "$ADMIN" doctor --root "$root" 2>&1 | grep -v "^ ")
assert_contains "doctor sees runc mode" "$out" "OK    runc mode: /usr/sbin/runc is secshim"
assert_contains "doctor finds the real runc through the policy" "$out" "real runc /usr/sbin/runc.real: version 1.1.5+ds1"

out=$(admin uninstall --runc-mode 2>&1); rc=$?
assert_status "uninstall --runc-mode" "$rc" 0
assert_eq "diversion removed" "$(div --truename /usr/sbin/runc)" /usr/sbin/runc
assert_eq "real runc back in place" "$(sha_of "$root/usr/sbin/runc")" "$h_runc"
check "runc.real gone" test ! -e "$root/usr/sbin/runc.real"
assert_eq "default policy restored byte for byte" "$(sha_of "$root/etc/secshim/default.json")" "$h_def"
assert_eq "restricted policy restored byte for byte" "$(sha_of "$root/etc/secshim/restricted.json")" "$h_res"

# Someone else's diversion is not ours to take over.
div --local --rename --divert /usr/sbin/runc.distrib --add /usr/sbin/runc >/dev/null
out=$(admin install --runc-mode 2>&1); rc=$?
assert_status "foreign diversion refused" "$rc" 1
assert_contains "names the other diversion" "$out" "/usr/sbin/runc.distrib"
div --local --rename --remove /usr/sbin/runc >/dev/null
# runc already replaced by secshim without a diversion: the real one is lost.
cp "$root/usr/bin/secshim" "$root/usr/sbin/runc.tmp"; ln -f "$root/usr/bin/secshim" "$root/usr/sbin/runc"
out=$(admin install --runc-mode 2>&1); rc=$?
assert_status "undiverted secshim-as-runc refused" "$rc" 1
done_testing
