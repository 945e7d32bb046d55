#!/bin/sh
# Inside a VM booted with apparmor=0 (same Debian kernel, Landlock on):
# mode "required" refuses only when neither AppArmor nor Landlock can
# enforce the profile; with the Landlock fallback it runs confined by it.
. /vm/tests/lib.sh
B=/vm/bundle
n=0
run() { # POLICY SCRIPT
  n=$((n + 1))
  printf '%s\n' "$2" >$B/rootfs/probe
  cp /vm/config.json $B/config.json
  out=$(secshim --secshim-policy="$1" run -b $B noaa$n 2>&1)
  rc=$?
}
has() { printf '%s\n' "$out" | grep -q -- "$1" || { printf '%s\n' "$out"; echo "rc=$rc"; return 1; }; }
probe='(echo x >/etc/motd) 2>/dev/null && echo etc-write=ok || echo etc-write=denied
echo ran'

t "AppArmor is off in this guest (apparmor=0)" sh -c '! grep -qx Y /sys/module/apparmor/parameters/enabled'
t "Landlock is on in this guest" grep -q landlock /sys/kernel/security/lsm
run /etc/secshim/vm-required-nolandlock.json "$probe"
t "required, Landlock fallback off: the container is refused (rc $rc)" test "$rc" -ne 0
t "... saying AppArmor is not enabled" has "AppArmor"
t "... and it did not run" sh -c '! printf "%s\n" "$1" | grep -qx ran' - "$out"
run /etc/secshim/vm-required.json "$probe"
t "required, Landlock fallback on: the container runs (rc $rc)" test "$rc" = 0
t "... and Landlock enforces ReadOnlyPaths /etc (write denied)" has etc-write=denied
run /etc/secshim/vm-ifavail-nolandlock.json "$probe"
t "if-available, Landlock off: the container runs unconfined (rc $rc)" test "$rc" = 0
t "... the /etc write succeeds: nothing enforced the profile" has etc-write=ok
t "... and the audit record says so" grep -q "no AppArmor profile applied" /var/log/secshim/audit.jsonl
out=$(secshim apparmor load /vm/nginx-sample.toml 2>&1); rc=$?
t "secshim apparmor load without AppArmor fails (rc $rc)" test "$rc" -ne 0
t "... with a message that names the cause and the fix" has "the kernel has no AppArmor enabled"
t "... and apparmor_parser's own words are not what the user sees" sh -c '! printf "%s\n" "$1" | grep -qi "compatibility patches"' - "$out"
