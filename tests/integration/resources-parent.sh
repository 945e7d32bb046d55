#!/usr/bin/env bash
# A memory or pids limit met by the pod's cgroup (rule resources): kubelet
# limits the pod's cgroup and gives the pause container none, so
# restricted.json refused every pod on a CRI node.  With real runc 1.1.5 and
# real cgroups (v1 or v2, whichever this host has):
#  - a pause-shaped container (no limits of its own) whose parent cgroup has
#    a memory and a pids limit runs under restricted.json, and the kernel
#    holds it to them (its cgroup is below the limited one);
#  - the same container below a parent without limits, or directly below
#    the root, is refused with the resources rule's reasons;
#  - the systemd form ("<slice>:cri-containerd:<id>", --systemd-cgroup) is
#    judged by its slice the same way (secshim check: runc's systemd driver
#    needs systemd as PID 1).
# Only the direct parent counts: a limit further up (kubepods, the node's
# allocatable) bounds every pod together.  Every cgroup made is removed.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/bundle.sh"

missing=
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
[ -x "$RUNC" ] || missing+=" runc ($RUNC);"
command -v jq >/dev/null || missing+=" jq;"
if [ -n "$missing" ]; then skip "resources parent: missing${missing%;}"; done_testing; exit; fi
if [ "$(id -u)" -ne 0 ]; then skip "resources parent: needs root"; done_testing; exit; fi
if ! bundle_setup; then fail "could not build the busybox image (hack/mkimage.sh)"; done_testing; exit; fi

RESTRICTED=$SECSHIM_TOP/policy/restricted.json
POD=kubepods/secshim-itest-pod$$     # a Guaranteed pod's cgroup, limited
BARE=kubepods/secshim-itest-bare$$   # a BestEffort pod's cgroup, no limits
SLICE=kubepods-secshimitest$$.slice  # the systemd spelling of a limited pod
SLICE_DIR=kubepods.slice/$SLICE
v2=0
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && v2=1

# The engine-wide parents as they were: runc makes the container's cgroup
# in every hierarchy, so cleanup walks them all.
before=$(ls -d /sys/fs/cgroup/kubepods* /sys/fs/cgroup/*/kubepods* 2>/dev/null)
cg_dirs() { # rel: the directories of cgroup rel in the hierarchies the limits are read from
  if [ "$v2" = 1 ]; then echo "/sys/fs/cgroup/$1"; else echo "/sys/fs/cgroup/memory/$1 /sys/fs/cgroup/pids/$1"; fi
}
mk_cg() { # rel [limited]
  local d
  for d in $(cg_dirs "$1"); do
    mkdir -p "$d" || return 1
    [ "$v2" = 1 ] && echo "+memory +pids" >"$(dirname "$d")/cgroup.subtree_control" 2>/dev/null
  done
  [ "${2:-}" = limited ] || return 0
  if [ "$v2" = 1 ]; then
    echo 134217728 >"/sys/fs/cgroup/$1/memory.max" && echo 64 >"/sys/fs/cgroup/$1/pids.max"
  else
    echo 134217728 >"/sys/fs/cgroup/memory/$1/memory.limit_in_bytes" && echo 64 >"/sys/fs/cgroup/pids/$1/pids.max"
  fi
}
rm_tree() { [ -d "$1" ] && find "$1" -depth -type d -exec rmdir {} + 2>/dev/null; return 0; }
cleanup() {
  local d
  bundle_teardown
  for d in /sys/fs/cgroup /sys/fs/cgroup/*; do
    rm_tree "$d/$POD"; rm_tree "$d/$BARE"; rm_tree "$d/$SLICE_DIR"; rm_tree "$d/kubepods/root1"
    for k in "$d/kubepods" "$d/kubepods.slice"; do
      printf '%s\n' "$before" | grep -qx "$k" || rm_tree "$k"
    done
  done
}
trap cleanup EXIT

if ! mk_cg "$POD" limited || ! mk_cg "$BARE" || ! mk_cg "$SLICE_DIR" limited; then
  fail "cannot make the test's cgroups under /sys/fs/cgroup"; done_testing; exit
fi
ok "made a limited pod cgroup /$POD, an unlimited /$BARE, and /$SLICE_DIR (cgroup v$((v2 + 1)))"

# A pause container as containerd writes it: no limits of its own, but as
# restricted.json wants the rest (non-root, read-only root, CPU shares, a
# seccomp filter: the one the default policy writes).
make_bundle "$WORK/sc"
SECCOMP=$("$SECSHIM_BIN" check --policy "$SECSHIM_TOP/policy/default.json" --output "$WORK/sc/out.json" \
  "$WORK/sc/config.json" >/dev/null 2>&1; jq -c '.linux.seccomp // empty' "$WORK/sc/out.json" 2>/dev/null)
[ -n "$SECCOMP" ] || { fail "no seccomp filter from the default policy to start from"; done_testing; exit; }
pause() { # cgroupsPath
  printf '%s | .linux.cgroupsPath = "%s" | .process.user = {"uid": 65535, "gid": 65535} | .root.readonly = true
    | .linux.resources = {"cpu": {"shares": 2}} | .process.oomScoreAdj = 0 | .linux.seccomp = %s' \
    "$(jq_args sleep 30)" "$1" "$SECCOMP"
}
run_pause() { # id cgroupsPath
  make_bundle "$WORK/$1" "$(pause "$2")"
  # The container keeps runc's stdio: files, not a pipe $(...) would wait on.
  "$SECSHIM_BIN" --secshim-policy="$RESTRICTED" --secshim-runtime="$RUNC" --root "$RUNC_ROOT" \
    create --bundle "$WORK/$1" "$1" </dev/null >/dev/null 2>"$WORK/$1.err"
  rc=$?
  out=$(cat "$WORK/$1.err")
  [ "$rc" = 0 ] && secshim_rt start "$1" </dev/null >/dev/null 2>&1
}

run_pause pod1 "/$POD/pod1"
assert_status "restricted: a pause container without limits of its own, in a limited pod cgroup, runs" "$rc" 0
assert_not_contains "... with no resources finding" "$out" "no memory limit"
pid=$(secshim_rt state pod1 2>/dev/null | jq -r '.pid // empty')
if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
  if [ "$v2" = 1 ]; then cg=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup"); lim=/sys/fs/cgroup$cg/../memory.max
  else cg=$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup"); lim=/sys/fs/cgroup/memory$cg/../memory.limit_in_bytes; fi
  assert_eq "... the kernel put it below the pod's cgroup" "$cg" "/$POD/pod1"
  assert_eq "... whose memory limit holds it (128 MiB)" "$(cat "$lim" 2>/dev/null)" 134217728
else
  fail "... the container's pid is not known ($out)"
fi
secshim_rt delete --force pod1 >/dev/null 2>&1

run_pause bare1 "/$BARE/bare1"
assert_status "restricted: the same container in an unlimited pod cgroup is refused" "$rc" 1
assert_contains "... no memory limit" "$out" "no memory limit"
check "... and runc never created it" test "$(rt_status bare1)" = absent
out=$("$SECSHIM_BIN" check --policy "$RESTRICTED" --id bare1 "$WORK/bare1/config.json" 2>&1)
assert_contains "... secshim check names the pids limit too" "$out" "no pids limit"

run_pause root1 "/kubepods/root1"
assert_status "restricted: a container directly below kubepods (the node-wide cgroup) is refused" "$rc" 1
assert_contains "... its limits are not this workload's" "$out" "no memory limit"

# The systemd driver: the slice is the parent.
make_bundle "$WORK/sd" "$(pause "$SLICE:cri-containerd:sd1")"
out=$("$SECSHIM_BIN" check --policy "$RESTRICTED" --systemd-cgroup --id sd1 "$WORK/sd/config.json" 2>&1)
assert_not_contains "systemd: a slice with limits meets them ($SLICE)" "$out" "no memory limit"
make_bundle "$WORK/sd2" "$(pause "kubepods-secshimnolimit$$.slice:cri-containerd:sd2")"
out=$("$SECSHIM_BIN" check --policy "$RESTRICTED" --systemd-cgroup --id sd2 "$WORK/sd2/config.json" 2>&1)
assert_contains "systemd: a slice that does not exist bounds nothing (refused)" "$out" "no memory limit"
done_testing
