#!/bin/sh
# Inside the VM: secshim loads the profile generated from the bane TOML,
# real runc attaches it, and its denies deny; plain runc without a profile
# (same bundle, same uid 65534, files writable by that uid) is the control.
. /vm/tests/lib.sh
B=/vm/bundle
n=0
# run POLICY|plain SCRIPT: run the container once with /probe = SCRIPT;
# its output is in $out, the exit status in $rc.
run() {
  n=$((n + 1))
  printf '%s\n' "$2" >$B/rootfs/probe
  cp /vm/config.json $B/config.json # secshim rewrites the bundle's copy
  if [ "$1" = plain ]; then
    out=$(runc run -b $B vm$n 2>&1)
  else
    out=$(secshim --secshim-policy="$1" run -b $B vm$n 2>&1)
  fi
  rc=$?
}
has() { printf '%s\n' "$out" | grep -qx -- "$1" || { printf '%s\n' "$out"; echo "rc=$rc"; return 1; }; }

# (No /dev/null: nginx-sample makes /dev/** read-only.)
probe='cat /proc/self/attr/current
(echo x >/etc/motd) 2>/var/tmp/err && echo etc-write=ok || echo etc-write=denied
(echo x >/var/tmp/w) 2>/var/tmp/err && echo var-write=ok || echo var-write=denied
x=$(head -c 4 /usr/bin/top 2>&1) && echo top-read=ok || echo top-read=denied
x=$(/usr/bin/top -h 2>&1); echo top-exec=$?
x=$(/bin/dash -c true 2>&1); echo dash-exec=$?
x=$(cat /etc/passwd) && echo etc-read=ok
id -u'

# --- the default policy: secshim-default -------------------------------
run /etc/secshim/default.json "$probe"
t "default policy: the container runs (rc 0)" test "$rc" = 0
t "default policy: attr/current in the container is 'secshim-default (enforce)'" has "secshim-default (enforce)"
t "default policy: the kernel holds secshim-default in enforce mode" grep -qx 'secshim-default (enforce)' /sys/kernel/security/apparmor/profiles
t "default policy: the container runs as uid 65534" has 65534
t "default policy: an allowed write (/var/tmp) works" has var-write=ok
t "default policy: an allowed read (/etc/passwd) works" has etc-read=ok
# The profile is attached from outside too: /proc/PID/attr/current of a
# started container, read from the VM.
printf 'sleep 30\n' >$B/rootfs/probe
cp /vm/config.json $B/config.json
secshim --secshim-policy=/etc/secshim/default.json create -b $B vmd >/dev/null 2>&1 </dev/null &&
  runc start vmd >/dev/null 2>&1
pid=$(runc state vmd 2>/dev/null | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
sleep 1
t "default policy: /proc/<pid>/attr/current of the running container is secshim-default (enforce)" \
  grep -qx 'secshim-default (enforce)' "/proc/${pid:-0}/attr/current"
runc kill vmd KILL >/dev/null 2>&1; sleep 1; runc delete -f vmd >/dev/null 2>&1

# --- the bane workflow: nginx-sample.toml --------------------------------
run /etc/secshim/vm-nginx.json "$probe"
t "nginx-sample: the container runs (rc 0)" test "$rc" = 0
t "nginx-sample: attr/current is 'nginx-sample (enforce)'" has "nginx-sample (enforce)"
t "nginx-sample: the kernel holds nginx-sample in enforce mode" grep -qx 'nginx-sample (enforce)' /sys/kernel/security/apparmor/profiles
t "nginx-sample: a write under ReadOnlyPaths /etc/** is denied" has etc-write=denied
t "nginx-sample: a read of DenyExec /usr/bin/top (regular file) is denied" has top-read=denied
t "nginx-sample: DenyExec /usr/bin/top cannot run (126, EACCES)" has top-exec=126
t "nginx-sample: DenyExec /bin/dash holds in a merged-/usr image (/usr/bin/dash: 126)" has dash-exec=126
t "nginx-sample: an allowed write (/var/tmp, no rule) works" has var-write=ok
t "nginx-sample: an allowed read (/etc/passwd) works" has etc-read=ok
printf 'echo x >/etc/motd\n' >$B/rootfs/probe
cp /vm/config.json $B/config.json
n=$((n + 1)); out=$(secshim --secshim-policy=/etc/secshim/vm-nginx.json run -b $B vm$n 2>&1)
t "nginx-sample: the denied write fails with EACCES (Permission denied)" sh -c 'printf "%s\n" "$1" | grep -q "Permission denied"' - "$out"

# --- control: plain runc, no profile -------------------------------------
run plain "$probe"
t "control: plain runc runs (rc 0)" test "$rc" = 0
t "control: attr/current is 'unconfined'" has unconfined
t "control: /bin/dash runs (not 126)" sh -c 'printf "%s\n" "$1" | grep -qE "^dash-exec=(0|1|127)$"' - "$out"
t "control: the same /etc write succeeds" has etc-write=ok
t "control: the same /usr/bin/top read succeeds" has top-read=ok
t "control: /usr/bin/top runs (busybox: exit 0 or 1, not 126)" sh -c 'printf "%s\n" "$1" | grep -qE "^top-exec=(0|1)$"' - "$out"
echo "audit records: $(wc -l </var/log/secshim/audit.jsonl 2>/dev/null)"
