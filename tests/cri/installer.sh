#!/usr/bin/env bash
# The installer DaemonSet's own pod installs and re-installs the policy
# without leaving the node with one secshim refuses, and the exemption it
# needs cannot be claimed by another pod's annotations
# (tests/cri/lib/installer.py); kube-system's hostNetwork pods exempted the
# same way.  The node: tests/cri/lib/node.sh, with the exemptions of
# hack/k8s/installer-exemption.json and exemption-kube-system.json, and every
# annotation passed through by the "secure" handler.
. "$(dirname "$0")/../lib/lib.sh"
export NODE_POLICY_ADD="$SECSHIM_TOP/hack/k8s/installer-exemption.json $SECSHIM_TOP/hack/k8s/exemption-kube-system.json"
export NODE_PASSTHROUGH=1
. "$SECSHIM_TOP/tests/cri/lib/node.sh"
node_start
node_client "$SECSHIM_TOP/tests/cri/lib/installer.py" "$_tap_n"
rc=$?
[ "$rc" -eq 0 ] || { sed -n '$p' "$SECSHIM_CRI_TMP/containerd.log" | sed 's/^/# containerd: /'; }
exit "$rc"
