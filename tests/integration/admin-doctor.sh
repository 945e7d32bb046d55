#!/usr/bin/env bash
# secshim doctor against a fake root and a fake /sys: each finding appears
# with the right severity, and the exit status follows FAIL lines.
. "$(dirname "$0")/../lib/lib.sh"
ADMIN=$SECSHIM_TOP/hack/secshim-admin
command -v jq >/dev/null || { skip "jq not installed"; done_testing; exit; }
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/secshim" "$root/etc/docker" "$root/etc/containerd" "$root/usr/sbin" "$root/usr/bin" \
  "$root/var/lib/dpkg" "$root/sys/module/apparmor/parameters" "$root/sys/fs/cgroup"
echo Y >"$root/sys/module/apparmor/parameters/enabled"
printf '#!/bin/sh\necho "runc version 1.1.12"\necho "commit: v1.1.12-0-g51d5e946"\n' >"$root/usr/sbin/runc"
# A stand-in for secshim's `check`: exit 2 with a policy error when the
# policy says "broken", else judge (exit 0).
cat >"$root/usr/bin/secshim" <<'S'
#!/bin/sh
[ "$1" = check ] || exit 0
if grep -q broken "$3"; then echo "secshim: policy $3: rules.broken: unknown rule" >&2; exit 2; fi
exit 0
S
chmod 0755 "$root/usr/sbin/runc" "$root/usr/bin/secshim"
echo '{"version": 1, "rules": {}}' >"$root/etc/secshim/default.json"
doctor() { SECSHIM_BIN=$root/usr/bin/secshim SECSHIM_SYSFS=$root/sys SECSHIM_CONTAINERD=/nonexistent "$ADMIN" doctor --root "$root" "$@" 2>&1; }
admin() { "$ADMIN" "$@" --root "$root"; }

out=$(doctor); rc=$?
assert_status "nothing configured: exit 1" "$rc" 1
assert_contains "nothing configured: FAIL line" "$out" "FAIL  no container engine on this host runs secshim"
assert_contains "runc version found" "$out" "OK    real runc /usr/sbin/runc: version 1.1.12"
assert_not_contains "runc 1.1.12 has the CVE-2024-21626 fix" "$out" "CVE-2024-21626"
assert_contains "runc 1.1.12 lacks the Nov-2025 fixes" "$out" "WARN  runc 1.1.12 predates the Nov-2025 fixes"
assert_contains "apparmor read from SECSHIM_SYSFS" "$out" "OK    AppArmor enabled"
assert_contains "policy loads" "$out" "OK    policy /etc/secshim/default.json loads"
assert_contains "docker unconfigured is a warning with a fix" "$out" "fix: secshim install --docker --default"

admin install --docker --containerd --default >/dev/null 2>&1
out=$(doctor); rc=$?
assert_status "docker+containerd configured: exit 0" "$rc" 0
assert_contains "docker runtime seen" "$out" 'OK    docker: runtime "secure" is /usr/bin/secshim'
assert_contains "docker bypass through --runtime=runc reported" "$out" "WARN  docker: default runtime is \"secure\", but 'docker run --runtime=runc'"
assert_contains "containerd runtime seen" "$out" 'OK    containerd: CRI runtime "secure" uses BinaryName /usr/bin/secshim'
assert_contains "last line counts" "$out" "doctor: 0 FAIL"

admin uninstall --docker >/dev/null 2>&1; admin install --docker >/dev/null 2>&1
out=$(doctor)
assert_contains "docker without default: bypass by default" "$out" "WARN  docker: default runtime is \"runc\": containers without --runtime secure bypass secshim"

printf '%s\n' '{"runtimes": {' >"$root/etc/docker/daemon.json"
out=$(doctor); rc=$?
assert_status "broken daemon.json: exit 1" "$rc" 1
assert_contains "broken daemon.json: FAIL" "$out" "FAIL  docker: /etc/docker/daemon.json is not valid JSON"
echo '{}' >"$root/etc/docker/daemon.json"

echo '{"version": 1, "rules": {"broken": {}}}' >"$root/etc/secshim/default.json"
out=$(doctor); rc=$?
assert_status "invalid policy: exit 1" "$rc" 1
assert_contains "invalid policy: FAIL with the reason" "$out" "rules.broken: unknown rule"
echo '{"version": 1, "runtime": "/usr/bin/secshim", "rules": {}}' >"$root/etc/secshim/default.json"
out=$(doctor)
assert_contains "policy runtime = secshim: FAIL" "$out" "FAIL  the policy's runtime /usr/bin/secshim is secshim itself"
echo '{"version": 1, "rules": {}}' >"$root/etc/secshim/default.json"
out=$(doctor --policy /etc/secshim/none.json); rc=$?
assert_status "missing policy: exit 1" "$rc" 1
assert_contains "missing policy: FAIL" "$out" "FAIL  policy /etc/secshim/none.json missing"

printf '#!/bin/sh\necho "runc version 1.1.5+ds1"\necho "commit: 1.1.5+ds1-1"\n' >"$root/usr/sbin/runc"
out=$(doctor)
assert_contains "runc 1.1.5 without the Debian backport: CVE-2024-21626" "$out" "WARN  runc 1.1.5+ds1 is older than 1.1.12: CVE-2024-21626"
printf '#!/bin/sh\necho "runc version 1.1.5+ds1"\necho "commit: 1.1.5+ds1-1+deb12u1"\n' >"$root/usr/sbin/runc"
out=$(doctor)
assert_contains "bookworm's deb12u1 has the backport" "$out" "carries Debian's CVE-2024-21626 backport"
printf '#!/bin/sh\necho "runc version 1.3.3"\n' >"$root/usr/sbin/runc"
out=$(doctor)
assert_not_contains "runc 1.3.3: no CVE warning" "$out" "predates"
echo N >"$root/sys/module/apparmor/parameters/enabled"
out=$(doctor)
assert_contains "apparmor disabled is a warning" "$out" "WARN  AppArmor not enabled"
abi=$("$SECSHIM_BUILD/secshim-landlock" --abi 2>/dev/null || echo 0)
out=$(SECSHIM_LANDLOCK_HELPER=$SECSHIM_BUILD/secshim-landlock doctor)
if [ "$abi" -ge 1 ]; then
  assert_contains "apparmor disabled: the Landlock fallback is reported" "$out" "OK    Landlock ABI $abi: the apparmor rule enforces"
else
  assert_contains "apparmor disabled, no Landlock: warned" "$out" "no Landlock in this kernel either"
fi
out=$(SECSHIM_LANDLOCK_HELPER=/nonexistent SECSHIM_BIN=/nonexistent/secshim doctor)
assert_contains "apparmor disabled, helper missing: warned" "$out" "WARN  Landlock helper secshim-landlock not installed"
done_testing
