#!/bin/busybox sh
# PID 1 of the VM lane's guest (hack/vm.sh).  Stage 1 runs in the
# initramfs: runc cannot pivot_root out of the initial rootfs, so copy it
# onto a tmpfs and switch_root there.  Stage 2 mounts what a container host
# has, runs /vm/tests/*.sh, prints their results as one TAP stream on the
# console, each line prefixed "TAP: ", and powers off.
bb=/bin/busybox
if [ "$1" != stage2 ]; then
  $bb mount -t tmpfs -o mode=0755,size=600m root /newroot
  for d in $($bb ls -A /); do
    case $d in newroot|proc|sys|dev) $bb mkdir -p /newroot/$d ;; *) $bb cp -a /$d /newroot/ ;; esac
  done
  exec $bb switch_root /newroot /init stage2
fi

$bb mkdir -p /usr/bin /usr/sbin
$bb --install -s /bin 2>/dev/null
export PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /var/log/secshim && mount -t tmpfs -o mode=0700 tmpfs /var/log/secshim
hostname secshim-vm
echo "TAP: # kernel $(uname -r), cmdline: $(cat /proc/cmdline)"

n=0 failed=0
for t in /vm/tests/[0-9]*.sh; do
  echo "TAP: # $t"
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
echo "TAP: 1..$n"
echo "TAP: # vm done"
sync
poweroff -f
