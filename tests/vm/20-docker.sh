#!/bin/sh
# Inside the VM: a dockerd of the guest (data root on tmpfs, no network
# set-up) with secshim registered as runtime "secure" and the bane
# nginx-sample policy.  The profile confines `docker run` and `docker exec`
# alike, and the engine still manages the container: `docker top` reads it,
# `docker stop` delivers SIGTERM, `docker rm` removes it.  An unconfined
# container is refused with secshim's reason.
. /vm/tests/lib.sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/bin  # /usr/bin/docker before any other
mkdir -p /etc/docker
cat >/etc/docker/daemon.json <<J
{
  "runtimes": { "secure": { "path": "/usr/local/bin/secshim",
                            "runtimeArgs": ["--secshim-policy=/etc/secshim/vm-nginx.json"] } },
  "iptables": false, "ip6tables": false, "ip-masq": false, "bridge": "none",
  "storage-driver": "vfs", "log-driver": "json-file"
}
J
dockerd --data-root /var/lib/docker -H unix:///run/docker.sock >/tmp/dockerd.log 2>&1 &
for _ in $(seq 120); do docker version >/dev/null 2>&1 && break; sleep 1; done
if ! docker version >/dev/null 2>&1; then
  echo "not ok - dockerd starts in the guest"; tail -n 15 /tmp/dockerd.log; exit 0
fi
echo "ok - dockerd starts in the guest"
/usr/bin/docker import /vm/image.tar vm/busybox >/dev/null
t "docker import of the test image" docker image inspect vm/busybox

out=$(docker run -d --runtime secure --network none --name c1 vm/busybox \
  sh -c 'trap "exit 42" TERM; while :; do sleep 1; done' 2>&1)
t "docker run --runtime secure starts a container (nginx-sample policy)" sh -c '[ "$(docker inspect -f {{.State.Running}} c1)" = true ]'
out=$(docker exec c1 cat /proc/self/attr/current 2>&1)
t "docker exec: attr/current is nginx-sample (enforce) ($out)" test "$out" = "nginx-sample (enforce)"
pid=$(docker inspect -f '{{.State.Pid}}' c1)
t "the container's init is confined too (/proc/<pid>/attr/current)" grep -qx 'nginx-sample (enforce)' "/proc/$pid/attr/current"
out=$(docker exec c1 sh -c 'echo x >/etc/motd' 2>&1); rc=$?
t "docker exec: a write under ReadOnlyPaths /etc is denied (rc $rc: $out)" sh -c '[ "$1" -ne 0 ] && echo "$2" | grep -q "ermission denied"' - "$rc" "$out"
docker exec c1 sh -c '/usr/bin/top -h' >/dev/null 2>&1; rc=$?
t "docker exec: DenyExec /usr/bin/top cannot run from the container's shell (126: $rc)" test "$rc" = 126
# What the profile cannot do (docs/apparmor.md): the program runc itself
# starts (the entrypoint, the exec command) is judged under runc's own
# confinement and enters the profile as it runs, so its DenyExec does not
# apply to it.  Asserted so that a change of that behaviour is seen.
docker exec c1 /usr/bin/top -h >/dev/null 2>&1; rc=$?
t "docker exec /usr/bin/top itself: runs, as AppArmor attaches the profile at that exec (not 126: $rc)" test "$rc" != 126
out=$(docker exec c1 cat /etc/motd 2>&1)
t "docker exec: an allowed read works ($out)" test "$out" = original
out=$(docker top c1 2>&1); rc=$?
t "docker top lists the confined processes (rc $rc)" sh -c '[ "$1" = 0 ] && echo "$2" | grep -q "sleep 1\|while"' - "$rc" "$out"
docker stop -t 20 c1 >/dev/null 2>&1; rc=$?
code=$(docker inspect -f '{{.State.ExitCode}}' c1 2>&1)
t "docker stop: SIGTERM reaches the confined process (its trap exits 42: $code)" test "$rc" = 0 -a "$code" = 42
t "docker rm removes it" docker rm c1
t "... and runc holds no container any more" sh -c '[ -z "$(runc --root /run/docker/runtime-runc/moby list -q 2>/dev/null)" ]'

out=$(docker run --rm --runtime secure --network none --security-opt apparmor=unconfined vm/busybox true 2>&1); rc=$?
t "docker run --security-opt apparmor=unconfined is refused (rc $rc)" test "$rc" -ne 0
t "... with secshim's reason in docker's output" sh -c 'echo "$1" | grep -q "secshim" && echo "$1" | grep -qi "unconfined"' - "$out"
t "... in at most 1 KiB" test "$(printf '%s' "$out" | wc -c)" -le 1024

# Control: the default runtime (runc) with docker's own profile, as root:
# the write the profile denied succeeds.
out=$(docker run --rm --network none vm/busybox sh -c 'cat /proc/self/attr/current; echo x >/etc/motd && echo write=ok' 2>&1)
t "control: runc without secshim: docker's own profile ($(echo "$out" | head -n 1)), the /etc write succeeds" \
  sh -c 'echo "$1" | grep -qx write=ok' - "$out"
kill "$(cat /run/docker.pid 2>/dev/null || pidof dockerd)" 2>/dev/null
