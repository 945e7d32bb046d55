#!/usr/bin/env bash
# Pods that must run through secshim on a containerd node, driven the way
# kubelet drives the CRI (tests/cri/lib/pods.py): kubelet's call sequence
# with runtime_handler "secure", the effects inside the containers, the
# Guaranteed pod's oom_score_adj, and kubelet's volumes of the pod's own
# directory.  The node: tests/cri/lib/node.sh.
. "$(dirname "$0")/../lib/lib.sh"
. "$SECSHIM_TOP/tests/cri/lib/node.sh"
node_start
node_client "$SECSHIM_TOP/tests/cri/lib/pods.py" "$_tap_n"
rc=$?
# The python client printed its own results and the plan, numbered after ours.
[ "$rc" -eq 0 ] || { sed -n '$p' "$SECSHIM_CRI_TMP/containerd.log" | sed 's/^/# containerd: /'; }
exit "$rc"
