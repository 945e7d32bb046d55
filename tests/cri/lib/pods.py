"""Pods that must run (tests/cri/pods.sh): kubelet's sequence through the
"secure" handler and what secshim made of each pod, seen from inside."""
import json
import os
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from kubelet import (OOM_GUARANTEED, OOM_SANDBOX, Kubelet, Pod, Tap, pb,  # noqa: E402
                     proc_status, wait_running)

t = Tap(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
k = Kubelet()

v = k.version()
t.eq(v.runtime_api_version, "v1", "Version: runtime API v1 (%s %s)" % (v.runtime_name, v.runtime_version))
conds = k.wait_ready()
t.ok(all(conds.get(c, (False,))[0] for c in ("RuntimeReady", "NetworkReady")),
     "Status: RuntimeReady and NetworkReady (kubelet waits for both)", repr(conds))


def start_pod(pod, what, **sandbox):
    sid, err = k.run_pod(pod, pod.sandbox_config(**sandbox))
    t.ok(err is None, "%s: RunPodSandbox with runtime_handler secure" % what, err.details() if err else "")
    return sid


def start_container(pod, what, name, cmd=("sleep", "3600"), **kw):
    if not pod.sandbox_id:
        t.ok(False, "%s: CreateContainer+StartContainer %s" % (what, name), "no sandbox")
        return None
    cid, err = k.run_container(pod, pod.container_config(name, cmd, **kw))
    t.ok(err is None, "%s: CreateContainer+StartContainer %s" % (what, name), err.details() if err else "")
    if err is not None:
        return None
    st = wait_running(k, cid)
    t.eq(pb.ContainerState.Name(st.state), "CONTAINER_RUNNING", "%s: ContainerStatus %s running" % (what, name))
    return cid


# 1. The default pod, kubelet's whole sequence.
pod = Pod("default-pod")
start_pod(pod, "default pod")
cid = start_container(pod, "default pod", "main")
if cid:
    rc, st, err = proc_status(k, cid)
    t.eq(rc, 0, "default pod: ExecSync cat /proc/self/status")
    t.diag("Uid %s, NoNewPrivs %s, CapBnd %s, Seccomp %s" % (st.get("Uid"), st.get("NoNewPrivs"),
                                                           st.get("CapBnd"), st.get("Seccomp")))
    t.eq(st.get("Uid", "").split()[:1], ["65534"], "default pod: runs as uid 65534 (policy user rule), not root")
    t.eq(st.get("NoNewPrivs"), "1", "default pod: NoNewPrivs 1")
    capbnd = int(st.get("CapBnd", "ffffffffff"), 16)
    t.ok(capbnd & (1 << 21) == 0 and capbnd & (1 << 13) == 0,
         "default pod: CapBnd %s lacks SYS_ADMIN and NET_RAW" % st.get("CapBnd"))
    t.eq(st.get("Seccomp"), "2", "default pod: Seccomp 2 (filter), although kubelet asked Unconfined")
    rc, out, err = k.exec_sync(cid, ["cat", "/etc/hosts"])
    t.contains(out, "Kubernetes-managed hosts file", "default pod: kubelet's /etc/hosts from its own pod dir")
    s = k.status(cid)
    t.eq(s.metadata.name, "main", "default pod: ContainerStatus names the container")
for e in k.teardown(pod):
    t.ok(False, "default pod: Stop/Remove", e.details())
else:
    t.ok(True, "default pod: StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox")



def sandbox_pid(sid):
    info = k.rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=sid, verbose=True), timeout=10).info
    return json.loads(info["info"])["pid"]


def host_oom(pid):
    with open("/proc/%d/oom_score_adj" % pid) as f:
        return int(f.read())


def ppid(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("PPid:"):
                return int(line.split()[1])
    return 0


def expected_oom(asked, engine):
    """secshim's process rule (default policy): oomScoreAdjMin 0, and with
    oomScoreAdjEngine a lower value is kept when it is not below the score
    secshim runs at (the shim's: containerd's + 1)."""
    return asked if asked >= 0 or asked >= engine else 0


# 2. A Guaranteed pod: kubelet's -997, containerd's -998 for the pause
# container.  On a node (containerd at -999, shim at -998) both are kept; a
# value below the shim's own score is raised to the floor (0).
pod = Pod("guaranteed", qos="guaranteed")
sid = start_pod(pod, "Guaranteed pod")
cid = start_container(pod, "Guaranteed pod", "main", memory=64 << 20, cpu_quota=10000)
if sid and cid:
    pause = sandbox_pid(sid)
    shim = host_oom(ppid(pause))
    t.diag("pause pid %d, its shim runs at oom_score_adj %d" % (pause, shim))
    t.eq(host_oom(pause), expected_oom(OOM_SANDBOX, shim),
         "Guaranteed pod: pause oom_score_adj (containerd's -998; shim at %d)" % shim)
    rc, out, _ = k.exec_sync(cid, ["cat", "/proc/1/oom_score_adj"])
    t.eq(out.strip(), str(expected_oom(OOM_GUARANTEED, shim)),
         "Guaranteed pod: container oom_score_adj (kubelet's -997; shim at %d)" % shim)
    # cgroup v1 (memory controller) or v2 (the container's cgroup namespace).
    rc, out, _ = k.exec_sync(cid, ["sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || "
                                   "cat /sys/fs/cgroup/memory.max"])
    t.eq(out.strip(), str(64 << 20), "Guaranteed pod: memory limit 64Mi applied")
cid2 = start_container(pod, "Guaranteed pod", "greedy", oom=-1000)
if cid2:
    rc, out, _ = k.exec_sync(cid2, ["cat", "/proc/1/oom_score_adj"])
    t.eq(out.strip(), "0", "a container asking oom_score_adj -1000 (below containerd and kubelet) gets the floor 0")
for e in k.teardown(pod):
    t.ok(False, "Guaranteed pod: Stop/Remove", e.details())

# 3. Volumes kubelet sets up in the pod's own directory.
pod = Pod("volumes")
empty = pod.volume("kubernetes.io~empty-dir", "cache")
os.chmod(empty, 0o777)  # kubelet's emptyDir is 0777
cfg = pod.volume("kubernetes.io~configmap", "settings", {"..data/app.conf": "answer=42\n"})
os.symlink("..data/app.conf", cfg + "/app.conf")
sec = pod.volume("kubernetes.io~secret", "creds", {"..data/password": "hunter2\n"})
os.symlink("..data/password", sec + "/password")
prj = pod.volume("kubernetes.io~projected", "bundle", {"..data/labels": "app=volumes\n"})
os.symlink("..data/labels", prj + "/labels")
start_pod(pod, "volumes pod")
cid = start_container(pod, "volumes pod", "main", mounts=[("/cache", empty, False), ("/etc/app", cfg, True),
                                                          ("/etc/creds", sec, True), ("/etc/bundle", prj, True)])
if cid:
    rc, out, err = k.exec_sync(cid, ["sh", "-c", "echo written > /cache/f && cat /etc/app/app.conf /etc/creds/password "
                                     "/etc/bundle/labels /var/run/secrets/kubernetes.io/serviceaccount/token"])
    t.eq((rc, out), (0, "answer=42\nhunter2\napp=volumes\nnot-a-token\n"),
         "volumes pod: configMap, secret, projected and token volumes readable" + (" (%s)" % err if rc else ""))
    t.ok(os.path.exists(empty + "/f") and open(empty + "/f").read() == "written\n",
         "volumes pod: emptyDir written from inside lands in the pod's own volumes dir")
    rc, out, err = k.exec_sync(cid, ["sh", "-c", "echo x > /etc/app/new"])
    t.ok(rc != 0, "volumes pod: configMap volume is read-only inside")
for e in k.teardown(pod):
    t.ok(False, "volumes pod: Stop/Remove", e.details())

# 4. runAsNonRoot with the pod's own uid, gid and fsGroup.
pod = Pod("nonroot")
start_pod(pod, "runAsNonRoot pod", run_as_user=1000, supplemental_groups=[2000])
cid = start_container(pod, "runAsNonRoot pod", "main", run_as_user=1000, run_as_group=3000, supplemental_groups=[2000])
if cid:
    rc, st, err = proc_status(k, cid)
    t.eq((st.get("Uid", "").split()[:1], st.get("Gid", "").split()[:1]), (["1000"], ["3000"]),
         "runAsNonRoot pod: keeps its own uid 1000 and gid 3000")
    t.ok("2000" in st.get("Groups", "").split(), "runAsNonRoot pod: fsGroup 2000 among its groups (%s)" % st.get("Groups"))
    t.eq(st.get("NoNewPrivs"), "1", "runAsNonRoot pod: NoNewPrivs 1")
for e in k.teardown(pod):
    t.ok(False, "runAsNonRoot pod: Stop/Remove", e.details())

# 5. shareProcessNamespace, a safe sysctl, readOnlyRootFilesystem.
pod = Pod("shared-pid")
start_pod(pod, "shareProcessNamespace pod", share_pid=True, sysctls={"net.ipv4.ip_local_port_range": "40000 50000"})
cid = start_container(pod, "shareProcessNamespace pod", "main", share_pid=True, readonly_rootfs=True)
if cid:
    rc, out, _ = k.exec_sync(cid, ["cat", "/proc/1/cmdline"])
    t.eq(out.rstrip("\0"), "/pause", "shareProcessNamespace pod: the container sees pause as PID 1")
    rc, out, _ = k.exec_sync(cid, ["cat", "/proc/sys/net/ipv4/ip_local_port_range"])
    t.eq(out.split(), ["40000", "50000"], "safe sysctl net.ipv4.ip_local_port_range applied (rules.sysctls.allow)")
    rc, out, err = k.exec_sync(cid, ["touch", "/new-file"])
    t.ok(rc != 0 and "Read-only" in err, "readOnlyRootFilesystem: / is read-only", err)
    # A kubelet exec probe is judged like the container: same user, NoNewPrivs.
    rc, st, _ = proc_status(k, cid)
    t.eq((st.get("Uid", "").split()[:1], st.get("NoNewPrivs")), (["65534"], "1"),
         "ExecSync (kubelet's exec probe) runs as uid 65534 with NoNewPrivs")
for e in k.teardown(pod):
    t.ok(False, "shareProcessNamespace pod: Stop/Remove", e.details())

# An unsafe sysctl is refused at the sandbox, naming the pod field.
pod = Pod("unsafe-sysctl")
sid, err = k.run_pod(pod, pod.sandbox_config(sysctls={"kernel.msgmax": "65536"}))
t.ok(err is not None and "securityContext.sysctls kernel.msgmax" in err.details(),
     "an unsafe sysctl (kernel.msgmax) is refused: RunPodSandbox names securityContext.sysctls",
     err.details() if err else "sandbox %s started" % sid)
k.teardown(pod)

t.done()
