#!/usr/bin/env bash
# linux.cgroupsPath judged by the cgroup runc 1.1.5 would use (issue 10,
# class 5; CIS Docker Benchmark 5.25).  Each case writes a config, asks the
# Go oracle (`oracle cgroup`: runc's CleanPath, filepath.Join, ExpandSlice and
# getUnitName, copied from runc, and this host's cgroup tree) which
# directory runc would put the container into, then runs secshim create
# against the stub runc with the default policy.  The verdict is the
# oracle's, never secshim's message:
#   refuse   runc would refuse the value (error), or the directory is a host
#            cgroup (the root, or one that exists with processes in it), or
#            it is outside the policy's parents: secshim must refuse and
#            runc never runs;
#   accept   a new cgroup of the container's own below an allowed parent:
#            secshim must accept.
# Each case also states what it was built to be, so a change in the oracle
# or the host that turns a case into the other kind fails loudly.
. "$(dirname "$0")/adv-lib.sh"
adv_setup

parents=() slices=() relative=
while IFS= read -r p; do parents+=(--allow-parent "$p"); done < <(jq -r '.rules.cgroups.allowParents[]' "$POLICY")
while IFS= read -r s; do slices+=(--allow-slice "$s"); done < <(jq -r '.rules.cgroups.allowSlices[]' "$POLICY")
[ "$(jq -r '.rules.cgroups.allowRelative' "$POLICY")" = true ] && relative=--allow-relative
[ ${#parents[@]} -gt 0 ] || fail "policy $POLICY names no rules.cgroups.allowParents"

# A host cgroup with a host process in it, made for the run (removed at
# exit): "/../<it>" and "<it>" must be refused because runc would join it.
HOSTCG=secshim-adv-host-$$
HOSTDIR=
for mp in /sys/fs/cgroup/pids /sys/fs/cgroup; do
  if [ -w "$mp/cgroup.procs" ] && mkdir "$mp/$HOSTCG" 2>/dev/null; then HOSTDIR=$mp/$HOSTCG; break; fi
done
holder=
cleanup_hostcg() {
  [ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
  [ -n "$HOSTDIR" ] && rmdir "$HOSTDIR" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup_hostcg EXIT
if [ -n "$HOSTDIR" ]; then
  sleep 600 </dev/null >/dev/null 2>&1 &
  holder=$!
  echo "$holder" >"$HOSTDIR/cgroup.procs" || { kill "$holder"; holder=; }
fi

ID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

# ccase NAME EXPECT VALUE [systemd] [ID]: VALUE "-" means no cgroupsPath.
ccase() {
  local name=$1 expect=$2 value=$3 driver=${4:-cgroupfs} id=${5:-$ID} verdict sys=() filter
  CASE_N=$((CASE_N + 1))
  local B=$WORK/c$CASE_N
  mkdir -p "$B/rootfs"
  if [ "$value" = - ]; then filter='del(.linux.cgroupsPath)'
  else filter='.linux.cgroupsPath = $v'; fi
  jq --arg v "$value" "$filter" "$ADV_DATA/base.json" >"$B/config.json" || { fail "$name: jq"; return; }
  [ "$driver" = systemd ] && sys=(--systemd)
  "$ORACLE" cgroup "${sys[@]}" --id "$id" "${parents[@]}" "${slices[@]}" $relative "$B/config.json" \
    >"$WORK/cg.json" 2>"$WORK/cg.err" || { fail "$name: oracle cgroup failed: $(head -c 200 "$WORK/cg.err")"; return; }
  if jq -e '(.error // "") != "" or .host or .outside' "$WORK/cg.json" >/dev/null; then verdict=refuse
  else verdict=accept; fi
  if [ "$verdict" != "$expect" ]; then
    fail "$name: the oracle says $verdict, the case was built as $expect: $(head -c 300 "$WORK/cg.json")"
    return
  fi
  sys=()
  [ "$driver" = systemd ] && sys=(--systemd-cgroup)
  adv_run "${sys[@]}" create --bundle "$B" "$id"
  local why
  why=$(jq -r 'if (.error // "") != "" then "runc would fail: " + .error elif .host then "runc would join host cgroup " + .dir else "runc would use " + .dir + " (" + (.why // "") + ")" end' "$WORK/cg.json")
  case $verdict in
    refuse)
      if [ "$RC" -eq 1 ] && [ ! -e "$STUB_OUT/argv" ] && grep -q 'secshim: cgroups: ' "$ERR"; then
        ok "$name: $why; refused"
      else
        fail "$name: $why, but secshim exit $RC, runc ran: $([ -e "$STUB_OUT/argv" ] && echo yes || echo no): $(head -c 300 "$ERR")"
      fi ;;
    accept)
      if [ "$RC" -eq 0 ] && [ -e "$STUB_OUT/argv" ]; then ok "$name: new cgroup $(jq -r .dir "$WORK/cg.json"), accepted"
      else fail "$name: runc would create $(jq -r .dir "$WORK/cg.json") below an allowed parent, but refused (exit $RC): $(head -c 300 "$ERR")"; fi ;;
  esac
}

# -- cgroupfs driver (runc without --systemd-cgroup)
ccase "docker cgroupfs /docker/<id>" accept "/docker/$ID"
ccase "containerd ctr /default/<id>" accept "/default/$ID"
ccase "containerd k8s.io namespace /k8s.io/<id>" accept "/k8s.io/$ID"
ccase "kubelet cgroupfs /kubepods/burstable/pod<uid>/<id>" accept "/kubepods/burstable/pod6a4b0c3e-1111-2222-3333-444455556666/$ID"
ccase "podman cgroupfs /libpod_parent/libpod-<id>" accept "/libpod_parent/libpod-$ID"
ccase "docker with a relative --cgroup-parent" accept "secshim-test/$ID"
ccase "no cgroupsPath: the id beside runc's cgroup" accept -
ccase "root /" refuse "/"
ccase "//./ cleans to the root" refuse "//./"
ccase "/docker/../.. cleans to the root" refuse "/docker/../.."
ccase "/../system.slice" refuse "/../system.slice"
ccase "/docker/../user.slice/user-0.slice" refuse "/docker/../user.slice/user-0.slice"
ccase "the parent itself /docker" refuse "/docker/"
ccase "a look-alike parent /dockerd/<id>" refuse "/dockerd/$ID"
ccase "relative ../../.. cleans to . (runc's base cgroup)" refuse "a/../../.."
ccase "relative unit docker.service" refuse "docker.service"
ccase "no cgroupsPath and an id naming a unit" refuse - cgroupfs init.scope
if [ -n "$HOSTDIR" ]; then
  ccase "/../<a host cgroup with a process>" refuse "/docker/../$HOSTCG"
  ccase "twin: a new cgroup below an allowed parent with the same name" accept "/docker/$HOSTCG"
else
  skip "no writable cgroup hierarchy to make a host cgroup in"
  skip "no writable cgroup hierarchy to make a host cgroup in"
fi
# -- systemd driver (runc --systemd-cgroup)
ccase "docker systemd system.slice:docker:<id>" accept "system.slice:docker:$ID" systemd
ccase "kubelet systemd besteffort pod slice" accept "kubepods-besteffort-pod6a4b0c3e_1111_2222_3333_444455556666.slice:cri-containerd:$ID" systemd
ccase "CRI-O kubepods.slice:crio:<id>" accept "kubepods.slice:crio:$ID" systemd
ccase "podman machine.slice:libpod:<id>" accept "machine.slice:libpod:$ID" systemd
ccase "empty slice is system.slice" accept ":docker:$ID" systemd
ccase "no cgroupsPath: runc-<id>.scope in system.slice" accept - systemd
ccase "-.slice is the root" refuse "-.slice:docker:$ID" systemd
ccase "user.slice" refuse "user.slice:docker:$ID" systemd
ccase "user-0.slice expands below user.slice" refuse "user-0.slice:docker:$ID" systemd
ccase "system-x.slice expands below system.slice" accept "system-x.slice:docker:$ID" systemd
ccase "a slash in the slice" refuse "../system.slice:docker:$ID" systemd
ccase "a name escaping with .." refuse "system.slice:docker:../../../init" systemd
ccase "a slice as the unit" refuse "system.slice:docker:user.slice" systemd
ccase "two parts" refuse "system.slice:$ID" systemd
ccase "a cgroupfs path under --systemd-cgroup" refuse "/docker/$ID" systemd
ccase "an empty component" refuse "kubepods--x.slice:crio:$ID" systemd
ccase "no cgroupsPath, an id that is a slice" refuse - systemd user.slice
done_testing
