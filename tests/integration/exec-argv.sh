#!/usr/bin/env bash
# The argv-level refusals of docs/policy.md section 5, with the real runc, on
# a running busybox container created through secshim: inline `runc exec`
# flags that widen privilege are refused with exit 255 and a message naming
# the flag, before runc runs (a refused exec would have left a marker file in
# the container's /tmp tmpfs: none appears); plain inline exec works; `exec
# --process FILE` gets the process rules (uid 0 rewritten, capabilities
# trimmed, apparmorProfile unconfined refused); `restore --lsm-profile`
# differing from the checked config.json is refused before runc, and the
# accepted case (equal to the config's label) reaches a stub runc.
source "$(dirname "$0")/../lib/lib.sh"
# Another test may divert /usr/sbin/runc to secshim (runc mode): the real
# runtime is then runc.real.
if [ -z "${RUNC:-}" ]; then
  RUNC=/usr/sbin/runc
  if [ -L "$RUNC" ] || { [ -x "$SECSHIM_BIN" ] && cmp -s "$RUNC" "$SECSHIM_BIN"; }; then RUNC=/usr/sbin/runc.real; fi
fi
source "$SECSHIM_TOP/tests/lib/bundle.sh"

missing=
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
[ -x "$RUNC" ] || missing+=" runc ($RUNC);"
[ -f "$SECSHIM_TEST_POLICY" ] || missing+=" policy $SECSHIM_TEST_POLICY;"
command -v jq >/dev/null || missing+=" jq;"
[ "$(id -u)" -eq 0 ] || missing+=" root;"
if [ -n "$missing" ]; then skip "exec argv: missing${missing%;}"; done_testing; exit; fi
if ! bundle_setup; then fail "could not build the busybox image (hack/mkimage.sh)"; done_testing; exit; fi
diag "real runc: $RUNC ($("$RUNC" --version 2>/dev/null | head -n 1))"

# The default policy's capability allowlist as a /proc/<pid>/status mask:
# CHOWN 0, DAC_OVERRIDE 1, FOWNER 3, FSETID 4, KILL 5, SETGID 6, SETUID 7,
# SETPCAP 8, NET_BIND_SERVICE 10, SYS_CHROOT 18.
allow_mask=$(printf '%016x' $(((1 << 0) | (1 << 1) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 18))))
status_field() { printf '%s\n' "$1" | awk -v f="$2:" '$1 == f { print $2 }'; }

# A container with a writable tmpfs at /tmp: every exec below tries to leave
# a marker there, so a refused exec that ran anyway would show.  /tmp exists
# in the image (mode 1777, which runc copies onto the tmpfs), so runc creates
# nothing in the shared rootfs.
id=t-exec-argv-$$
b=$WORK/exec
make_bundle "$b" "$(jq_args /bin/sleep 300) | .mounts += [{\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", \"nodev\", \"mode=1777\"]}]"
secshim_rt create --bundle "$b" "$id" </dev/null >"$WORK/create.out" 2>"$WORK/create.err"; rc=$?
assert_status "create through secshim" "$rc" 0
secshim_rt start "$id" 2>"$WORK/start.err"; rc=$?
assert_status "start" "$rc" 0
if ! wait_status "$id" running 10; then
  fail "container not running: $(head -c 400 "$WORK/create.err" "$WORK/start.err")"; done_testing; exit
fi
ok "container $id is running"

markers() { secshim_rt exec "$id" ls /tmp 2>&1 </dev/null | tr '\n' ' '; }

# refused NAME NEEDLE FLAGS...: inline exec with FLAGS, then a marker-writing
# command.  Expect exit 255, NEEDLE in the message, and no marker.
n=0
refused() {
  local name=$1 needle=$2 out rc
  shift 2
  n=$((n + 1))
  out=$(secshim_rt exec "$@" "$id" /bin/sh -c "echo ran >/tmp/m$n" 2>&1 </dev/null); rc=$?
  assert_status "exec $name: exit 255" "$rc" 255
  assert_contains "exec $name: message names the flag" "$out" "$needle"
  assert_contains "exec $name: message is secshim's" "$out" "secshim"
  assert_eq "exec $name: runc exec never ran (no marker)" "$(markers)" ""
}

refused "--cap CAP_SYS_ADMIN" "exec: --cap is refused" --cap CAP_SYS_ADMIN
refused "-c CAP_SYS_ADMIN (short)" "exec: --cap is refused" -c CAP_SYS_ADMIN
refused "--cap=CAP_SYS_ADMIN" "exec: --cap is refused" --cap=CAP_SYS_ADMIN
refused "--apparmor x" "exec: --apparmor is refused" --apparmor x
refused "--process-label x" "exec: --process-label is refused" --process-label x
refused "--cwd /proc/self/fd" "exec: --cwd is refused" --cwd /proc/self/fd
refused "--no-new-privs=false" "exec: --no-new-privs=false is refused" --no-new-privs=false
refused "--user 0" "exec: --user 0 is refused" --user 0
refused "-u 0 (short)" "exec: --user 0 is refused" -u 0
refused "--user 0:0" "exec: --user 0:0 is refused" --user 0:0
refused "--user 1000:0" "exec: --user 1000:0 is refused" --user 1000:0
refused "--user 4294967296" "exec: --user 4294967296 is refused" --user 4294967296
refused "--user root" "exec: --user root is refused" --user root
refused "-g 0" "exec: --additional-gids 0 is refused" -g 0
refused "--additional-gids 0" "exec: --additional-gids 0 is refused" --additional-gids 0
refused "--env with a newline" "exec: --env values may not contain a newline" --env $'A=b\nc'
refused "-e with a newline (short)" "exec: --env values may not contain a newline" -e $'A=b\nc'

# --- what is allowed ---------------------------------------------------------------
out=$(secshim_rt exec "$id" true 2>&1 </dev/null); rc=$?
assert_status "exec <id> true: works" "$rc" 0
out=$(secshim_rt exec --user 1000 "$id" id -u 2>&1 </dev/null); rc=$?
assert_status "exec --user 1000: works" "$rc" 0
assert_eq "exec --user 1000: id -u" "$out" 1000
out=$(secshim_rt exec --env A=b "$id" /bin/sh -c 'echo "$A" >/tmp/allowed; cat /tmp/allowed' 2>&1 </dev/null); rc=$?
assert_status "exec --env A=b: works" "$rc" 0
assert_eq "exec --env A=b: the value arrives" "$out" b
assert_eq "exec: an allowed exec leaves its marker (the marker check can see one)" "$(markers)" "allowed "

# --- exec --process FILE --------------------------------------------------------
pj=$WORK/process-root.json
jq '.args = ["/bin/sh", "-c", "id -u; grep -E \"^Cap(Bnd|Eff):\" /proc/self/status"] | .user = {"uid": 0, "gid": 0, "additionalGids": [0]}' \
  "$FIXTURES/docker-20.10/exec-privileged-root.process.json" >"$pj"
diag "process.json capabilities.bounding: $(jq '.capabilities.bounding | length' "$pj") entries"
out=$(secshim_rt exec --process "$pj" "$id" 2>&1 </dev/null); rc=$?
assert_status "exec --process (uid 0, all caps): allowed after rewrite" "$rc" 0
assert_eq "exec --process: uid 0 rewritten, id -u prints 65534" "$(printf '%s\n' "$out" | head -n 1)" 65534
assert_eq "exec --process: CapBnd trimmed to the allowlist" "$(status_field "$out" CapBnd)" "$allow_mask"
capeff=$(status_field "$out" CapEff)
if [ -n "$capeff" ] && [ $((0x$capeff & ~0x$allow_mask)) -eq 0 ]; then ok "exec --process: CapEff within the allowlist ($capeff)"
else fail "exec --process: CapEff $capeff outside the allowlist $allow_mask"; fi

pj=$WORK/process-unconfined.json
jq '.args = ["/bin/sh", "-c", "echo ran >/tmp/unconfined"] | .apparmorProfile = "unconfined" | .user = {"uid": 1000, "gid": 1000}' \
  "$FIXTURES/docker-20.10/exec-privileged-root.process.json" >"$pj"
out=$(secshim_rt exec --process "$pj" "$id" 2>&1 </dev/null); rc=$?
assert_status "exec --process apparmorProfile unconfined: exit 255" "$rc" 255
assert_contains "exec --process apparmorProfile unconfined: message names the profile" "$out" 'AppArmor profile \"unconfined\"'
assert_contains "exec --process apparmorProfile unconfined: message names the rule" "$out" "apparmor:"
assert_eq "exec --process apparmorProfile unconfined: never ran" "$(markers)" "allowed "

# --- restore --lsm-profile ---------------------------------------------------------
# runc restore needs CRIU; the refusal must come before runc, so the real
# runc is enough to show it: its own errors (criu, image path) never appear.
label=system_u:system_r:container_t:s0:c1,c2
rb=$WORK/restore
make_bundle "$rb" "$(jq_args /bin/sleep 300) | .process.selinuxLabel = \"$label\""
mkdir -p "$WORK/ckpt"
for bad in "selinux:system_u:system_r:spc_t:s0" "apparmor:unconfined"; do
  out=$(secshim_rt restore --image-path "$WORK/ckpt" --lsm-profile "$bad" --bundle "$rb" t-restore-$$ 2>&1 </dev/null); rc=$?
  assert_status "restore --lsm-profile $bad: refused (exit 1)" "$rc" 1
  assert_contains "restore --lsm-profile $bad: message names the flag" "$out" "restore: --lsm-profile=$bad is refused"
  assert_not_contains "restore --lsm-profile $bad: runc never ran (no criu error)" "$out" "criu"
  assert_eq "restore --lsm-profile $bad: no container" "$(rt_status t-restore-$$)" absent
done
out=$(secshim_rt restore --image-path "$WORK/ckpt" --lsm-mount-context "system_u:object_r:spc_file_t:s0" --bundle "$rb" t-restore-$$ 2>&1 </dev/null); rc=$?
assert_status "restore --lsm-mount-context differing: refused (exit 1)" "$rc" 1
assert_contains "restore --lsm-mount-context differing: message names the flag" "$out" "restore: --lsm-mount-context="

# The accepted case with a stub runc that records its argv (secshim hands
# runc its flags in the canonical --flag=value form).
stub=$WORK/runc-stub
cat >"$stub" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >"$WORK/stub.argv"
EOF
chmod 0755 "$stub"
"$SECSHIM_BIN" --secshim-policy="$SECSHIM_TEST_POLICY" --secshim-runtime="$stub" --root "$RUNC_ROOT" \
  restore --image-path "$WORK/ckpt" --lsm-profile "selinux:$label" --bundle "$rb" t-restore-ok </dev/null >"$WORK/restore-ok.out" 2>&1; rc=$?
assert_status "restore --lsm-profile equal to the config's label: allowed" "$rc" 0
if [ -f "$WORK/stub.argv" ] && grep -qxF -- "--lsm-profile=selinux:$label" "$WORK/stub.argv" && grep -qxF restore "$WORK/stub.argv"; then
  ok "restore --lsm-profile equal: runc got restore with the same --lsm-profile"
else fail "restore --lsm-profile equal: stub argv: $(tr '\n' ' ' <"$WORK/stub.argv" 2>&1) / $(head -c 300 "$WORK/restore-ok.out")"; fi
rm -f "$WORK/stub.argv"
"$SECSHIM_BIN" --secshim-policy="$SECSHIM_TEST_POLICY" --secshim-runtime="$stub" --root "$RUNC_ROOT" \
  restore --image-path "$WORK/ckpt" --lsm-profile "selinux:other_t" --bundle "$rb" t-restore-no </dev/null >/dev/null 2>&1; rc=$?
assert_status "restore --lsm-profile differing with the stub: refused" "$rc" 1
if [ -e "$WORK/stub.argv" ]; then fail "restore --lsm-profile differing: the stub ran"; else ok "restore --lsm-profile differing: the stub never ran"; fi

secshim_rt kill "$id" KILL >/dev/null 2>&1
wait_status "$id" stopped 10
secshim_rt delete --force "$id" >/dev/null 2>&1
done_testing
