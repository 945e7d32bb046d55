#!/usr/bin/env bash
# Joined namespaces with real runc: where runc resolves a namespace path,
# and that secshim judges the namespace it lands on, not the spelling.
#
# `runc create` Lstat()s linux.namespaces[].path from the bundle; nsexec
# then open()s it from the rootfs.  A relative path is two files: here
# bundle/netns leads to another container's network namespace (the check
# runc makes passes) while rootfs/netns leads to /proc/self/ns/net, which
# nsexec opens as itself, still in the host's namespace.  Plain runc puts
# the container in the host's network namespace; secshim refuses it.
#
# Each case's expected verdict comes from the Go oracle (`oracle ns`: runc's
# Lstat from the bundle, nsexec's open from the rootfs): refused when runc
# would fail on the path or would join the host's namespace, allowed
# otherwise; and the namespace the oracle names is the one runc joins.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/bundle.sh"

missing=
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
[ -x "$RUNC" ] || missing+=" runc ($RUNC);"
ORACLE=$SECSHIM_BUILD/oracle
"$SECSHIM_TOP/tests/oracle/build.sh" "$ORACLE" >/dev/null 2>&1 || missing+=" the Go oracle (tests/oracle/build.sh);"
command -v jq >/dev/null || missing+=" jq;"
command -v unshare >/dev/null || missing+=" unshare;"
if [ -n "$missing" ]; then skip "ns paths: missing${missing%;}"; done_testing; exit; fi
if [ "$(id -u)" -ne 0 ]; then skip "ns paths: needs root"; done_testing; exit; fi
if ! bundle_setup; then fail "could not build the busybox image (hack/mkimage.sh)"; done_testing; exit; fi
SECSHIM_TEST_POLICY=$SECSHIM_TOP/policy/default.json

# Another "container": a process in a network namespace of its own.
trap 'ns_holder_stop; bundle_teardown' EXIT
ns_holder_start --net
other=$NS_OTHER
host_net=$(readlink /proc/self/ns/net)
other_net=$(readlink "/proc/$other/ns/net" 2>/dev/null)
if [ -z "$other" ] || [ "$other_net" = "$host_net" ]; then
  fail "could not start a process in its own network namespace"; done_testing; exit
fi

ns_of() { # runner bundle id -> the container's network namespace, or the error
  "$@" </dev/null 2>&1 | tail -n 3
}

# oracle_ns BUNDLE: sets EXPECT (refuse or accept) and JOINS (the namespace
# nsexec would open for the network entry) from `oracle ns`.
oracle_ns() {
  "$ORACLE" ns "$1/config.json" >"$WORK/ns.json" || { fail "oracle ns failed on $1"; EXPECT=; return; }
  EXPECT=$(jq -r 'if any(.namespaces[]; (.fails // "") != "" or .host) then "refuse" else "accept" end' "$WORK/ns.json")
  JOINS=$(jq -r '.namespaces[] | select(.type == "network") | .open.ns // ""' "$WORK/ns.json")
}
# verdict OUTPUT ID: what secshim did with the container.
verdict() {
  case $1 in *"secshim:"*"refused"* | *"secshim: "*) echo refuse ;; *) echo accept ;; esac
}

# 1. The legitimate shape: an absolute path to another container's namespace.
b=$WORK/other
make_bundle "$b" "$(jq_args readlink /proc/self/ns/net) | .linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$other/ns/net\" else . end)"
oracle_ns "$b"
assert_eq "oracle: an absolute path to another container's namespace is accepted, and names it" "$EXPECT $JOINS" "accept $other_net"
out=$(ns_of secshim_rt run --bundle "$b" ns-other)
assert_eq "secshim: does what the oracle says ($EXPECT)" "$(verdict "$out")" "$EXPECT"
assert_eq "secshim: runc joins the namespace the oracle names" "$out" "$JOINS"

# 2. The relative path that means two files.
b=$WORK/relative
cp -a "$TEST_ROOTFS" "$WORK/rootfs"
ln -s "/proc/$other/ns/net" "$b.netns" 2>/dev/null
make_bundle "$b" "$(jq_args readlink /proc/self/ns/net) | .root.path = \"$WORK/rootfs\" | .linux.namespaces |= map(if .type == \"network\" then .path = \"netns\" else . end)"
ln -s "/proc/$other/ns/net" "$b/netns"
ln -s /proc/self/ns/net "$WORK/rootfs/netns"
oracle_ns "$b"
assert_eq "oracle: the relative path is two files, nsexec opens the host's: refuse" \
  "$EXPECT $(jq -r '.namespaces[0].differ' "$WORK/ns.json") $JOINS" "refuse true $host_net"
plain=$(ns_of "$RUNC" --root "$RUNC_ROOT" run --bundle "$b" ns-plain)
assert_eq "plain runc: joins the namespace the oracle names, the host's" "$plain" "$JOINS"
"$RUNC" --root "$RUNC_ROOT" delete --force ns-plain >/dev/null 2>&1
out=$(ns_of secshim_rt run --bundle "$b" ns-rel)
assert_eq "secshim: does what the oracle says ($EXPECT)" "$(verdict "$out")" "$EXPECT"
assert_contains "secshim: refused, in docker's words" "$out" "network namespace"
out=$("$SECSHIM_BIN" check --policy "$SECSHIM_TEST_POLICY" "$b/config.json" 2>&1)
assert_contains "secshim check: the finding says where runc opens it" "$out" \
  "netns from the rootfs, where runc opens it is the host's network namespace"
assert_eq "secshim: no container was created" "$(rt_status ns-rel)" absent
rm -f "$b.netns"

# 3. A path that cannot be resolved is refused, not waved through.
b=$WORK/gone
make_bundle "$b" "$(jq_args true) | .linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/999999/ns/net\" else . end)"
oracle_ns "$b"
assert_eq "oracle: runc itself fails on a pid that is gone: refuse" "$EXPECT" refuse
out=$(ns_of secshim_rt run --bundle "$b" ns-gone)
assert_eq "secshim: does what the oracle says ($EXPECT)" "$(verdict "$out")" "$EXPECT"
assert_contains "secshim: an unresolvable namespace path is refused" "$out" "cannot be resolved on the host"
done_testing
