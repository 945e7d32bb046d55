#!/usr/bin/env bash
# cgroupsPath with real runc 1.1.5 (issue 10 class 5, CIS 5.25): a path that
# cleans to a host cgroup puts the container into it, and from there runc
# kill --all signals the host's processes.  secshim refuses it.
#
# The "host cgroup" is made for the run in the pids hierarchy (cgroup v1) or
# the unified one (v2), with a host process (sleep) in it; every cgroup the
# test or runc makes is removed at exit.  The oracle (`oracle cgroup`,
# runc's own path code) must name the directory the kernel reports in
# /proc/<pid>/cgroup, so the adversarial corpus judged by it speaks of what
# runc really does.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/bundle.sh"

ORACLE=$SECSHIM_BUILD/oracle
missing=
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
[ -x "$RUNC" ] || missing+=" runc ($RUNC);"
command -v jq >/dev/null || missing+=" jq;"
"$SECSHIM_TOP/tests/oracle/build.sh" "$ORACLE" >/dev/null 2>&1 || missing+=" the Go oracle (tests/oracle/build.sh);"
if [ -n "$missing" ]; then skip "cgroups runc: missing${missing%;}"; done_testing; exit; fi
if [ "$(id -u)" -ne 0 ]; then skip "cgroups runc: needs root"; done_testing; exit; fi
if ! bundle_setup; then fail "could not build the busybox image (hack/mkimage.sh)"; done_testing; exit; fi

# The hierarchy /proc/<pid>/cgroup is read from: pids on v1, "0::" on v2.
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then MP=/sys/fs/cgroup; field='^0::'
else MP=/sys/fs/cgroup/pids; field='^[0-9]*:pids:'; fi
cg_of() { grep "$field" "/proc/$1/cgroup" | cut -d: -f3; }

HOSTCG=secshim-itest-host-$$  # stands for /system.slice and the like
PARENT=secshim-itest-parent-$$ # an engine parent the test policy allows
holder=
cleanup() {
  [ -n "$holder" ] && kill "$holder" 2>/dev/null
  bundle_teardown
  local d
  # runc made the leaf in every hierarchy; remove leaves first.
  for d in /sys/fs/cgroup/*/"$PARENT"/* /sys/fs/cgroup/"$PARENT"/* /sys/fs/cgroup/*/"$PARENT" /sys/fs/cgroup/"$PARENT" \
    /sys/fs/cgroup/*/"$HOSTCG" /sys/fs/cgroup/"$HOSTCG"; do
    [ -d "$d" ] && rmdir "$d" 2>/dev/null
  done
  return 0
}
trap cleanup EXIT

# On v1 runc kill --all lists the processes of the devices hierarchy and
# freezes with the freezer one: the host cgroup exists in those too, as
# /system.slice does.
HIER=$MP
[ "$MP" = /sys/fs/cgroup ] || HIER="$MP /sys/fs/cgroup/devices /sys/fs/cgroup/freezer"
start_holder() {
  local h
  sleep 600 </dev/null >/dev/null 2>&1 &
  holder=$!
  for h in $HIER; do mkdir -p "$h/$HOSTCG" && echo "$holder" >"$h/$HOSTCG/cgroup.procs" || return 1; done
}
start_holder || { fail "cannot make /$HOSTCG with a process in it"; done_testing; exit; }
assert_eq "setup: a host process in host cgroup /$HOSTCG" "$(cg_of "$holder")" "/$HOSTCG"

# The test policy beside copies of the shipped data files it names.
POL=$WORK/policy/default.json
mkdir -p "$WORK/policy"
cp -r "$SECSHIM_TOP/policy/apparmor" "$SECSHIM_TOP/policy/seccomp" "$WORK/policy/"
jq --arg p "/$PARENT" '.rules.cgroups.allowParents += [$p]' "$SECSHIM_TOP/policy/default.json" >"$POL"
SECSHIM_TEST_POLICY=$POL

# 1. Plain runc: "/docker/../<host cgroup>" is the host cgroup itself.
b=$WORK/escape
make_bundle "$b" "$(jq_args sleep 600) | .linux.cgroupsPath = \"/docker/../$HOSTCG\""
"$ORACLE" cgroup --mountpoint "$MP" --allow-parent /docker "$b/config.json" >"$WORK/oracle.json"
if "$RUNC" --root "$RUNC_ROOT" create --bundle "$b" cg-plain </dev/null >"$WORK/runc.out" 2>&1; then
  pid=$("$RUNC" --root "$RUNC_ROOT" state cg-plain | jq -r .pid)
  assert_eq "plain runc: the container's init is in the host cgroup" "$(cg_of "$pid")" "/$HOSTCG"
  assert_eq "oracle: names the directory runc used" "$(jq -r .dir "$WORK/oracle.json")" "/$HOSTCG"
  assert_eq "oracle: a host cgroup, so refuse" "$(jq -r '.host and .outside' "$WORK/oracle.json")" true
  "$RUNC" --root "$RUNC_ROOT" kill --all cg-plain KILL >/dev/null 2>&1
  for _ in $(seq 50); do kill -0 "$holder" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$holder" 2>/dev/null; then fail "plain runc: kill --all left the host process alone"
  else ok "plain runc: kill --all killed the host process in /$HOSTCG"; holder=; fi
  "$RUNC" --root "$RUNC_ROOT" delete --force cg-plain >/dev/null 2>&1
  assert_eq "plain runc: delete --force removed the host cgroup itself" \
    "$([ -d "$MP/$HOSTCG" ] && echo kept || echo removed)" removed
else
  fail "plain runc create failed: $(head -c 300 "$WORK/runc.out")"
fi

# The host process again, for secshim.
[ -n "$holder" ] || start_holder

# 2. secshim refuses the same bundle; nothing is created.
out=$(secshim_rt create --bundle "$b" cg-shim </dev/null 2>&1)
assert_contains "secshim: refused by rule cgroups" "$out" "cgroups:"
assert_contains "secshim: says where runc would put it" "$out" "is /$HOSTCG to runc"
if [ "${#out}" -le 1024 ]; then ok "secshim: the message is at most 1 KiB (${#out} bytes)"; else fail "secshim: message of ${#out} bytes"; fi
assert_eq "secshim: no container was created" "$(rt_status cg-shim)" absent
assert_eq "secshim: the host process is untouched" "$(cg_of "$holder")" "/$HOSTCG"

# 3. The legitimate form: a new cgroup of its own below the parent.
b=$WORK/own
make_bundle "$b" "$(jq_args sleep 600) | .linux.cgroupsPath = \"/$PARENT/cg-own\""
"$ORACLE" cgroup --mountpoint "$MP" --allow-parent "/$PARENT" "$b/config.json" >"$WORK/oracle.json"
if secshim_rt create --bundle "$b" cg-own </dev/null >"$WORK/shim.out" 2>&1; then
  pid=$(secshim_rt state cg-own | jq -r .pid)
  assert_eq "secshim: allowed, and runc put it into its own cgroup" "$(cg_of "$pid")" "/$PARENT/cg-own"
  assert_eq "oracle: names the same directory, not a host cgroup" \
    "$(jq -r '[.dir, .host, .outside] | @tsv' "$WORK/oracle.json")" "/$PARENT/cg-own	false	false"
  secshim_rt delete --force cg-own >/dev/null 2>&1
  assert_eq "runc delete removed the container's cgroup" "$([ -d "$MP/$PARENT/cg-own" ] && echo left || echo gone)" gone
else
  fail "secshim refused the container's own cgroup: $(head -c 300 "$WORK/shim.out")"
fi
done_testing
