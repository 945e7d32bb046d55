#!/usr/bin/env bash
# Engine-owned mounts (issue 10, class 8) judged by what runc 1.1.5 would
# reach.  A CRI workload container of a live pod sandbox (lib.sh
# cri_sandbox_start: a process in its own namespaces, its runc state in
# containerd's root /run/containerd/runc/k8s.io, all on containerd's stock
# paths inside run-all's private mount namespace) may bind its own
# sandbox's and pod's files; each case aims at another sandbox's, pod's or
# docker container's directory instead, by name, by `..`, through a
# symlink inside its own directory, by the whole tree, or by forged
# annotations and runc arguments.
#
# The verdict is the Go oracle's (`oracle reach`, runc's own calls): with
# the other containers' directories as --protect and the container's own
# as --own (what runc reaches there is its own, whatever tree it lies in):
#   forbidden  runc would reach another's files: secshim must refuse, runc never runs;
#   benign     secshim must accept.
# secshim runs in runtime mode (`--root /run/containerd/runc/k8s.io create
# ID`) against a stub runc, with the shipped default policy.
. "$(dirname "$0")/adv-lib.sh"
adv_setup
trap 'cri_sandbox_stop; rm -rf "$WORK"' EXIT
if ! cri_sandbox_start; then
  skip "owned mounts: needs root in run-all's private mount namespace (SUITES=adversarial tests/run-all.sh)"
  done_testing; exit
fi

S=$CRI_SANDBOX_ID C=$CRI_CONTAINER_ID U=$CRI_POD_UID
# The others: tests/policy/docs/owned-mounts-others.json (stock-binds made them).
O=0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9
OU=9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4
OD=1111111111111111111111111111111111111111111111111111111111111111
R=/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes
V=/run/containerd/io.containerd.grpc.v1.cri/sandboxes
P=/var/lib/kubelet/pods
for d in "$R/$O" "$V/$O" "$P/$OU" "/var/lib/docker/containers/$OD" "$R/$S" "$P/$U"; do
  [ -d "$d" ] || { fail "stock path $d missing (tests/lib/stock-binds.sh)"; done_testing; exit; }
done
# Only on stock-binds' tmpfs: the other sandbox's secret, a symlink in the
# container's own sandbox directory to it, one in its own volume to /etc.
echo other-sandbox-secret >"$R/$O/secret"
ln -sfn "$R/$O" "$R/$S/evil"
mkdir -p "$P/$U/volumes/kubernetes.io~empty-dir/scratch"
ln -sfn /etc "$P/$U/volumes/kubernetes.io~empty-dir/scratch/etc-link"

deny_args=()
while IFS= read -r p; do deny_args+=(--deny "$p"); done < <(jq -r '.rules.mounts.deny[]' "$POLICY")
while IFS= read -r p; do deny_args+=(--deny-exact "$p"); done < <(jq -r '.rules.mounts.denyExact[]' "$POLICY")
others=(--protect "$R/$O" --protect "$V/$O" --protect "$P/$OU" --protect "/var/lib/docker/containers/$OD")
mine=(--own "$R/$S" --own "$V/$S" --own "$P/$U")
BASE=$WORK/container.json
cri_fixture "$FIXTURES/containerd-1.6/container.config.json" >"$BASE"

# ocase NAME EXPECT JQ [ID [OWNERSHIP]]: EXPECT forbidden or benign; ID the
# runc id (default the container's); OWNERSHIP "notmine" when the case
# claims the sandbox without being in it (its files are then another's), or
# the oracle's --own/--protect arguments for a case of its own.  CASE_ROOT:
# the runc --root (default containerd's).
ocase() {
  local name=$1 expect=$2 filter=$3 id=${4:-$C} whose=${5:-mine} B verdict own_args root=${CASE_ROOT:-$CRI_RUNC_ROOT}
  CASE_N=$((CASE_N + 1))
  B=$WORK/o$CASE_N
  mkdir -p "$B/rootfs/proc" "$B/rootfs/sys" "$B/rootfs/etc" "$B/rootfs/dev"
  if ! jq ".root.path = \"rootfs\" | $filter" "$BASE" >"$B/config.json"; then fail "$name: jq filter failed"; return; fi
  case $whose in
    mine) own_args=("${others[@]}" "${mine[@]}") ;;
    notmine) own_args=("${others[@]}" --protect "$R/$S" --protect "$V/$S" --protect "$P/$U") ;;
    *) read -r -a own_args <<<"$whose" ;; # the case's own --own/--protect, instead of the pod's
  esac
  "$ORACLE" reach "${deny_args[@]}" "${own_args[@]}" "$B" >"$WORK/reach.json" 2>"$WORK/reach.err" || {
    fail "$name: oracle reach failed: $(head -c 200 "$WORK/reach.err")"; return; }
  if jq -e .forbidden "$WORK/reach.json" >/dev/null; then verdict=forbidden
  elif jq -e .fails "$WORK/reach.json" >/dev/null; then verdict=fails
  else verdict=benign; fi
  if [ "$verdict" != "$expect" ]; then
    fail "$name: the oracle says $verdict, the case was built as $expect: $(jq -c '[.mounts[] | select(.forbidden or .fails)]' "$WORK/reach.json" | head -c 300)"
    return
  fi
  adv_run --root "$root" create --bundle "$B" "$id"
  case $verdict in
    forbidden)
      if [ "$RC" -eq 1 ] && [ ! -e "$STUB_OUT/argv" ] && grep -q 'secshim' "$ERR"; then
        ok "$name: runc would reach $(jq -r '[.mounts[] | select(.forbidden) | .why] | first' "$WORK/reach.json" | cut -c1-90); refused: $(grep -o 'secshim: [a-z]*: [^"]*' "$ERR" | head -n 1 | cut -c1-150)"
      else
        fail "$name: runc would reach another's files but secshim exit $RC, runc ran: $( [ -e "$STUB_OUT/argv" ] && echo yes || echo no): $(head -c 300 "$ERR")"
      fi ;;
    benign)
      if [ "$RC" -eq 0 ] && [ -e "$STUB_OUT/argv" ]; then ok "$name: its own files for runc, accepted"
      else fail "$name: its own files for runc but refused (exit $RC): $(head -c 300 "$ERR")"; fi ;;
  esac
}
src() { # DEST SOURCE: set the source of the mount at DEST
  printf '(.mounts[] | select(.destination == "%s") | .source) = "%s"' "$1" "$2"
}
add() { # DEST SOURCE: add a bind mount
  printf '.mounts += [{"destination":"%s","type":"bind","source":"%s","options":["rbind","ro"]}]' "$1" "$2"
}

ocase "containerd's own pod container: its sandbox's and pod's files" benign '.'
ocase "its own sandbox directory as a whole" benign "$(add /s "$R/$S")"
ocase "another sandbox's resolv.conf" forbidden "$(src /etc/resolv.conf "$R/$O/resolv.conf")"
ocase "another sandbox's /dev/shm" forbidden "$(src /dev/shm "$V/$O/shm")"
ocase "another sandbox's file through <own>/../<other>" forbidden "$(add /x "$R/$S/../$O/secret")"
ocase "a symlink inside its own sandbox directory to another sandbox's" forbidden "$(add /x "$R/$S/evil")"
ocase "a symlink inside its own emptyDir volume to /etc" forbidden "$(add /x "$P/$U/volumes/kubernetes.io~empty-dir/scratch/etc-link")"
ocase "another pod's volume" forbidden "$(src /data "$P/$OU/volumes/kubernetes.io~secret/token")"
ocase "kubelet's pods tree (every pod's volumes)" forbidden "$(add /p "$P")"
ocase "containerd's CRI sandboxes tree" forbidden "$(add /s "$R")"
ocase "docker's containers tree" forbidden "$(add /c /var/lib/docker/containers)"
ocase "a docker container's directory" forbidden "$(add /c "/var/lib/docker/containers/$OD")"
ocase "forged io.kubernetes.cri.sandbox-id naming another sandbox" forbidden \
  ".annotations[\"io.kubernetes.cri.sandbox-id\"] = \"$O\" | $(src /etc/resolv.conf "$R/$O/resolv.conf")"
ocase "forged io.kubernetes.cri.sandbox-uid naming another pod" forbidden \
  ".annotations[\"io.kubernetes.cri.sandbox-uid\"] = \"$OU\" | $(src /data "$P/$OU/volumes/kubernetes.io~secret/token")"
ocase "forged sandbox container: annotations name sandbox $S, argv id is another" forbidden \
  ".annotations[\"io.kubernetes.cri.container-type\"] = \"sandbox\"" "$O" notmine
ocase "claims the live sandbox without joining its namespaces" forbidden \
  '.linux.namespaces |= map(del(.path))' "$C" notmine
ocase "created with its sandbox's id (argv id = sandbox id, type container), binding its pod's volume" forbidden '.' "$S" notmine
# docker run --network container:X: docker binds X's hosts into the
# container that joins X's network namespace (same runc root, X's state
# there names the pid whose namespace is joined): X's entry is the pod's.
DROOT=$WORK/docker-root
mkdir -p "$DROOT/$OD" && chmod 0711 "$DROOT" "$DROOT/$OD"
jq -n --argjson pid "$CRI_SANDBOX_PID" '{id: "x", init_process_pid: $pid, config: {labels: []}}' >"$DROOT/$OD/state.json"
chmod 0600 "$DROOT/$OD/state.json"
netx=".annotations = {} | .mounts |= map(select(.type != \"bind\")) | $(add /etc/hosts "/var/lib/docker/containers/$OD/hosts")"
CASE_ROOT=$DROOT ocase "docker --network container:X binds X's hosts" benign "$netx" "$(printf 'e%.0s' {1..64})" \
  "--own /var/lib/docker/containers/$OD"
CASE_ROOT=$DROOT ocase "X's hosts without joining X's network namespace" forbidden \
  "$netx | .linux.namespaces |= map(del(.path))" "$(printf 'e%.0s' {1..64})" "--protect /var/lib/docker/containers/$OD"
# The same claim from a state.json another user wrote (a --root of the
# caller's choosing is anyone's to fill): not runc's, proves nothing.
FROOT=$WORK/forged-state-root
mkdir -p "$FROOT/$OD" && cp "$DROOT/$OD/state.json" "$FROOT/$OD/state.json"
chown -R 65534:65534 "$FROOT"
CASE_ROOT=$FROOT ocase "X's hosts claimed through a state.json another user wrote" forbidden "$netx" \
  "$(printf 'e%.0s' {1..64})" "--protect /var/lib/docker/containers/$OD"

# A plain `runc create` in a root of the caller's choosing, where any id is
# free (runc sees no duplicate there): the pod container (its sandbox is not
# live in that root), and the live sandbox's own id (it is live under
# containerd's root, rules.mounts.engineRoots).
foreign() { # NAME FIXTURE ID PATTERN
  local B=$WORK/foreign$CASE_N; CASE_N=$((CASE_N + 1)); mkdir -p "$B/rootfs"
  cri_fixture "$FIXTURES/containerd-1.6/$2" | jq '.root.path = "rootfs"' >"$B/config.json"
  adv_run --root "$WORK/forged-root" create --bundle "$B" "$3"
  if [ "$RC" -eq 1 ] && [ ! -e "$STUB_OUT/argv" ] && grep -q -- "$4" "$ERR"; then
    ok "$1: refused: $(grep -o 'secshim: [a-z]*: [^"]*' "$ERR" | head -n 1 | cut -c1-150)"
  else
    fail "$1: exit $RC, runc ran: $( [ -e "$STUB_OUT/argv" ] && echo yes || echo no): $(head -c 300 "$ERR")"
  fi
}
foreign "the pod container from a runc --root of the caller's choosing" container.config.json "$C" 'belongs to'
foreign "the live sandbox's id from a runc --root of the caller's choosing" sandbox.config.json "$S" 'is live under the engine'
done_testing
