# shellcheck shell=bash
# A Kubernetes node's container side, for the CRI tests: Debian's containerd
# 1.6 with its CRI plugin, configured by `secshim install --containerd
# --default`, on its STOCK paths (/etc/containerd/config.toml,
# /run/containerd, /var/lib/containerd), CNI bridge networking from Debian's
# containernetworking-plugins (/etc/cni/net.d), kubelet's /var/lib/kubelet
# and /var/log/pods, and secshim's /etc/secshim policies.
#
# Isolation, because the stock paths are what a real node has and must not be
# moved: the test re-executes itself in a new mount and network namespace.
# Every stock directory is made on a tmpfs laid over its existing parent
# (tests/lib/overlay.sh), so nothing is written to the host's /etc, /run or
# /var; the CNI bridge and the pods' veths live in the private network
# namespace.  At the end, every pod is stopped and removed through CRI,
# containerd and its shims (processes of this mount namespace, by pid) are
# ended, and the pod cgroups runc made are removed; the mounts go with the
# namespace.  Only the cgroup tree (kernel-global) is shared with the host.
#
# Source after lib.sh; then node_start, and run the python client with
# $SECSHIM_CRI_TMP set.
. "$SECSHIM_TOP/tests/lib/overlay.sh"

node_need() {
  local t
  [ "$(id -u)" -eq 0 ] || { skip "$(basename "$0"): needs root"; done_testing; exit; }
  [ -x "$SECSHIM_BIN" ] || { skip "$(basename "$0"): $SECSHIM_BIN not built (make)"; done_testing; exit; }
  for t in containerd ctr containerd-shim-runc-v2 unshare choom jq cc /usr/lib/cni/bridge /usr/lib/cni/host-local /usr/lib/cni/loopback; do
    command -v "$t" >/dev/null 2>&1 || [ -x "$t" ] ||
      { skip "$(basename "$0"): $t not installed (hack/install-deps.sh)"; done_testing; exit; }
  done
  /usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null ||
    { skip "$(basename "$0"): python3-grpcio/python3-grpc-tools not installed (hack/install-deps.sh)"; done_testing; exit; }
}

# First pass (host namespaces): make the scratch directory, run the second
# pass in fresh mount + network namespaces, remove the scratch directory.
if [ "${SECSHIM_CRI_NS:-}" != 1 ]; then
  node_need
  SECSHIM_CRI_TMP=$(mktemp -d /tmp/secshim-cri.XXXXXX)
  export SECSHIM_CRI_TMP
  # A TERM (a runner's timeout) reaches the second pass, which then stops
  # the node before it exits.
  SECSHIM_CRI_NS=1 unshare --mount --net --propagation private -- "$0" "$@" &
  _node_child=$!
  trap 'kill -TERM "$_node_child" 2>/dev/null' TERM INT
  wait "$_node_child"; rc=$?
  # wait returns early on a trapped signal: wait for the child itself.
  while kill -0 "$_node_child" 2>/dev/null; do wait "$_node_child"; rc=$?; done
  rm -rf "$SECSHIM_CRI_TMP"
  exit "$rc"
fi

CRI_SOCK=/run/containerd/containerd.sock
CRI_IMAGES=""
_ctd_pid=""
_node_py=""

# node_cgroups: the kubepods trees of every mounted cgroup hierarchy;
# node_cgroup_dirs: every directory in them.
node_cgroups() { ls -d /sys/fs/cgroup/kubepods /sys/fs/cgroup/*/kubepods 2>/dev/null; }
node_cgroup_dirs() { node_cgroups | while read -r cg; do find "$cg" -type d; done; }

node_isolate() {
  local save=$SECSHIM_CRI_TMP/save
  mkdir -p "$save"
  # The node's own directories start empty, with the config this test
  # writes: not the host's (/etc/containerd, /etc/cni), nor the fixtures'
  # stock files tests/run-all.sh made in its namespace (/run/containerd,
  # /var/lib/kubelet, ...).
  overlay_dir /etc "$save" containerd cni secshim
  overlay_dir /run "$save" containerd netns secshim
  overlay_dir /var/lib "$save" containerd kubelet cni secshim
  overlay_dir /var/log "$save" secshim pods
  chmod 0700 /var/log/secshim
  mkdir -p /etc/cni/net.d /var/lib/kubelet/pods
  ip link set lo up
}

node_config() {
  cp -R "$SECSHIM_TOP/policy/." /etc/secshim/
  # SECSHIM_CRI_POLICY=FILE: run the pods under another policy (restricted).
  [ -z "${SECSHIM_CRI_POLICY:-}" ] || cp "$SECSHIM_CRI_POLICY" /etc/secshim/default.json
  # NODE_POLICY_ADD="FILE...": exemptions a node operator adds, in order.
  local f
  for f in ${NODE_POLICY_ADD:-}; do
    jq --slurpfile add "$f" '.exemptions = ((.exemptions // []) + $add[0].exemptions)' \
      /etc/secshim/default.json >/etc/secshim/.default.json.new &&
      mv /etc/secshim/.default.json.new /etc/secshim/default.json
  done
  chown -R 0:0 /etc/secshim
  # What a node operator has before secshim: a version 2 config whose CRI
  # plugin uses Debian's CNI plugins and the locally imported pause image.
  cat >/etc/containerd/config.toml <<'T'
version = 2

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "secshim.test/pause:3.6"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "/etc/cni/net.d"
T
  cat >/etc/cni/net.d/10-secshim-cri.conflist <<'J'
{
  "cniVersion": "0.4.0",
  "name": "secshim-cri",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": false,
      "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.88.77.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}
    }
  ]
}
J
}

# node_start: isolate, configure through secshim install, start containerd,
# import the images.  Prints TAP for each step; exits on a failed one.
node_start() {
  local out rc i
  node_cgroup_dirs >"$SECSHIM_CRI_TMP/cgroups-before"
  node_isolate
  CRI_IMAGES=$("$SECSHIM_TOP/tests/cri/lib/mkimages.sh" 2>"$SECSHIM_CRI_TMP/mkimages.err") ||
    { fail "CRI images built: $(tail -n 3 "$SECSHIM_CRI_TMP/mkimages.err")"; done_testing; exit; }
  node_config
  out=$("$SECSHIM_TOP/hack/secshim-admin" install --containerd --default --bin "$SECSHIM_BIN" 2>&1); rc=$?
  if [ "$rc" -ne 0 ]; then fail "secshim install --containerd: $out"; done_testing; exit; fi
  ok "secshim install --containerd --default on /etc/containerd/config.toml"
  # NODE_PASSTHROUGH=1: the "secure" handler passes every pod and container
  # annotation into config.json (containerd's pod_annotations and
  # container_annotations), the widest a node operator can open it.
  if [ "${NODE_PASSTHROUGH:-0}" = 1 ]; then
    sed -i '/^\[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.secure\]$/a\
  pod_annotations = ["*"]\
  container_annotations = ["*"]' /etc/containerd/config.toml
    grep -q 'pod_annotations = \["\*"\]' /etc/containerd/config.toml ||
      { fail "pod_annotations pass-through set on handler secure"; done_testing; exit; }
  fi
  trap node_stop EXIT
  trap 'kill -TERM "$_node_py" 2>/dev/null; exit 143' TERM INT
  # As Debian's containerd.service runs it (OOMScoreAdjust=-999): its shims
  # run at -998, the score secshim keeps kubelet's values against.  Without
  # CAP_SYS_RESOURCE (a test host that is itself a container) no score can
  # be lowered: containerd runs at ours, and the tests expect the floor.
  if choom -n -999 -- true 2>/dev/null; then
    setsid choom -n -999 -- containerd >"$SECSHIM_CRI_TMP/containerd.log" 2>&1 </dev/null &
  else
    diag "no CAP_SYS_RESOURCE: containerd runs at oom_score_adj $(cat /proc/self/oom_score_adj), not -999"
    setsid containerd >"$SECSHIM_CRI_TMP/containerd.log" 2>&1 </dev/null &
  fi
  _ctd_pid=$!
  for i in $(seq 150); do
    [ -S "$CRI_SOCK" ] && timeout 5 ctr version >/dev/null 2>&1 && break
    kill -0 "$_ctd_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! timeout 5 ctr version >/dev/null 2>&1; then
    fail "containerd starts on its stock paths: $(tail -n 3 "$SECSHIM_CRI_TMP/containerd.log")"; done_testing; exit
  fi
  ok "containerd $(timeout 5 ctr version 2>/dev/null | awk '/Version:/ { print $2; exit }') serves $CRI_SOCK"
  for i in pause busybox; do
    out=$(timeout 60 ctr -n k8s.io images import "$CRI_IMAGES/$i.tar" 2>&1) ||
      { fail "ctr -n k8s.io images import $i.tar: $out"; done_testing; exit; }
  done
  ok "pause and busybox images imported (no registry)"
}

# node_processes: pids of this mount namespace other than this shell, i.e.
# containerd, its shims and what they started here; never another process.
node_processes() {
  local me p
  me=$(readlink /proc/$$/ns/mnt)
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" = $$ ] && continue
    [ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" = "$me" ] || continue
    # Skip this shell's subshell (the command substitution) and its children.
    [ "$p" = "$BASHPID" ] && continue
    [ "$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)" = "$BASHPID" ] && continue
    echo "$p"
  done
}

node_stop() {
  local p i left
  [ -n "$_ctd_pid" ] || return 0
  /usr/bin/python3 "$SECSHIM_TOP/tests/cri/lib/teardown.py" >>"$SECSHIM_CRI_TMP/teardown.log" 2>&1
  # Containers CRI could not remove (a failed test): runc's own state of
  # this containerd, which is on this namespace's /run.
  for i in $(runc --root /run/containerd/runc/k8s.io list -q 2>/dev/null); do
    runc --root /run/containerd/runc/k8s.io delete --force "$i" >/dev/null 2>&1
  done
  kill -TERM "$_ctd_pid" 2>/dev/null
  for i in $(seq 50); do kill -0 "$_ctd_pid" 2>/dev/null || break; sleep 0.1; done
  for p in $(node_processes); do kill -KILL "$p" 2>/dev/null; done
  _ctd_pid=""
  # The cgroups runc made under kubepods (kubelet removes them on a node):
  # every directory that was not there before, deepest first.
  node_cgroup_dirs | grep -vxF -f "$SECSHIM_CRI_TMP/cgroups-before" | sort -r |
    while read -r cg; do rmdir "$cg" 2>/dev/null; done
  left=$(node_cgroup_dirs | grep -vxF -f "$SECSHIM_CRI_TMP/cgroups-before")
  [ -z "$left" ] || echo "node_stop: cgroups left: $left" >&2
}

# node_client SCRIPT ARGS...: run the python CRI client; in the background,
# so that a TERM is handled at once (bash runs a trap only between commands).
node_client() {
  local rc
  /usr/bin/python3 "$@" &
  _node_py=$!
  wait "$_node_py"; rc=$?
  _node_py=""
  return "$rc"
}
