"""Pods the policy must refuse (tests/cri/refused.sh), and what kubelet shows.

A refused sandbox fails RunPodSandbox: kubelet records FailedCreatePodSandBox
with "Failed to create pod sandbox: " + the gRPC error.  A refused container
is created, then fails StartContainer: containerd records it EXITED with
reason StartError and the error as message, which kubelet shows as the
container's state.  secshim's part of either message is at most 1 KiB and
names the pod field to change."""
import re
import sys

import grpc

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from kubelet import Kubelet, Pod, Tap, pb, proc_status, wait_running  # noqa: E402

REFUSAL_MAX = 1024
t = Tap(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
k = Kubelet()
conds = k.wait_ready()
t.ok(all(conds.get(c, (False,))[0] for c in ("RuntimeReady", "NetworkReady")), "CRI Status ready", repr(conds))


def secshim_part(text):
    """secshim's own message inside containerd's wrapping ("...: secshim: ...: unknown")."""
    i = text.find("secshim: ")
    if i < 0:
        return None
    part = text[i:]
    return re.sub(r": unknown$", "", part)


def check_message(what, text, field):
    part = secshim_part(text)
    if not t.ok(part is not None, "%s: the error carries secshim's refusal" % what, text):
        return
    t.diag("%s -> %s" % (what, part))
    t.ok(len(part.encode()) <= REFUSAL_MAX, "%s: refusal is %d bytes (<= 1 KiB)" % (what, len(part.encode())), part)
    # What kubelet receives whole, containerd's wrapping included: far below
    # the 8 KiB a gRPC client may accept for its trailers.
    t.ok(len(text.encode()) <= 2 * REFUSAL_MAX, "%s: the whole error kubelet gets is %d bytes" % (what, len(text.encode())))
    t.contains(part, field, "%s: refusal names the pod field %r" % (what, field))


def sandbox_refused(what, field, **sandbox):
    """FailedCreatePodSandBox: RunPodSandbox fails, no sandbox is left."""
    pod = Pod(what.replace(" ", "-").replace(":", "").lower())
    sid, err = k.run_pod(pod, pod.sandbox_config(**sandbox))
    if not t.ok(err is not None, "%s: RunPodSandbox refused (FailedCreatePodSandBox)" % what,
                "sandbox %s started" % sid):
        k.teardown(pod)
        return
    t.eq(err.code(), grpc.StatusCode.UNKNOWN, "%s: gRPC code Unknown, as kubelet gets it" % what)
    check_message(what, "Failed to create pod sandbox: " + err.details(), field)
    left = [p for p in k.rt.ListPodSandbox(pb.ListPodSandboxRequest(), timeout=30).items
            if p.metadata.uid == pod.uid]
    t.eq([pb.PodSandboxState.Name(p.state) for p in left if p.state == pb.SANDBOX_READY], [],
         "%s: no ready sandbox left" % what)


def container_refused(pod, what, field, **container):
    """StartError: CreateContainer succeeds, StartContainer fails, the status says StartError."""
    cid, err = k.create(pod, pod.container_config(what.split(":")[0].replace(" ", "-").lower()[:30],
                                                  ("sleep", "3600"), **container))
    if not t.ok(err is None, "%s: CreateContainer (runc is not called yet)" % what, err.details() if err else ""):
        return
    err = k.start(cid)
    if not t.ok(err is not None, "%s: StartContainer refused" % what, "it started"):
        return
    st = k.status(cid)
    t.eq((pb.ContainerState.Name(st.state), st.reason), ("CONTAINER_EXITED", "StartError"),
         "%s: ContainerStatus EXITED, reason StartError" % what)
    check_message(what, st.message, field)


sandbox_refused("hostNetwork", "hostNetwork: true", host_network=True)
sandbox_refused("hostPID", "hostPID: true", host_pid=True)
sandbox_refused("hostIPC", "hostIPC: true", host_ipc=True)

pod = Pod("refused-containers")
sid, err = k.run_pod(pod, pod.sandbox_config())
if t.ok(err is None, "a default sandbox for the refused containers", err.details() if err else ""):
    container_refused(pod, "hostPath /run/systemd", "hostPath volume /run/systemd",
                      mounts=[("/run/systemd", "/run/systemd", True)])
    container_refused(pod, "hostPath containerd socket", "hostPath volume /run/containerd/containerd.sock",
                      mounts=[("/run/containerd/containerd.sock", "/run/containerd/containerd.sock", False)])
    container_refused(pod, "capabilities add SYS_ADMIN", "capabilities.add",
                      caps_add=["SYS_ADMIN"])
    # Ownership: kubelet's and containerd's per-pod trees pass only for the
    # pod's own directory (engine-owned mounts), never another pod's, never
    # the parent tree that holds every pod's secrets.
    other = Pod("victim")
    secret = other.volume("kubernetes.io~secret", "token", {"..data/token": "victim's\n"})
    container_refused(pod, "hostPath of another pod's secret volume", "hostPath volume " + secret,
                      mounts=[("/stolen", secret, True)])
    container_refused(pod, "hostPath /var/lib/kubelet/pods", "hostPath volume /var/lib/kubelet/pods",
                      mounts=[("/pods", "/var/lib/kubelet/pods", True)])
    shm = "/run/containerd/io.containerd.grpc.v1.cri/sandboxes/%s/shm" % sid
    container_refused(pod, "hostPath /run/containerd/.../sandboxes", "hostPath volume /run/containerd/",
                      mounts=[("/sandboxes", shm.rsplit("/", 2)[0], True)])
    # Not refused under the default policy: rules.capabilities is
    # "rewrite", so an added capability outside the allowlist is dropped
    # (like docker's --cap-add), and the container runs without it.
    cid, err = k.run_container(pod, pod.container_config("cap-net-admin", ("sleep", "3600"), caps_add=["NET_ADMIN"]))
    if t.ok(err is None, "capabilities add NET_ADMIN: runs, neutralised (rules.capabilities rewrite)",
            err.details() if err else ""):
        rc, st, _ = proc_status(k, cid)
        t.ok(int(st.get("CapBnd", "ffff"), 16) & (1 << 12) == 0 and int(st.get("CapEff", "ffff"), 16) & (1 << 12) == 0,
             "capabilities add NET_ADMIN: CapBnd %s / CapEff %s lack NET_ADMIN" % (st.get("CapBnd"), st.get("CapEff")))
    # Control: the same sandbox still runs a plain container.
    cid, err = k.run_container(pod, pod.container_config("plain", ("sleep", "3600")))
    t.ok(err is None and pb.ContainerState.Name(wait_running(k, cid).state) == "CONTAINER_RUNNING",
         "control: a plain container in the same pod runs", err.details() if err else "")
errs = k.teardown(pod)
t.eq([e.details() for e in errs], [], "refused pod's containers and sandbox are stopped and removed")

# privileged: kubelet marks the sandbox privileged when a container is; the
# pause container gets nothing from it (containerd only then allows
# privileged containers in the pod), so the refusal is the container's.
pod = Pod("privileged")
sid, err = k.run_pod(pod, pod.sandbox_config(privileged=True))
if t.ok(err is None, "privileged pod: its sandbox runs (the pause container is not privileged)",
        err.details() if err else ""):
    container_refused(pod, "privileged container", "securityContext.privileged: true", privileged=True)
errs = k.teardown(pod)
t.eq([e.details() for e in errs], [], "privileged pod is stopped and removed")
t.done()
