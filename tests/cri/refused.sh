#!/usr/bin/env bash
# Pods the policy must refuse, driven the way kubelet drives the CRI
# (tests/cri/lib/refused.py): host namespaces and privileged at the sandbox
# (FailedCreatePodSandBox), host paths and added capabilities at the
# container (StartError); each message at most 1 KiB, naming the pod field.
# The node: tests/cri/lib/node.sh.
. "$(dirname "$0")/../lib/lib.sh"
. "$SECSHIM_TOP/tests/cri/lib/node.sh"
node_start
node_client "$SECSHIM_TOP/tests/cri/lib/refused.py" "$_tap_n"
rc=$?
# The python client printed its own results and the plan, numbered after ours.
[ "$rc" -eq 0 ] || { sed -n '$p' "$SECSHIM_CRI_TMP/containerd.log" | sed 's/^/# containerd: /'; }
exit "$rc"
