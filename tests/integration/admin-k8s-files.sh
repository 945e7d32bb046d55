#!/usr/bin/env bash
# The Kubernetes examples in hack/k8s stay consistent with what the installer
# does: manifests parse, the RuntimeClass handler is the runtime name the
# installer writes, the containerd snippet is read by containerd as handler
# "secure" -> BinaryName secshim (default handler too), the CRI-O snippet is
# valid TOML, and the DaemonSet runs `secshim install --containerd --default`.
. "$(dirname "$0")/../lib/lib.sh"
K=$SECSHIM_TOP/hack/k8s
if python3 -c 'import yaml' 2>/dev/null; then
  kinds=$(python3 -c 'import sys, yaml
for f in sys.argv[1:]:
    for d in yaml.safe_load_all(open(f)):
        print(d["kind"], d.get("handler", ""))' "$K/runtimeclass.yaml" "$K/daemonset.yaml" 2>&1)
  assert_contains "RuntimeClass handler is secure" "$kinds" "RuntimeClass secure"
  assert_contains "daemonset.yaml has the DaemonSet" "$kinds" "DaemonSet"
else   # no YAML parser here: the same facts, by line
  assert_eq "RuntimeClass handler is secure" "$(grep -c '^handler: secure$' "$K/runtimeclass.yaml")" 1
  assert_contains "daemonset.yaml has the DaemonSet" "$(cat "$K/daemonset.yaml")" "kind: DaemonSet"
fi
assert_contains "installer names the runtime secure" "$(grep -m1 '^SECURE_NAME=' "$SECSHIM_TOP/hack/secshim-admin")" "SECURE_NAME=secure"
assert_contains "DaemonSet runs the installer with --default" "$(cat "$K/daemonset.yaml")" "secshim install --containerd --default --root /host"
if command -v containerd >/dev/null; then
  t=$(mktemp); trap 'rm -f "$t"' EXIT
  { echo 'version = 2'; cat "$K/containerd-node.toml"; } >"$t"
  dump=$(containerd -c "$t" config dump 2>&1)
  assert_contains "containerd reads the snippet's BinaryName" "$dump" 'BinaryName = "/usr/bin/secshim"'
  assert_contains "containerd reads the snippet's default" "$dump" 'default_runtime_name = "secure"'
else
  skip "containerd not installed: snippet not read back"   # a missing component
fi
if python3 -c 'import tomllib' 2>/dev/null; then
  out=$(python3 -c 'import sys, tomllib
c = tomllib.load(open(sys.argv[1], "rb"))["crio"]["runtime"]
print(c["default_runtime"], c["runtimes"]["secure"]["runtime_path"])' "$K/crio-node.conf" 2>&1)
  assert_eq "CRI-O snippet: default and runtime_path" "$out" "secure /usr/bin/secshim"
else
  assert_contains "CRI-O snippet: runtime_path" "$(cat "$K/crio-node.conf")" 'runtime_path = "/usr/bin/secshim"'
fi
done_testing
