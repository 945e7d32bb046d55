#!/usr/bin/env bash
# The Kubernetes files a cluster admin applies (hack/k8s/) parse, and hold
# the fields docs/kubernetes.md and the CRI tests rely on: the RuntimeClass
# handler and its scheduling, the DaemonSet's namespace, privileges, host
# mount and node label, the installer exemption (the same in the docs, the
# right engine roots and namespace, the user rule lifted), and the
# containerd and CRI-O node snippets.  No cluster needed.
. "$(dirname "$0")/../lib/lib.sh"
/usr/bin/python3 -c 'import yaml, tomllib' 2>/dev/null ||
  { skip "python3-yaml (and Python 3.11's tomllib) needed (hack/install-deps.sh)"; done_testing; exit; }
exec /usr/bin/python3 - "$SECSHIM_TOP" <<'PY'
import json
import re
import sys
import tomllib

import yaml

top = sys.argv[1]
n = failed = 0


def ok(cond, name, detail=""):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print("%s %d - %s%s" % ("ok" if cond else "not ok", n, name, "" if cond or not detail else ": " + str(detail)[:600]))


def load_yaml(name):
    with open("%s/hack/k8s/%s" % (top, name)) as f:
        return [d for d in yaml.safe_load_all(f) if d]


rc = load_yaml("runtimeclass.yaml")
ok(len(rc) == 1 and rc[0]["kind"] == "RuntimeClass" and rc[0]["apiVersion"] == "node.k8s.io/v1",
   "runtimeclass.yaml: one node.k8s.io/v1 RuntimeClass")
rc = rc[0]
ok(rc["metadata"]["name"] == "secure" and rc["handler"] == "secure", "RuntimeClass secure, handler secure")
label = rc.get("scheduling", {}).get("nodeSelector", {})
ok(label == {"secshim.io/installed": "true"}, "RuntimeClass schedules only onto nodes labelled secshim.io/installed=true",
   label)

docs = load_yaml("daemonset.yaml")
kinds = {d["kind"]: d for d in docs}
ok(set(kinds) >= {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet"},
   "daemonset.yaml: namespace, RBAC, policy ConfigMap, DaemonSet", sorted(kinds))
ns = kinds["Namespace"]["metadata"]["name"]
ok(ns == "secshim-system" and all(d["metadata"].get("namespace", ns) == ns for d in docs if d["kind"] != "ClusterRole"
                                  and d["kind"] != "ClusterRoleBinding" and d["kind"] != "Namespace"),
   "every namespaced object is in secshim-system")
ds = kinds["DaemonSet"]
spec = ds["spec"]["template"]["spec"]
init = spec["initContainers"][0]
script = init["args"][0]
ok(spec.get("hostPID") is True and init["securityContext"].get("privileged") is True,
   "installer pod: hostPID (nsenter into PID 1) and a privileged init container")
vols = {v["name"]: v for v in spec["volumes"]}
host = [m for m in init["volumeMounts"] if m["mountPath"] == "/host"]
ok(host and vols[host[0]["name"]].get("hostPath", {}).get("path") == "/", "the init container has the host's / at /host")
ok("secshim install --containerd --default --root /host" in script, "the init container runs secshim install --containerd --default --root /host")
ok("install -o 0 -g 0" in script and re.search(r"mv -f \S*\.default\.json\.new \S*/etc/secshim/default\.json", script),
   "the policy is written root's and renamed into place")
patch = re.search(r"-d '(\{.*\})'", script)
ok(patch and json.loads(patch.group(1))["metadata"]["labels"] == label,
   "the node label the installer sets is the RuntimeClass's nodeSelector")
rules = kinds["ClusterRole"]["rules"]
ok(any("nodes" in r["resources"] and "patch" in r["verbs"] for r in rules), "ClusterRole may patch nodes (the label)")
cm = kinds["ConfigMap"]
cm_vol = [v for v in spec["volumes"] if "configMap" in v]
ok(cm_vol and cm_vol[0]["configMap"]["name"] == cm["metadata"]["name"] and "default.json" in cm["data"],
   "the policy ConfigMap is mounted and holds default.json")
try:
    pol = json.loads(cm["data"]["default.json"])
    ok(pol.get("version") == 1, "the ConfigMap's default.json is a version 1 policy")
except ValueError as e:
    ok(False, "the ConfigMap's default.json is JSON", e)

with open(top + "/hack/k8s/installer-exemption.json") as f:
    ex = json.load(f)["exemptions"]
with open(top + "/hack/k8s/crio-node.conf", "rb") as f:
    crio = tomllib.load(f)["crio"]["runtime"]
roots = {e["match"]["root"] for e in ex}
ok(roots == {"/run/containerd/runc/k8s.io", crio["runtimes"]["secure"]["runtime_root"]},
   "exemptions bound to containerd's k8s.io runc root and CRI-O's runtime_root", roots)
ok(all(set(e["match"]["annotations"].values()) == {ns} for e in ex), "exemptions match the installer's namespace")
ok(all("user" in e["rules"] for e in ex), "exemptions lift the user rule (the installer writes root's files)")
ok(all(e.get("trustAnnotations") is True for e in ex), "exemptions trust only engine-written annotations")
with open(top + "/hack/k8s/exemption-kube-system.json") as f:
    ks = json.load(f)["exemptions"]
ok(all(e["rules"] == ["namespaces"] and e["match"]["annotations"] == {"io.kubernetes.cri.sandbox-namespace": "kube-system"}
       and e["match"]["root"] == "/run/containerd/runc/k8s.io" for e in ks),
   "exemption-kube-system.json lifts only rule namespaces, for containerd's kube-system pods")
with open(top + "/docs/kubernetes.md") as f:
    md = f.read()
block = re.search(r'```json\n\s*"exemptions": (\[.*?\])\s*```', md, re.S)
ok(block and json.loads(block.group(1)) == ex, "docs/kubernetes.md shows hack/k8s/installer-exemption.json as it is")
ok("hack/k8s/installer-exemption.json" in md, "docs/kubernetes.md names the exemption file")

with open(top + "/hack/k8s/containerd-node.toml", "rb") as f:
    ctd = tomllib.load(f)["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]
ok(ctd["default_runtime_name"] == "secure" and ctd["runtimes"]["secure"]["options"]["BinaryName"] == "/usr/bin/secshim"
   and ctd["runtimes"]["secure"]["runtime_type"] == "io.containerd.runc.v2",
   "containerd-node.toml: default handler secure, runc.v2 with BinaryName /usr/bin/secshim")
ok(crio["default_runtime"] == "secure" and crio["runtimes"]["secure"]["runtime_path"] == "/usr/bin/secshim",
   "crio-node.conf: default runtime secure at /usr/bin/secshim")

with open(top + "/hack/k8s/Dockerfile.installer") as f:
    dockerfile = f.read()
for tool, pkg in (("nsenter", "util-linux"), ("curl", "curl")):
    ok(tool not in script or pkg in dockerfile, "the installer image has %s (%s) that the init container uses" % (tool, pkg))
print("1..%d" % n)
sys.exit(1 if failed else 0)
PY
