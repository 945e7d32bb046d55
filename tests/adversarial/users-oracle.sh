#!/usr/bin/env bash
# User namespaces as runc builds them (issue 10 class 4).  runc writes
# uidMappings/gidMappings only for a new user namespace; for a joined one
# (an entry with a path) it ignores them, so the process's ids are host ids.
# Each case asks the Go oracle (`oracle users`) whether the document as
# given would run as host root, checks that this is what the case was built
# to show, then runs secshim create against the stub runc with the default
# policy: either refused, or accepted with runc's view not host root by the
# same oracle (adv_accepted: policy_violations runs `oracle users` on the
# document runc read).
. "$(dirname "$0")/adv-lib.sh"
adv_setup

# A user namespace of another "container" to join.
trap 'ns_holder_stop; rm -rf "$WORK"' EXIT
if ! ns_holder_start --user; then
  fail "could not start a process in its own user namespace"; done_testing; exit
fi
other=$NS_OTHER
JOIN="/proc/$other/ns/user"
MAP='[{"containerID":0,"hostID":100000,"size":65536}]'

# ucase NAME HOSTROOT JQ: HOSTROOT is what the oracle must say of the input.
ucase() {
  local name=$1 want=$2 filter=$3 doc=$WORK/u$((CASE_N + 1)).json got
  if ! jq --arg join "$JOIN" --argjson map "$MAP" "$filter" "$ADV_DATA/base.json" >"$doc"; then
    fail "$name: jq filter failed"; return
  fi
  got=$("$ORACLE" users "$doc" | jq -r '.hostRoot')
  if [ "$got" != "$want" ]; then fail "$name: oracle users says hostRoot=$got, the case was built as $want"; return; fi
  adv_case "$name (oracle: host root $got)" 'user|uid|gid|root' "$doc"
}

ucase "joined userns, uid 0, mappings that would map it away" true \
  '.linux.namespaces += [{"type":"user","path":$join}] | .linux.uidMappings = $map | .linux.gidMappings = $map | .process.user = {"uid":0,"gid":0}'
ucase "joined userns, gid 0 only, mappings" true \
  '.linux.namespaces += [{"type":"user","path":$join}] | .linux.uidMappings = $map | .linux.gidMappings = $map | .process.user.gid = 0'
ucase "joined userns, additional gid 0" true \
  '.linux.namespaces += [{"type":"user","path":$join}] | .process.user.additionalGids = [0]'
ucase "twin: joined userns, uid 1000" false \
  '.linux.namespaces += [{"type":"user","path":$join}] | .linux.uidMappings = $map | .linux.gidMappings = $map'
ucase "new userns mapping container 1000 to host 0" true \
  '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":1000,"hostID":0,"size":1}] | .linux.gidMappings = $map'
ucase "twin: new userns, container root mapped to 100000" false \
  '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = $map | .linux.gidMappings = $map | .process.user = {"uid":0,"gid":0}'
ucase "no userns, uid 0" true '.process.user = {"uid":0,"gid":0}'
done_testing
