"""A kubelet-shaped CRI v1 client for the secshim CRI tests.

It speaks runtime.v1 (tests/cri/lib/cri-v1.proto, stubs generated at test
time with grpc_tools.protoc) to containerd's CRI plugin and builds the pod
and container configurations the way kubelet 1.26 does
(pkg/kubelet/kuberuntime: generatePodSandboxConfig,
generateContainerConfig, makeMounts): kubelet's labels and annotations, the
cgroup parent of the pod's QoS class, /etc/hosts and /dev/termination-log
from the pod's own directory under /var/lib/kubelet/pods/<uid>/, the service
account token as a projected volume, kubelet's default masked and read-only
paths, and oom_score_adj by QoS class.  It also prints TAP.
"""
import os
import subprocess
import sys
import time
import uuid

import grpc

SOCK = "unix:///run/containerd/containerd.sock"
HANDLER = "secure"
PAUSE = "secshim.test/pause:3.6"
BUSYBOX = "secshim.test/busybox:1"
KUBELET_PODS = "/var/lib/kubelet/pods"

# pkg/securitycontext: DefaultProcMount.
MASKED = ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
          "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"]
READONLY = ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

# kubelet's oom_score_adj by QoS class (pkg/kubelet/qos/policy.go).
OOM_GUARANTEED = -997
OOM_BESTEFFORT = 1000
# containerd's pause container (pkg/cri/server/sandbox_run.go defaultSandboxOOMAdj).
OOM_SANDBOX = -998


def load_stubs():
    """Generate the runtime.v1 stubs into $SECSHIM_CRI_TMP and import them."""
    out = os.environ["SECSHIM_CRI_TMP"] + "/stubs"
    proto_dir = os.path.dirname(os.path.abspath(__file__))
    if not os.path.exists(out + "/cri_v1_pb2.py"):
        os.makedirs(out, exist_ok=True)
        # protoc names modules after the file: copy to an importable name.
        with open(proto_dir + "/cri-v1.proto", "rb") as f, open(out + "/cri_v1.proto", "wb") as g:
            g.write(f.read())
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I" + out, "--python_out=" + out,
                        "--grpc_python_out=" + out, out + "/cri_v1.proto"], check=True)
    sys.path.insert(0, out)
    import cri_v1_pb2  # noqa: E402
    import cri_v1_pb2_grpc  # noqa: E402
    return cri_v1_pb2, cri_v1_pb2_grpc


pb, pb_grpc = load_stubs()


class Tap:
    def __init__(self, first=0):
        self.n = first  # results the shell part printed before
        self.failed = 0

    def ok(self, cond, name, detail=""):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, name), flush=True)
        else:
            self.failed += 1
            print("not ok %d - %s%s" % (self.n, name, (": " + detail[:800]) if detail else ""), flush=True)
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got %r, expected %r" % (got, want))

    def contains(self, hay, needle, name):
        return self.ok(needle in hay, name, "expected %r in %r" % (needle, hay))

    def diag(self, text):
        for line in str(text).splitlines():
            print("# " + line, flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)
        sys.exit(1 if self.failed else 0)


class Pod:
    """One pod as kubelet sees it: its uid, its directory, its sandbox id."""

    def __init__(self, name, namespace="default", qos="besteffort"):
        self.name = name
        self.namespace = namespace
        self.uid = str(uuid.uuid4())
        self.qos = qos
        self.dir = "%s/%s" % (KUBELET_PODS, self.uid)
        self.sandbox_id = None
        self.containers = []
        # What kubelet makes before RunPodSandbox: the pod dir, its
        # etc-hosts, and the log directory.
        os.makedirs(self.dir + "/volumes", exist_ok=True)
        os.makedirs(self.dir + "/plugins", exist_ok=True)
        with open(self.dir + "/etc-hosts", "w") as f:
            f.write("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n")
        self.log_dir = "/var/log/pods/%s_%s_%s" % (namespace, name, self.uid)
        os.makedirs(self.log_dir, exist_ok=True)

    def cgroup_parent(self):
        # cgroupfs driver: /kubepods/pod<uid> for Guaranteed, else by class.
        if self.qos == "guaranteed":
            return "/kubepods/pod" + self.uid
        return "/kubepods/%s/pod%s" % (self.qos, self.uid)

    def volume(self, plugin, name, files=None):
        """A volume kubelet would have set up: volumes/<plugin>/<name>/..."""
        d = "%s/volumes/%s/%s" % (self.dir, plugin, name)
        os.makedirs(d, exist_ok=True)
        for rel, text in (files or {}).items():
            p = d + "/" + rel
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(text)
        return d

    def sandbox_config(self, host_network=False, host_pid=False, host_ipc=False, privileged=False, share_pid=False,
                       run_as_user=None, supplemental_groups=(), annotations=None, sysctls=None,
                       seccomp="Unconfined"):
        NODE, POD = pb.NODE, pb.POD
        sc = pb.LinuxSandboxSecurityContext(
            namespace_options=pb.NamespaceOption(network=NODE if host_network else POD,
                                                 pid=NODE if host_pid else POD if share_pid else pb.CONTAINER,
                                                 ipc=NODE if host_ipc else POD),
            privileged=privileged,
            supplemental_groups=list(supplemental_groups),
            seccomp=pb.SecurityProfile(profile_type=pb.SecurityProfile.ProfileType.Value(seccomp)))
        if run_as_user is not None:
            sc.run_as_user.value = run_as_user
        return pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=self.name, uid=self.uid, namespace=self.namespace, attempt=0),
            hostname="" if host_network else self.name,
            log_directory=self.log_dir,
            dns_config=pb.DNSConfig(servers=["10.96.0.10"], searches=[self.namespace + ".svc.cluster.local",
                                                                     "svc.cluster.local", "cluster.local"],
                                    options=["ndots:5"]),
            labels={"io.kubernetes.pod.name": self.name, "io.kubernetes.pod.namespace": self.namespace,
                    "io.kubernetes.pod.uid": self.uid, "app": self.name},
            annotations=dict({"kubernetes.io/config.source": "api", "kubernetes.io/config.seen": "2026-12-07T00:00:00Z"},
                             **(annotations or {})),
            linux=pb.LinuxPodSandboxConfig(cgroup_parent=self.cgroup_parent(), security_context=sc,
                                           sysctls=sysctls or {}))

    def container_config(self, name, command, mounts=(), caps_add=(), privileged=False, run_as_user=None,
                         run_as_group=None, supplemental_groups=(), memory=0, cpu_quota=0, no_new_privs=False,
                         host_pid=False, host_network=False, host_ipc=False, oom=None, seccomp="Unconfined",
                         readonly_rootfs=False, caps_drop=(), share_pid=False):
        # kubelet's own mounts: /etc/hosts (not with hostNetwork), the
        # termination log, and the service account token (projected).
        term = "%s/containers/%s/%s" % (self.dir, name, uuid.uuid4().hex[:8])
        os.makedirs(os.path.dirname(term), exist_ok=True)
        open(term, "w").close()
        token = self.volume("kubernetes.io~projected", "kube-api-access-" + self.uid[:5],
                            {"..data/token": "not-a-token\n", "..data/ca.crt": "", "..data/namespace": self.namespace})
        for f in ("token", "ca.crt", "namespace"):  # kubelet's atomic writer: name -> ..data/name
            if not os.path.lexists(token + "/" + f):
                os.symlink("..data/" + f, token + "/" + f)
        ms = [pb.Mount(container_path=c, host_path=h, readonly=ro) for c, h, ro in mounts]
        ms.append(pb.Mount(container_path="/var/run/secrets/kubernetes.io/serviceaccount", host_path=token, readonly=True))
        if not host_network:
            ms.append(pb.Mount(container_path="/etc/hosts", host_path=self.dir + "/etc-hosts"))
        ms.append(pb.Mount(container_path="/dev/termination-log", host_path=term))
        NODE, POD = pb.NODE, pb.POD
        if oom is None:
            oom = OOM_GUARANTEED if self.qos == "guaranteed" else OOM_BESTEFFORT if self.qos == "besteffort" else 500
        res = pb.LinuxContainerResources(cpu_period=100000, cpu_quota=cpu_quota, cpu_shares=2 if not cpu_quota else 102,
                                         memory_limit_in_bytes=memory, oom_score_adj=oom)
        sc = pb.LinuxContainerSecurityContext(
            capabilities=pb.Capability(add_capabilities=list(caps_add), drop_capabilities=list(caps_drop)),
            privileged=privileged,
            namespace_options=pb.NamespaceOption(network=NODE if host_network else POD,
                                                 pid=NODE if host_pid else POD if share_pid else pb.CONTAINER,
                                                 ipc=NODE if host_ipc else POD),
            supplemental_groups=list(supplemental_groups),
            no_new_privs=no_new_privs,
            masked_paths=[] if privileged else MASKED,
            readonly_paths=[] if privileged else READONLY,
            readonly_rootfs=readonly_rootfs,
            seccomp=pb.SecurityProfile(profile_type=pb.SecurityProfile.ProfileType.Value(seccomp)))
        if run_as_user is not None:
            sc.run_as_user.value = run_as_user
        if run_as_group is not None:
            sc.run_as_group.value = run_as_group
        return pb.ContainerConfig(
            metadata=pb.ContainerMetadata(name=name, attempt=0),
            image=pb.ImageSpec(image=BUSYBOX),
            command=list(command),
            envs=[pb.KeyValue(key="KUBERNETES_SERVICE_HOST", value="10.96.0.1"),
                  pb.KeyValue(key="KUBERNETES_SERVICE_PORT", value="443")],
            mounts=ms,
            labels={"io.kubernetes.container.name": name, "io.kubernetes.pod.name": self.name,
                    "io.kubernetes.pod.namespace": self.namespace, "io.kubernetes.pod.uid": self.uid},
            annotations={"io.kubernetes.container.hash": "1", "io.kubernetes.container.restartCount": "0",
                         "io.kubernetes.container.terminationMessagePath": "/dev/termination-log",
                         "io.kubernetes.container.terminationMessagePolicy": "File",
                         "io.kubernetes.pod.terminationGracePeriod": "30"},
            log_path="%s/0.log" % name,
            linux=pb.LinuxContainerConfig(resources=res, security_context=sc))


class Kubelet:
    def __init__(self, sock=SOCK):
        self.channel = grpc.insecure_channel(sock)
        self.rt = pb_grpc.RuntimeServiceStub(self.channel)
        self.img = pb_grpc.ImageServiceStub(self.channel)
        self.pods = []

    def version(self):
        return self.rt.Version(pb.VersionRequest(version="v1"), timeout=10)

    def wait_ready(self, secs=30):
        """kubelet's runtime readiness loop: Status until RuntimeReady and
        NetworkReady (the CRI plugin answers "server is not initialized
        yet" until it has loaded its state and CNI config).  Returns the
        conditions last seen, {type: (status, reason)}."""
        end = time.time() + secs
        conds = {}
        while time.time() < end:
            try:
                r = self.rt.Status(pb.StatusRequest(), timeout=5)
                conds = {c.type: (c.status, c.reason) for c in r.status.conditions}
                if all(conds.get(c, (False,))[0] for c in ("RuntimeReady", "NetworkReady")):
                    break
            except grpc.RpcError as e:
                conds = {"error": (False, e.details())}
            time.sleep(0.1)
        return conds

    def run_pod(self, pod, config):
        """RunPodSandbox; returns (sandbox id, None) or (None, grpc error)."""
        self.pods.append(pod)
        try:
            r = self.rt.RunPodSandbox(pb.RunPodSandboxRequest(config=config, runtime_handler=HANDLER), timeout=60)
        except grpc.RpcError as e:
            return None, e
        pod.sandbox_id = r.pod_sandbox_id
        pod.config = config
        return r.pod_sandbox_id, None

    def create(self, pod, config):
        try:
            r = self.rt.CreateContainer(pb.CreateContainerRequest(pod_sandbox_id=pod.sandbox_id, config=config,
                                                                  sandbox_config=pod.config), timeout=60)
        except grpc.RpcError as e:
            return None, e
        pod.containers.append(r.container_id)
        return r.container_id, None

    def start(self, cid):
        try:
            self.rt.StartContainer(pb.StartContainerRequest(container_id=cid), timeout=60)
        except grpc.RpcError as e:
            return e
        return None

    def run_container(self, pod, config):
        """kubelet's startContainer: CreateContainer then StartContainer."""
        cid, err = self.create(pod, config)
        if err is None:
            err = self.start(cid)
        return cid, err

    def exec_sync(self, cid, cmd, timeout=10):
        r = self.rt.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=cmd, timeout=timeout), timeout=timeout + 20)
        return r.exit_code, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")

    def status(self, cid):
        return self.rt.ContainerStatus(pb.ContainerStatusRequest(container_id=cid), timeout=10).status

    def sandbox_status(self, sid):
        return self.rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=sid), timeout=10).status

    def stop_container(self, cid, grace=2):
        self.rt.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=grace), timeout=grace + 30)

    def remove_container(self, cid):
        self.rt.RemoveContainer(pb.RemoveContainerRequest(container_id=cid), timeout=30)

    def stop_pod(self, sid):
        self.rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=sid), timeout=60)

    def remove_pod(self, sid):
        self.rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=sid), timeout=60)

    def teardown(self, pod):
        """kubelet's killPod + garbage collection: stop and remove containers, then the sandbox."""
        errs = []
        for cid in pod.containers:
            for f in (self.stop_container, self.remove_container):
                try:
                    f(cid)
                except grpc.RpcError as e:
                    errs.append(e)
        if pod.sandbox_id:
            for f in (self.stop_pod, self.remove_pod):
                try:
                    f(pod.sandbox_id)
                except grpc.RpcError as e:
                    errs.append(e)
        pod.containers = []
        pod.sandbox_id = None
        return errs

    def teardown_all(self):
        """Everything the CRI plugin still lists (a failed test leaves pods behind)."""
        errs = []
        for p in self.rt.ListPodSandbox(pb.ListPodSandboxRequest(), timeout=30).items:
            for c in self.rt.ListContainers(pb.ListContainersRequest(
                    filter=pb.ContainerFilter(pod_sandbox_id=p.id)), timeout=30).containers:
                for f in (self.stop_container, self.remove_container):
                    try:
                        f(c.id)
                    except grpc.RpcError as e:
                        errs.append(e)
            for f in (self.stop_pod, self.remove_pod):
                try:
                    f(p.id)
                except grpc.RpcError as e:
                    errs.append(e)
        return errs


def proc_status(k, cid):
    """Fields of /proc/self/status inside the container, through ExecSync."""
    rc, out, err = k.exec_sync(cid, ["cat", "/proc/self/status"])
    fields = {}
    for line in out.splitlines():
        key, _, val = line.partition(":")
        fields[key] = val.strip()
    return rc, fields, err


def wait_running(k, cid, secs=10):
    end = time.time() + secs
    st = k.status(cid)
    while st.state != pb.CONTAINER_RUNNING and time.time() < end:
        time.sleep(0.1)
        st = k.status(cid)
    return st
