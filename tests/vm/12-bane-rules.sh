#!/bin/sh
# Inside the VM: the rest of nginx-sample's rules, each against a control
# run of the same bundle through plain runc: AllowExec keeps execute, raw
# sockets are denied by the profile alone (root with CAP_NET_RAW), and an
# unconfined container is refused before runc runs.
. /vm/tests/lib.sh
B=/vm/bundle
n=0
run() { # POLICY|plain CONFIG SCRIPT
  n=$((n + 1))
  printf '%s\n' "$3" >$B/rootfs/probe
  cp "$2" $B/config.json
  if [ "$1" = plain ]; then out=$(runc run -b $B rules$n 2>&1)
  else out=$(secshim --secshim-policy="$1" run -b $B rules$n 2>&1); fi
  rc=$?
}
has() { printf '%s\n' "$out" | grep -q -- "$1" || { printf '%s\n' "$out"; echo "rc=$rc"; return 1; }; }
hasnt() { ! printf '%s\n' "$out" | grep -q -- "$1" || { printf '%s\n' "$out"; return 1; }; }

exec_probe='/usr/sbin/nginx 2>&1; echo nginx-exit=$?'
run /etc/secshim/vm-nginx.json /vm/config.json "$exec_probe"
t "AllowExec /usr/sbin/nginx: the program runs under nginx-sample (busybox: applet not found)" has "applet not found"
t "AllowExec: not refused with 126" hasnt "nginx-exit=126"

# busybox ping opens a SOCK_RAW socket first; in runc's fresh network
# namespace the send then fails, so the two outcomes differ in the word.
raw_probe='cat /proc/self/attr/current; grep CapEff /proc/self/status; ping -c 1 -W 1 127.0.0.1 2>&1; echo ping-exit=$?'
run /etc/secshim/vm-nginx-raw.json /vm/config-raw.json "$raw_probe"
t "raw network: the container runs as root under nginx-sample (rc 0)" test "$rc" = 0
t "raw network: attr/current is nginx-sample (enforce)" has "nginx-sample (enforce)"
t "raw network: ping's raw socket is denied by the profile (Permission denied)" has "ermission denied"
run plain /vm/config-raw.json "$raw_probe"
t "control: plain runc, same root + CAP_NET_RAW: the raw socket opens (no Permission denied)" hasnt "ermission denied"

printf 'true\n' >$B/rootfs/probe
/usr/bin/python3 - <<'PY'
import json
c = json.load(open("/vm/config.json"))
c["process"]["apparmorProfile"] = "unconfined"
json.dump(c, open("/vm/bundle/config.json", "w"))
PY
cp $B/config.json /tmp/unconfined.json
out=$(secshim --secshim-policy=/etc/secshim/vm-nginx.json run -b $B rules-unconfined 2>&1); rc=$?
t "apparmorProfile unconfined is refused (rc $rc)" test "$rc" -ne 0
t "... saying why" has "unconfined"
t "... and the bundle is left byte for byte" cmp -s $B/config.json /tmp/unconfined.json
t "... and no container was created" sh -c '! runc state rules-unconfined >/dev/null 2>&1'
