#!/bin/sh
# Inside the VM: a profile no one loaded yet, wanted by 8 starters at once,
# is compiled and loaded once (secshim's lock), and every starter gets it.
# The loads are counted by a wrapper around apparmor_parser (the guest's
# root is a copy-on-write overlay: the host's parser is not touched).
. /vm/tests/lib.sh
P=/usr/sbin/apparmor_parser
mv $P $P.real
cat >$P <<'W'
#!/bin/sh
echo "$*" >>/tmp/parser-runs
exec /usr/sbin/apparmor_parser.real "$@"
W
chmod 0755 $P
runs() { grep -c -- '--replace' /tmp/parser-runs 2>/dev/null || echo 0; }

for i in 1 2 3 4 5 6 7 8; do
  secshim apparmor load /vm/vm-concurrent.toml >/tmp/load.$i 2>&1 &
done
wait
loaded=$(cat /tmp/load.* | grep -c 'profile vm-concurrent loaded$')
already=$(cat /tmp/load.* | grep -c 'already loaded')
t "8 concurrent 'secshim apparmor load': one compiled and loaded it ($loaded), seven found it loaded ($already)" \
  test "$loaded" = 1 -a "$already" = 7
t "... apparmor_parser --replace ran once ($(runs))" test "$(runs)" = 1
t "... vm-concurrent is in enforce mode" grep -qx 'vm-concurrent (enforce)' /sys/kernel/security/apparmor/profiles

# 8 containers started at once by a policy whose profile is new (removed
# from the kernel and the cache first): each runs confined, one load.
$P.real -R /var/cache/secshim/apparmor/vm-concurrent >/dev/null 2>&1
rm -f /var/cache/secshim/apparmor/vm-concurrent* /tmp/parser-runs
t "... removed again for the next case" sh -c '! grep -q "^vm-concurrent " /sys/kernel/security/apparmor/profiles'
for i in 1 2 3 4 5 6 7 8; do
  b=/tmp/b$i
  mkdir -p $b && cp -a /vm/bundle/rootfs $b/ && cp /vm/config.json $b/config.json
  printf 'cat /proc/self/attr/current\n' >$b/rootfs/probe
  secshim --secshim-policy=/etc/secshim/vm-concurrent.json run -b $b conc$i >/tmp/run.$i 2>&1 &
done
wait
ok=$(cat /tmp/run.* | grep -cx 'vm-concurrent (enforce)')
t "8 containers started at once: all 8 run confined by vm-concurrent ($ok)" test "$ok" = 8
t "... and apparmor_parser --replace ran once ($(runs))" test "$(runs)" = 1
mv $P.real $P
