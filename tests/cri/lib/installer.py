"""The installer DaemonSet's own pod, and namespaces that cannot be forged
(tests/cri/installer.sh).

The node's policy is the shipped default plus the exemption of
hack/k8s/installer-exemption.json (what docs/kubernetes.md tells the
operator to add).  The installer pod (namespace secshim-system: privileged,
hostPID, hostPath / at /host, the policy ConfigMap at /policy) runs the
policy-writing lines of hack/k8s/daemonset.yaml's init container, twice
(install, re-install); after each, the node's /etc/secshim/default.json
must be root's and a default pod must still start.  Then pods outside
secshim-system that claim it through their own annotations (passed into
config.json by the handler's pod_annotations/container_annotations = ["*"])
must be refused as any other pod."""
import os
import sys
import time

import yaml

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from kubelet import Kubelet, Pod, Tap, pb, proc_status, wait_running  # noqa: E402

t = Tap(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
k = Kubelet()
conds = k.wait_ready()
t.ok(all(conds.get(c, (False,))[0] for c in ("RuntimeReady", "NetworkReady")), "CRI Status ready", repr(conds))
top = os.environ["SECSHIM_TOP"]
POLICY = "/etc/secshim/default.json"


def daemonset_policy_lines():
    """The init container's lines that write the node's policy."""
    with open(top + "/hack/k8s/daemonset.yaml") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    ds = [d for d in docs if d.get("kind") == "DaemonSet"][0]
    init = ds["spec"]["template"]["spec"]["initContainers"][0]
    script = init["args"][0]
    lines = [line.strip() for line in script.splitlines()
             if "default.json" in line and not line.strip().startswith("#")]
    return init, lines


def wait_exited(k, cid, secs=20):
    end = time.time() + secs
    st = k.status(cid)
    while st.state != pb.CONTAINER_EXITED and time.time() < end:
        time.sleep(0.1)
        st = k.status(cid)
    return st


def read_log(pod, name):
    """The container's stdout from its CRI log (lines "TIME STREAM TAG TEXT")."""
    with open("%s/%s/0.log" % (pod.log_dir, name)) as f:
        return "".join(line.split(" ", 3)[3] for line in f if line.count(" ") >= 3)


def default_pod_runs(what):
    pod = Pod("after-" + what.replace(" ", "-"))
    sid, err = k.run_pod(pod, pod.sandbox_config())
    ok = err is None
    if ok:
        cid, err = k.run_container(pod, pod.container_config("main", ("sleep", "3600")))
        ok = err is None and wait_running(k, cid).state == pb.CONTAINER_RUNNING
    t.ok(ok, "after %s: a default pod still starts on the node" % what, err.details() if err else "")
    k.teardown(pod)


init, lines = daemonset_policy_lines()
t.ok(len(lines) >= 2 and any(line.startswith("mv ") for line in lines),
     "daemonset.yaml: the init container writes the policy with a rename (%d lines)" % len(lines))
t.ok(init.get("securityContext", {}).get("privileged") is True, "daemonset.yaml: the init container is privileged")

for round_ in ("install", "re-install"):
    pod = Pod("secshim-installer-" + round_, namespace="secshim-system")
    with open(POLICY) as f:
        node_policy = f.read()
    pol = pod.volume("kubernetes.io~configmap", "policy", {"..data/default.json": node_policy})
    os.symlink("..data/default.json", pol + "/default.json")
    sid, err = k.run_pod(pod, pod.sandbox_config(host_pid=True, privileged=True))
    if not t.ok(err is None, "%s: installer sandbox (secshim-system, hostPID, privileged) runs" % round_,
                err.details() if err else ""):
        continue
    # As the init container runs it: the command, to completion.  busybox
    # has no install applet: the same for "install -o U -g G -m MODE SRC DST".
    script = ('install() { [ "$1 $3 $5" = "-o -g -m" ] && cp "$7" "$8" && chown "$2:$4" "$8" && chmod "$6" "$8"; }; '
              'set -e; '
              + "; ".join(lines) + "; id -u")
    cid, err = k.run_container(pod, pod.container_config(
        "install", ("sh", "-c", script), privileged=True, host_pid=True,
        mounts=[("/host", "/", False), ("/policy", pol, True)]))
    if t.ok(err is None, "%s: installer container (privileged, hostPath /) starts" % round_,
            err.details() if err else ""):
        st = wait_exited(k, cid)
        t.eq((pb.ContainerState.Name(st.state), st.exit_code), ("CONTAINER_EXITED", 0),
             "%s: the DaemonSet's policy lines succeed in the pod" % round_)
        log = read_log(pod, "install")
        t.eq(log.strip(), "0", "%s: the installer ran as root (the exemption lifts the user rule)" % round_)
        s = os.stat(POLICY)
        t.eq((s.st_uid, s.st_gid, oct(s.st_mode & 0o777)), (0, 0, "0o644"),
             "%s: the node's %s is root's, mode 0644" % (round_, POLICY))
    for e in k.teardown(pod):
        t.ok(False, "%s: Stop/Remove" % round_, e.details())
    default_pod_runs(round_)

# Forged namespaces: the pod's own annotations claim secshim-system.
FORGE = {"io.kubernetes.cri.sandbox-namespace": "secshim-system", "io.kubernetes.pod.namespace": "secshim-system"}
pod = Pod("forged-sandbox")
sid, err = k.run_pod(pod, pod.sandbox_config(host_pid=True, annotations=FORGE))
t.ok(err is not None and "hostPID: true" in err.details(),
     "a hostPID pod in namespace default with annotations claiming secshim-system is refused",
     err.details() if err else "sandbox %s started" % sid)
k.teardown(pod)

# Per namespace: kube-system's hostNetwork pods are exempted from rule
# namespaces (hack/k8s/exemption-kube-system.json), nothing else is.
pod = Pod("kube-proxy", namespace="kube-system")
sid, err = k.run_pod(pod, pod.sandbox_config(host_network=True))
if t.ok(err is None, "a hostNetwork pod in kube-system runs (exempted from rule namespaces)",
        err.details() if err else ""):
    cid, err = k.run_container(pod, pod.container_config("main", ("sleep", "3600"), host_network=True))
    if t.ok(err is None, "its hostNetwork container runs", err.details() if err else ""):
        rc, out, _ = k.exec_sync(cid, ["readlink", "/proc/self/ns/net"])
        t.eq(out.strip(), os.readlink("/proc/self/ns/net"), "it is in the node's network namespace")
        rc, st, _ = proc_status(k, cid)
        t.eq((st.get("Uid", "").split()[:1], st.get("NoNewPrivs")), (["65534"], "1"),
             "every other rule still applies to it (uid 65534, NoNewPrivs)")
k.teardown(pod)
pod = Pod("forged-kube-system")
sid, err = k.run_pod(pod, pod.sandbox_config(host_network=True, annotations={
    "io.kubernetes.cri.sandbox-namespace": "kube-system", "io.kubernetes.pod.namespace": "kube-system"}))
t.ok(err is not None and "hostNetwork: true" in err.details(),
     "a hostNetwork pod in default whose annotations claim kube-system is refused",
     err.details() if err else "sandbox %s started" % sid)
k.teardown(pod)

pod = Pod("forged-container")
sid, err = k.run_pod(pod, pod.sandbox_config(privileged=True, annotations=FORGE))
if t.ok(err is None, "forged pod's (unprivileged) sandbox runs", err.details() if err else ""):
    cfg = pod.container_config("main", ("sleep", "3600"), privileged=True)
    for kk, v in FORGE.items():
        cfg.annotations[kk] = v
    cid, err = k.run_container(pod, cfg)
    t.ok(err is not None and "privileged" in err.details(),
         "a privileged container whose pod and container annotations claim secshim-system is refused",
         err.details() if err else "it started")
k.teardown(pod)
t.done()
