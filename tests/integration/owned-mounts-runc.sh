#!/usr/bin/env bash
# Engine-owned mounts (issue 10, class 8) with real runc 1.1.5.  A pod
# container created the way containerd's CRI plugin creates it (runc --root
# /run/containerd/runc/k8s.io, annotations naming its sandbox, network and
# ipc namespaces of the sandbox's process; lib.sh cri_sandbox_start gives
# the live sandbox, all on containerd's stock paths inside run-all's private
# mount namespace):
#   - binding ITS sandbox's file runs through secshim and reads it;
#   - binding ANOTHER sandbox's file: plain runc reads it (the control),
#     through secshim it is refused and no container exists.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/bundle.sh"

missing=
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
[ -x "$RUNC" ] || missing+=" runc ($RUNC);"
command -v jq >/dev/null || missing+=" jq;"
[ "$(id -u)" -eq 0 ] || missing+=" root;"
[ "${SECSHIM_TEST_NS:-}" = 1 ] || missing+=" run-all's private mount namespace (SUITES=integration tests/run-all.sh);"
if [ -n "$missing" ]; then skip "owned mounts with runc: missing${missing%;}"; done_testing; exit; fi
if ! bundle_setup; then fail "could not build the busybox image (hack/mkimage.sh)"; done_testing; exit; fi
trap 'cri_sandbox_stop; "$RUNC" --root "$CRI_RUNC_ROOT" delete --force owned-own >/dev/null 2>&1; bundle_teardown' EXIT
if ! cri_sandbox_start; then fail "could not start the CRI sandbox stand-in (lib.sh cri_sandbox_start)"; done_testing; exit; fi

S=$CRI_SANDBOX_ID
O=0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9 # tests/policy/docs/owned-mounts-others.json
R=/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes
for d in "$R/$S" "$R/$O"; do [ -d "$d" ] || { fail "stock path $d missing (tests/lib/stock-binds.sh)"; done_testing; exit; }; done
# On stock-binds' tmpfs only.
echo own-sandbox-hostname >"$R/$S/hostname"
echo other-sandbox-secret >"$R/$O/secret"
chmod 0644 "$R/$S/hostname" "$R/$O/secret"

ROOTFS=$WORK/rootfs
cp -a "$TEST_ROOTFS" "$ROOTFS"
mkdir -p "$ROOTFS/x"
# pod_bundle NAME SOURCE: a pod container of sandbox S binding SOURCE at /x/f.
pod_bundle() {
  local b=$WORK/$1
  mkdir -p "$b"
  jq --arg r "$ROOTFS" --arg s "$S" --arg src "$2" --arg pid "$CRI_SANDBOX_PID" \
    '.root.path = $r | .root.readonly = true | .process.args = ["/bin/cat", "/x/f"]
     | .annotations = {"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": $s}
     | .linux.namespaces = [(.linux.namespaces[] | select(.type != "network" and .type != "ipc")),
         {type: "network", path: "/proc/\($pid)/ns/net"}, {type: "ipc", path: "/proc/\($pid)/ns/ipc"}]
     | .mounts += [{destination: "/x/f", type: "bind", source: $src, options: ["rbind", "ro"]}]' \
    "$IMAGE_DIR/bundle/config.json" >"$b/config.json"
  echo "$b"
}
pod_rt() { "$SECSHIM_BIN" --secshim-policy="$SECSHIM_TOP/policy/default.json" --secshim-runtime="$RUNC" --root "$CRI_RUNC_ROOT" "$@"; }

# -- its own sandbox's file: runs
b=$(pod_bundle own "$R/$S/hostname")
out=$(pod_rt run --bundle "$b" owned-own 2>&1 </dev/null); rc=$?
pod_rt delete --force owned-own >/dev/null 2>&1
assert_status "its own sandbox's hostname through secshim: exit 0" "$rc" 0
assert_contains "its own sandbox's hostname through secshim: the container read it" "$out" own-sandbox-hostname

# -- another sandbox's file: plain runc reaches it, secshim refuses
b=$(pod_bundle other "$R/$O/secret")
out=$("$RUNC" --root "$RUNC_ROOT" run --bundle "$b" plain-other 2>&1 </dev/null); rc=$?
"$RUNC" --root "$RUNC_ROOT" delete --force plain-other >/dev/null 2>&1
if [ "$rc" -eq 0 ] && [ "$out" = other-sandbox-secret ]; then ok "control: plain runc reads another sandbox's file"
else fail "control: plain runc did not read it (exit $rc): $(printf '%s' "$out" | head -c 300)"; fi
out=$(pod_rt run --bundle "$b" owned-other 2>&1 </dev/null); rc=$?
assert_status "another sandbox's file through secshim: refused (exit 1)" "$rc" 1
assert_not_contains "another sandbox's file through secshim: the container never read it" "$out" other-sandbox-secret
assert_contains "another sandbox's file through secshim: the message says whose it is" "$out" "belongs to another pod sandbox"
[ "$(pod_rt state owned-other 2>/dev/null | jq -r .status 2>/dev/null)" = "" ] &&
  ok "another sandbox's file: no container exists after the refusal" ||
  fail "another sandbox's file: a container exists after the refusal"
done_testing
