#!/usr/bin/env bash
# containerd with secshim as the runc binary, against a PRIVATE containerd
# (own root, state, socket and config; the host's containerd is not touched):
#   - its config.toml is written by `secshim install --containerd --default`
#     and containerd starts with it, CRI plugin loaded, handler "secure" with
#     BinaryName = secshim;
#   - `ctr run --runc-binary secshim`: a normal container runs (with
#     no_new_privileges forced) and a /run/systemd bind mount is refused with
#     secshim's message, while plain runc runs that same mount (control);
#   - a long-running task through secshim is listed by `secshim in-use`
#     (what the package's prerm asks), `secshim uninstall --containerd`
#     gives config.toml back byte for byte, and after a containerd restart
#     with it the task can still be killed.
# Pods through the CRI plugin, on containerd's stock paths: tests/cri/.
. "$(dirname "$0")/../lib/lib.sh"
. "$SECSHIM_TOP/tests/lib/deploy.sh"
deploy_need containerd ctr jq
rootfs_setup
etc_policy_setup

d=$(mktemp -d /tmp/secshim-ctd.XXXXXX)
sock=$d/containerd.sock
cfg=$d/etc/containerd/config.toml
mkdir -p "$d/etc/containerd" "$d/etc/secshim"
cp -R "$SECSHIM_TOP/policy/." "$d/etc/secshim/"   # install checks that the policy loads
cat >"$cfg" <<T
version = 2
root = "$d/root"
state = "$d/run/containerd"
[grpc]
  address = "$sock"
[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "$d/cni"
T
cfg_sha=$(sha_of "$cfg")
out=$("$ADMIN" install --containerd --default --root "$d" --bin "$SECSHIM_BIN" 2>&1); rc=$?
assert_status "secshim install --containerd --default on the private config" "$rc" 0

CTR=$(command -v ctr)
ctr() { timeout 60 "$CTR" -a "$sock" "$@"; }
start_containerd() {
  setsid containerd -c "$cfg" >>"$d/containerd.log" 2>&1 </dev/null &
  ctd_pid=$!
}
start_containerd
stop_containerd() {
  local id
  for id in $(ctr tasks ls -q 2>/dev/null); do ctr tasks kill -s KILL "$id" >/dev/null 2>&1; done
  for id in $(ctr containers ls -q 2>/dev/null); do ctr tasks delete -f "$id" >/dev/null 2>&1; ctr containers delete "$id" >/dev/null 2>&1; done
  kill -TERM "$ctd_pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$ctd_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$ctd_pid" 2>/dev/null
  awk -v d="$d" 'index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r | xargs -r umount -l 2>/dev/null
  rm -rf "$d"
}
deploy_on_exit stop_containerd
for _ in $(seq 100); do ctr version >/dev/null 2>&1 && break; sleep 0.1; done
if ! ctr version >/dev/null 2>&1; then
  fail "private containerd did not start with the edited config: $(tail -n 3 "$d/containerd.log")"
  done_testing; exit
fi
ok "private containerd starts with the config secshim install wrote"
assert_contains "CRI plugin loaded" "$(ctr plugins ls 2>&1 | awk '$1 == "io.containerd.grpc.v1" && $2 == "cri" { print $4 }')" ok
# The CRI plugin logs the configuration it runs with: what kubelet will get.
cri_cfg=$(grep -m1 'Start cri plugin with config' "$d/containerd.log")
assert_contains "CRI plugin runs with default handler secure" "$cri_cfg" "DefaultRuntimeName:secure"
assert_contains "CRI plugin's handler secure has BinaryName secshim" "$cri_cfg" "BinaryName:$SECSHIM_BIN"
dump=$(command containerd -c "$cfg" config dump 2>&1)
assert_contains "handler secure runs secshim" "$dump" "BinaryName = \"$SECSHIM_BIN\""
assert_contains "secure is the default CRI handler" "$dump" 'default_runtime_name = "secure"'
assert_contains "cni conf_dir survives" "$dump" "conf_dir = \"$d/cni\""

run() { # id runc-binary ctr-run-args...
  local id=$1 bin=$2; shift 2
  ctr run --rm --runc-binary "$bin" "$@" --rootfs "$ROOTFS" "$id" "${CMD[@]}" 2>&1
}
CMD=(/bin/echo hello-from-ctr)
out=$(run e2e-plain-$$ "$SECSHIM_BIN"); rc=$?
assert_status "ctr run --runc-binary secshim: normal container" "$rc" 0
assert_contains "normal container printed" "$out" hello-from-ctr
CMD=(/bin/grep NoNewPrivs /proc/self/status)
out=$(run e2e-nnp-$$ "$SECSHIM_BIN")
assert_contains "secshim forced no_new_privileges" "$(printf '%s' "$out" | tr -s ' \t' ' ')" "NoNewPrivs: 1"

CMD=(/bin/echo should-not-run)
bind=(--mount type=bind,src=/run/systemd,dst=/run/systemd,options=rbind:ro)
mkdir -p /run/systemd
out=$(run e2e-ctl-$$ /usr/sbin/runc "${bind[@]}"); rc=$?
assert_status "control: plain runc runs the /run/systemd mount" "$rc" 0
out=$(run e2e-refused-$$ "$SECSHIM_BIN" "${bind[@]}"); rc=$?
if [ "$rc" -ne 0 ]; then ok "ctr run with -v /run/systemd refused (exit $rc)"; else fail "ctr run with /run/systemd ran"; fi
assert_not_contains "refused container never ran" "$out" should-not-run
assert_contains "ctr shows secshim's reason" "$out" "secshim: mounts: bind mount of /run/systemd at /run/systemd is refused"
assert_eq "no container left behind" "$(ctr containers ls -q | grep -c "e2e-refused-$$")" 0

# --- in use, uninstall, restart ------------------------------------------------
ctr run -d --runc-binary "$SECSHIM_BIN" --rootfs "$ROOTFS" "lc-$$" /bin/sleep 1000 >/dev/null 2>&1
lc_pid=$(ctr tasks ls 2>/dev/null | awk -v id="lc-$$" '$1 == id { print $2 }')
check "a long-running task through secshim" test -n "$lc_pid" -a -e "/proc/${lc_pid:-0}"
out=$("$ADMIN" in-use --root "$d" --bin "$SECSHIM_BIN" 2>&1); rc=$?
assert_status "secshim in-use: exit 1 while the task runs" "$rc" 1
assert_contains "secshim in-use lists it" "$out" "containerd task default/lc-$$"
out=$("$ADMIN" uninstall --containerd --root "$d" --bin "$SECSHIM_BIN" 2>&1); rc=$?
assert_status "secshim uninstall --containerd" "$rc" 0
assert_eq "config.toml back byte for byte" "$(sha_of "$cfg")" "$cfg_sha"
assert_contains "uninstall says to restart containerd" "$out" "restart containerd"
kill -TERM "$ctd_pid"; for _ in $(seq 50); do kill -0 "$ctd_pid" 2>/dev/null || break; sleep 0.1; done
start_containerd
for _ in $(seq 100); do ctr version >/dev/null 2>&1 && break; sleep 0.1; done
assert_not_contains "restarted containerd: no handler secure" "$(command containerd -c "$cfg" config dump 2>&1)" "runtimes.secure"
out=$(ctr tasks kill -s KILL "lc-$$" 2>&1); rc=$?
assert_status "the task made through secshim can still be killed" "$rc" 0
for _ in $(seq 50); do [ -e "/proc/$lc_pid" ] || break; sleep 0.1; done
check "its process is gone" test ! -e "/proc/$lc_pid"
ctr tasks delete "lc-$$" >/dev/null 2>&1; ctr containers delete "lc-$$" >/dev/null 2>&1
out=$("$ADMIN" in-use --root "$d" --bin "$SECSHIM_BIN" 2>&1); rc=$?
assert_status "secshim in-use: exit 0 once it is gone" "$rc" 0

diag "the CRI path itself (kubelet's calls -> handler 'secure' -> BinaryName secshim) is tests/cri/"
done_testing
