#!/usr/bin/env bash
# secshim install/uninstall --audit-rules and doctor's audit line, on a fake
# root, with stand-ins for auditctl and augenrules (the kernel's rule set is
# the host's: tests/e2e/docker-audit.sh loads real rules into a real auditd).
. "$(dirname "$0")/../lib/lib.sh"
ADMIN=$SECSHIM_TOP/hack/secshim-admin
command -v jq >/dev/null || { skip "jq not installed"; done_testing; exit; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
R=$W/root F=$W/root/etc/audit/rules.d/secshim.rules CALLS=$W/calls
mkdir -p "$R/usr/bin" "$R/usr/sbin" "$R/usr/local/bin" "$R/etc/docker" "$R/etc/secshim" "$R/var/lib/docker" \
  "$R/lib/systemd/system" "$R/etc/containerd" "$R/run/containerd" "$W/bin"
for f in /usr/sbin/dockerd /usr/bin/docker /usr/bin/containerd /usr/bin/containerd-shim-runc-v2 /usr/sbin/runc \
  /usr/bin/secshim /etc/docker/daemon.json /etc/containerd/config.toml /lib/systemd/system/docker.service \
  /lib/systemd/system/docker.socket /run/containerd/containerd.sock; do : >"$R$f"; done

# auditctl stand-in: "auditd runs" when $W/running exists; logs every call.
cat >"$W/bin/auditctl" <<EOF
#!/bin/sh
echo "auditctl \$*" >>"$CALLS"
case \$1 in
  -s) if [ -e "$W/running" ]; then echo "enabled 1"; echo "pid 4242"; else echo "enabled 0"; echo "pid 0"; fi ;;
  -l) cat "$W/loaded" 2>/dev/null || echo "No rules" ;;
esac
exit 0
EOF
printf '#!/bin/sh\necho "augenrules $*" >>"%s"\n' "$CALLS" >"$W/bin/augenrules"
chmod 0755 "$W/bin/auditctl" "$W/bin/augenrules"
admin() { SECSHIM_AUDITCTL=$W/bin/auditctl SECSHIM_AUGENRULES=$W/bin/augenrules "$ADMIN" "$@" --root "$R" 2>&1; }

# --- install without auditd running: the file, nothing loaded ------------------------
out=$(admin install --audit-rules); rc=$?
assert_status "install --audit-rules: exit 0 (no policy needed)" "$rc" 0
check "the rules file exists" test -f "$F"
assert_eq "the rules file is 0640" "$(stat -c %a "$F")" 640
rules=$(grep -v '^#' "$F")
for p in /usr/sbin/dockerd /usr/bin/docker /usr/bin/containerd /usr/bin/containerd-shim-runc-v2 /usr/sbin/runc \
  /run/containerd /var/lib/docker /etc/docker /etc/docker/daemon.json /etc/containerd/config.toml /run/containerd/containerd.sock \
  /lib/systemd/system/docker.service /lib/systemd/system/docker.socket; do
  assert_contains "watch on $p, key docker" "$rules" "-w $p -k docker"
done
assert_contains "secshim's binary, key secshim" "$rules" "-w /usr/bin/secshim -k secshim"
assert_contains "/etc/secshim, key secshim" "$rules" "-w /etc/secshim -k secshim"
assert_contains "secshim's sendto, key secshim" "$rules" "-S sendto -F exe=/usr/bin/secshim -F a2!=16 -k secshim"
assert_not_contains "no watch for a file that does not exist (/etc/default/docker)" "$rules" "/etc/default/docker"
assert_not_contains "no watch for a file that does not exist (/var/run/docker.sock)" "$rules" "/var/run/docker.sock"
assert_not_contains "no containerd.service: there is none" "$rules" "containerd.service"
assert_contains "auditd not running: says when they load" "$out" "auditd is not running"
assert_not_contains "auditd not running: nothing loaded" "$(cat "$CALLS")" "-R"

# --- doctor: auditd installed, watches in rules.d; then one missing -------------------
: >"$R/usr/sbin/auditd"; chmod 0755 "$R/usr/sbin/auditd"
doctor() { SECSHIM_BIN=$R/usr/bin/secshim SECSHIM_AUDITCTL=$W/bin/auditctl SECSHIM_CONTAINERD=/nonexistent "$ADMIN" doctor --root "$R" 2>&1; }
out=$(doctor)
assert_contains "doctor: every watch present" "$out" "OK    audit: the 15 CIS Docker and secshim watches are in /etc/audit/rules.d"
mkdir -p "$R/etc/default"; : >"$R/etc/default/docker"
out=$(doctor)
assert_contains "doctor: a new engine file without a watch is reported" "$out" "WARN  audit: watches missing from /etc/audit/rules.d (auditd not running or --root): /etc/default/docker"
assert_contains "doctor: with the fix" "$out" "fix: secshim install --audit-rules"

# --- install again with auditd running: loaded, this file only -----------------------
: >"$W/running"; : >"$CALLS"
out=$(admin install --audit-rules); rc=$?
assert_status "install with auditd running: exit 0" "$rc" 0
assert_contains "the new file is added" "$(cat "$F")" "-w /etc/default/docker -k docker"
assert_contains "--root: loads this file only (auditctl -R)" "$(cat "$CALLS")" "auditctl -R $F"
assert_not_contains "--root: never augenrules (it would load the running system's rules.d)" "$(cat "$CALLS")" "augenrules"
assert_contains "before loading, its old rules are taken out (idempotent)" "$(cat "$CALLS")" "auditctl -W /usr/sbin/dockerd -k docker"
assert_contains "... the exit rule too" "$(cat "$CALLS")" "auditctl -d always,exit -F arch="
assert_contains "reports the count" "$out" "audit: rules loaded (17 from /etc/audit/rules.d/secshim.rules)"

# --- dry run changes nothing ---------------------------------------------------------
cp "$F" "$W/before"
rm "$R/etc/default/docker"
out=$(admin install --audit-rules --dry-run)
assert_contains "--dry-run: shows the diff" "$out" "-w /etc/default/docker -k docker"
check "--dry-run: file unchanged" cmp -s "$F" "$W/before"

# --- uninstall: rules out of the kernel, file gone ----------------------------------
: >"$CALLS"
out=$(admin uninstall --audit-rules); rc=$?
assert_status "uninstall --audit-rules: exit 0" "$rc" 0
check "uninstall: the file is gone" test ! -e "$F"
assert_contains "uninstall: each watch deleted" "$(cat "$CALLS")" "auditctl -W /etc/secshim -k secshim"
assert_contains "uninstall: the exit rule deleted" "$(cat "$CALLS")" "auditctl -d always,exit"
out=$(admin uninstall --audit-rules)
assert_contains "uninstall twice: nothing to undo" "$out" "absent, nothing to undo"

# --- usage ----------------------------------------------------------------------------
out=$("$ADMIN" install --audit-rules --bin "/opt/my secshim" --root "$R" 2>&1); rc=$?
assert_status "a secshim path with a space is refused" "$rc" 1
assert_contains "... saying why" "$out" "white space"
out=$("$ADMIN" install --root "$R" 2>&1)
assert_contains "the usage names --audit-rules" "$out" "--audit-rules"
done_testing
