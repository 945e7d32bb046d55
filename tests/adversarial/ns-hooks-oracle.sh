#!/usr/bin/env bash
# Namespace paths and hook paths judged by what runc 1.1.5 reaches (issue
# 10, classes 1 and 3), against the stub runc with the default policy.  The
# verdict is the Go oracle's, never secshim's message:
#   ns     `oracle ns`: runc create Lstat()s the path from the bundle and
#          nsexec open()s it from the rootfs.  When runc would fail, or
#          nsexec would open the host's namespace, secshim must refuse;
#          otherwise (another container's namespace) it must accept.
#   hooks  `oracle hooks`: the file exec.Cmd{Path} runs from runc's cwd,
#          compared with the dockerd binary by inode.  A hook that is not
#          dockerd, or that runc could not execute, must be refused; the
#          policy may refuse more (the setkey hook's exact shape), so a hook
#          the oracle calls dockerd is only required to pass in dockerd's
#          own shape.
# Each case also states what it was built to be.
. "$(dirname "$0")/adv-lib.sh"
adv_setup

ID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
# Another "container": a process with a network namespace of its own.
lk=
trap 'ns_holder_stop; kill ${lk:+"$lk"} 2>/dev/null; rm -rf "$WORK"' EXIT
ns_holder_start --net
other=$NS_OTHER
if [ -z "$other" ] || [ "$(readlink "/proc/$other/ns/net")" = "$(readlink /proc/self/ns/net)" ]; then
  fail "could not start a process in its own network namespace"; done_testing; exit
fi

# run_case NAME B: run secshim create on bundle B; sets RAN (yes/no).
run_case() {
  CASE_N=$((CASE_N + 1))
  adv_run create --bundle "$2" "$ID"
  RAN=no
  [ -e "$STUB_OUT/argv" ] && RAN=yes
}

# nscase NAME EXPECT PATH [SETUP]: EXPECT refuse or accept; SETUP runs in
# the bundle (B, R = rootfs) before the oracle.
nscase() {
  local name=$1 expect=$2 path=$3 setup=${4:-} B verdict
  B=$WORK/n$((CASE_N + 1))
  local R=$B/rootfs
  mkdir -p "$R"
  jq --arg p "$path" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
    "$ADV_DATA/base.json" >"$B/config.json"
  [ -n "$setup" ] && (cd "$B" && eval "$setup")
  "$ORACLE" ns "$B/config.json" >"$WORK/ns.json" || { fail "$name: oracle ns failed"; return; }
  verdict=$(jq -r 'if any(.namespaces[]; (.fails // "") != "" or .host) then "refuse" else "accept" end' "$WORK/ns.json")
  if [ "$verdict" != "$expect" ]; then fail "$name: the oracle says $verdict, built as $expect: $(head -c 300 "$WORK/ns.json")"; return; fi
  run_case "$name" "$B"
  local why
  why=$(jq -r '.namespaces[0] | if (.fails // "") != "" then "runc would fail: " + .fails elif .host then "nsexec joins the host'"'"'s " + .open.ns else "nsexec joins " + .open.ns end' "$WORK/ns.json")
  if [ "$verdict" = refuse ] && [ "$RC" -eq 1 ] && [ "$RAN" = no ]; then ok "$name: $why; refused"
  elif [ "$verdict" = accept ] && [ "$RC" -eq 0 ] && [ "$RAN" = yes ]; then ok "$name: $why; accepted"
  else fail "$name: $why, but secshim exit $RC, runc ran: $RAN: $(head -c 300 "$ERR")"; fi
}

nscase "absolute path to another container's namespace" accept "/proc/$other/ns/net"
nscase "/proc/self/ns/net: nsexec's own, the host's" refuse /proc/self/ns/net
nscase "/proc/thread-self/ns/net" refuse /proc/thread-self/ns/net
nscase "/proc/<other>/root/proc/self/ns/net: self is the opener" refuse "/proc/$other/root/proc/self/ns/net"
nscase "/proc/<other>/task/<other>/../../self/ns/net" refuse "/proc/$other/task/$other/../../self/ns/net"
nscase "relative: bundle side another container's, rootfs side the host's" refuse netns \
  "ln -s /proc/$other/ns/net netns; ln -s /proc/self/ns/net rootfs/netns"
nscase "twin: relative, both sides another container's" accept netns \
  "ln -s /proc/$other/ns/net netns; ln -s /proc/$other/ns/net rootfs/netns"
nscase "relative, only in the rootfs: runc's Lstat from the bundle fails" refuse netns \
  "ln -s /proc/$other/ns/net rootfs/netns"
nscase "a pid that is gone" refuse /proc/999999999/ns/net
nscase "a comma in the path (runc's separator)" refuse "$WORK/ns,link" "ln -sfn /proc/$other/ns/net '$WORK/ns,link'"

# -- hooks
if [ -z "$SETKEY_EXE" ]; then
  skip "hooks: no dockerd binary on this host (docker.io)"
  done_testing
  exit
fi
DOCKERD=$SECSHIM_SETKEY_BIN
dpid=${SETKEY_EXE#/proc/}; dpid=${dpid%/exe}
# A lookalike: a copy of sleep bound over the dockerd path in a mount
# namespace of its own, so /proc/<pid>/exe reads as dockerd's path.
setpriv --pdeathsig KILL unshare --mount --propagation private -- \
  sh -c "mount --bind /bin/sleep '$DOCKERD' && exec '$DOCKERD' 300" </dev/null >/dev/null 2>&1 &
lk=$!
for _ in $(seq 100); do [ "$(readlink "/proc/$lk/exe" 2>/dev/null)" = "$DOCKERD" ] && break; sleep 0.05; done

# hookcase NAME EXPECT HOOKPATH [SETUP]: EXPECT is what the oracle says the
# file is: engine, other or fails.
hookcase() {
  local name=$1 expect=$2 path=$3 setup=${4:-} B verdict
  B=$WORK/h$((CASE_N + 1))
  mkdir -p "$B/rootfs"
  jq --arg p "$path" --arg id "$ID" \
    '.hooks.prestart = [{"path":$p,"args":["libnetwork-setkey","-exec-root=/var/run/docker",$id,"443ecc33905d"]}]' \
    "$ADV_DATA/base.json" >"$B/config.json"
  [ -n "$setup" ] && (cd "$B" && eval "$setup")
  "$ORACLE" hooks --engine "$DOCKERD" "$B/config.json" >"$WORK/hooks.json" || { fail "$name: oracle hooks failed"; return; }
  verdict=$(jq -r '.hooks[0] | if (.fails // "") != "" then "fails" elif .engine then "engine" else "other" end' "$WORK/hooks.json")
  if [ "$verdict" != "$expect" ]; then fail "$name: the oracle says $verdict, built as $expect: $(head -c 300 "$WORK/hooks.json")"; return; fi
  run_case "$name" "$B"
  case $verdict in
    fails | other)
      if [ "$RC" -eq 1 ] && [ "$RAN" = no ]; then ok "$name: runc would execute $verdict ($(jq -r '.hooks[0].fails // .hooks[0].file' "$WORK/hooks.json")); refused"
      else fail "$name: runc would execute $verdict, but secshim exit $RC, runc ran: $RAN: $(head -c 300 "$ERR")"; fi ;;
    engine)
      if [ "${path#/proc/}" != "$path" ] && [ "${path%/exe}" != "$path" ] && [ "${path//[!\/]/}" = /// ]; then
        # dockerd's own shape: must pass.
        if [ "$RC" -eq 0 ] && [ "$RAN" = yes ]; then ok "$name: runc would execute dockerd; accepted"
        else fail "$name: dockerd's own hook refused (exit $RC): $(head -c 300 "$ERR")"; fi
      else
        ok "$name: runc would execute dockerd, in another shape; secshim exit $RC (the policy decides)"
      fi ;;
  esac
}

hookcase "dockerd's setkey hook, /proc/<dockerd pid>/exe" engine "$SETKEY_EXE"
hookcase "a lookalike whose /proc/<pid>/exe reads as dockerd" other "/proc/$lk/exe"
hookcase "a pid that is gone" fails /proc/999999999/exe
hookcase "relative path from the bundle to another binary" other ./hook "ln -s /bin/sleep hook"
hookcase "relative path that runc could not execute" fails ./missing
hookcase "/proc/<dockerd pid>/root<dockerd path>" engine "/proc/$dpid/root$DOCKERD"
done_testing
