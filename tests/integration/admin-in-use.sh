#!/usr/bin/env bash
# secshim in-use (what the package's prerm asks before removal): containerd
# tasks whose runtime BinaryName is the secshim binary are listed and make it
# exit 1; tasks of other runtimes are not.
. "$(dirname "$0")/../lib/lib.sh"
ADMIN=$SECSHIM_TOP/hack/secshim-admin
command -v jq >/dev/null || { skip "jq not installed"; done_testing; exit; }
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
tasks=$root/run/containerd/io.containerd.runtime.v2.task
mkdir -p "$tasks/k8s.io/plain"
echo '{"binary_name":"/usr/sbin/runc","root":"/run/containerd/runc"}' >"$tasks/k8s.io/plain/options.json"

out=$("$ADMIN" in-use --bin /usr/bin/secshim --root "$root" 2>&1); rc=$?
assert_status "no task through secshim: exit 0" "$rc" 0
assert_eq "and nothing printed" "$out" ""

mkdir -p "$tasks/k8s.io/sec1" "$root/var/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/sec2"
echo '{"binary_name":"/usr/bin/secshim","root":"/run/containerd/runc"}' >"$tasks/k8s.io/sec1/options.json"
echo '{"binary_name":"/usr/bin/secshim"}' >"$root/var/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/sec2/options.json"
out=$("$ADMIN" in-use --bin /usr/bin/secshim --root "$root" 2>&1); rc=$?
assert_status "tasks through secshim: exit 1" "$rc" 1
assert_contains "lists the CRI task" "$out" "containerd task k8s.io/sec1"
assert_contains "lists docker's own containerd's task" "$out" "containerd task moby/sec2"
assert_not_contains "does not list the runc task" "$out" "k8s.io/plain"
out=$("$ADMIN" in-use --bin /opt/other/secshim --root "$root" 2>&1); rc=$?
assert_status "another binary path: not in use" "$rc" 0
done_testing
