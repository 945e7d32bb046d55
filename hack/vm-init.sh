#!/bin/busybox sh
# PID 1 of the VM lane's guest (hack/vm.sh).
#
# Stage 1 runs in the initramfs: load the virtio/9p/overlay modules, mount
# the host's root (read-only, 9p tag "hostroot") under a tmpfs overlay and
# switch_root there, running this same file from the host's checkout.
# Stage 2 mounts what a container host has (its own /run, /tmp,
# /var/lib/docker, /var/log/secshim: nothing the guest writes reaches the
# host), runs the lane's tests, prints their results as one TAP stream on
# the console, each line prefixed "TAP: ", and powers off.
bb=/bin/busybox
arg() { # the value of secshim.NAME= on the kernel command line
  for w in $($bb cat /proc/cmdline); do
    case $w in "secshim.$1="*) echo "${w#*=}" ;; esac
  done
}

if [ "$1" != stage2 ]; then
  $bb mount -t proc proc /proc
  $bb mount -t devtmpfs devtmpfs /dev
  for m in $($bb cat /modules/order); do
    $bb insmod "/modules/$m.ko" || echo "TAP: # insmod $m failed"
  done
  $bb mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /lower ||
    { echo "TAP: not ok 1 - mount the host's root over 9p"; echo "TAP: 1..1"; echo "TAP: # vm done"; $bb poweroff -f; }
  $bb mount -t tmpfs -o mode=0755,size=1500m rw /rw
  $bb mkdir -p /rw/upper /rw/work
  $bb mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot
  top=$(arg top)
  # Before anything runs from the new root: there /proc is the host's, as
  # qemu serves it, and busybox runs its applets through /proc/self/exe.
  $bb mount --move /proc /newroot/proc
  $bb mount --move /dev /newroot/dev
  $bb mount -t sysfs sysfs /newroot/sys
  exec $bb switch_root /newroot /bin/busybox sh "$top/hack/vm-init.sh" stage2
fi

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t cgroup2 cgroup2 /sys/fs/cgroup
top=$(arg top)
# The checkout may live below one of the directories replaced here (a CI
# checkout in /tmp): keep it visible at its own path.
mkdir -p /.secshim-top && mount --bind "$top" /.secshim-top
for d in /run /tmp /var/lib/docker /var/lib/containerd /var/cache /var/log; do
  mkdir -p "$d" && mount -t tmpfs -o mode=0755 tmpfs "$d"
done
chmod 1777 /tmp
if [ ! -f "$top/hack/vm-init.sh" ]; then
  mkdir -p "$top" && mount --bind /.secshim-top "$top"
fi
mkdir -m 0700 /var/log/secshim
hostname secshim-vm
ip link set lo up 2>/dev/null

build=$(arg build)
tests=$(arg tests)
vm=$top/build/vm/guest
# The host's /etc with secshim's policies of this build, the built binary
# on PATH as an installed one would be.
rm -rf /etc/secshim /etc/docker
mkdir -p /etc/secshim /usr/local/bin
cp -a "$vm/etc-secshim/." /etc/secshim/
ln -sf "$build/secshim" /usr/local/bin/secshim
# The binaries that re-execute themselves through /proc/self/exe, copied up
# into the overlay's tmpfs: run from 9p, runc's re-exec failed now and then
# with ENOENT.
for f in /usr/sbin/runc /usr/bin/containerd-shim-runc-v2 "$build/secshim" "$build/secshim-landlock"; do
  [ -f "$f" ] && cp -p "$f" "$f.vm" && mv "$f.vm" "$f"
done
ln -sfn "$vm" /vm
echo "TAP: # kernel $(uname -r), cmdline: $(cat /proc/cmdline)"

case $tests in noaa) glob="$vm/tests/noaa/[0-9]*.sh" ;; *) glob="$vm/tests/[0-9]*.sh" ;; esac
n=0
for t in $glob; do
  echo "TAP: # $t (at $(cut -d' ' -f1 /proc/uptime) s)"
  out=$(sh "$t" 2>&1)
  rc=$?
  saw_fail=0
  while IFS= read -r line; do
    case $line in
      "not ok"*) n=$((n + 1)); saw_fail=1; echo "TAP: not ok $n - ${line#not ok - }" ;;
      "ok"*) n=$((n + 1)); echo "TAP: ok $n - ${line#ok - }" ;;
      *) echo "TAP: # $line" ;;
    esac
  done <<EOT
$out
EOT
  if [ "$rc" -ne 0 ] && [ "$saw_fail" = 0 ]; then
    n=$((n + 1)); echo "TAP: not ok $n - $t exited with status $rc"
  fi
done
echo "TAP: # finished at $(cut -d' ' -f1 /proc/uptime) s after boot"
echo "TAP: 1..$n"
echo "TAP: # vm done"
sync
$bb poweroff -f
