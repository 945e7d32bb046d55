#!/usr/bin/env bash
# The VM lane: boot Debian 12's own kernel (AppArmor on) under QEMU and run
# tests/vm/*.sh inside it, as TAP on stdout.
#
# The kernel is the linux-image-amd64 package from the Debian archive
# (`apt-get download` into build/vm, `dpkg-deb -x`), never installed into
# the host's /boot.  The guest's root is an initramfs built from the host's
# own files: busybox-static, runc, apparmor_parser and their shared
# libraries (ldd), the built secshim, policy/, a busybox test bundle and
# tests/vm/*.sh; hack/vm-init.sh is its PID 1.  No kernel module is needed:
# everything used (tmpfs, securityfs, cgroup2, 8250 serial) is built in.
#
# TCG (KVM cannot run this kernel on the CI machine).  Exit 77 when qemu or
# the kernel package is missing (tests/run-all.sh counts a skip).
#
#   hack/vm.sh                  build build/vm/initrd.gz, boot, print TAP
#   SECSHIM_VM_APPEND="..."     extra kernel command line (e.g. apparmor=0)
#   SECSHIM_VM_TIMEOUT=300      seconds before the guest is killed
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
build=${SECSHIM_BUILD:-$top/build}
vm=$top/build/vm
mkdir -p "$vm"

skip() { echo "1..1"; echo "ok 1 - # SKIP $*"; exit 0; }

qemu=$(command -v qemu-system-x86_64 || true)
[ -n "$qemu" ] || skip "qemu-system-x86_64 missing (hack/install-deps.sh installs qemu-system-x86)"
[ -x "$build/secshim" ] || skip "$build/secshim not built (make)"

# The kernel: the image linux-image-amd64 depends on, from the archive.
kernel=$vm/vmlinuz
if [ ! -s "$kernel" ]; then
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
  [ -n "$pkg" ] || skip "linux-image-amd64 unknown to apt (apt-get update)"
  deb=$(ls "$vm/${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
  if [ -z "$deb" ]; then
    (cd "$vm" && apt-get download -q "$pkg" >/dev/null 2>&1) || true
    deb=$(ls "$vm/${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
  fi
  [ -n "$deb" ] || skip "$pkg.deb not in build/vm and apt-get download failed"
  rm -rf "$vm/kpkg"
  dpkg-deb -x "$deb" "$vm/kpkg"
  cp "$(ls "$vm"/kpkg/boot/vmlinuz-* | head -n 1)" "$kernel.tmp"
  basename "$deb" >"$vm/vmlinuz.from"
  rm -rf "$vm/kpkg"
  mv "$kernel.tmp" "$kernel"
fi

# The initramfs, rebuilt every run (a few seconds; the inputs change).
root=$vm/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,var/log,root,newroot}
copy() { # host file -> same path in the guest, with its libraries
  local f
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
    ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}' | while read -r l; do
      [ -e "$root$l" ] && continue
      mkdir -p "$root$(dirname "$l")"
      cp -L "$l" "$root$l"
    done
  done
}
cp /bin/busybox "$root/bin/busybox"
copy /usr/sbin/runc /sbin/apparmor_parser
mkdir -p "$root/usr/lib/secshim" "$root/etc/secshim" "$root/etc/apparmor"
copy "$build/secshim"
mkdir -p "$root/usr/local/bin"
mv "$root$build/secshim" "$root/usr/local/bin/secshim"
[ -x "$build/secshim-landlock" ] && cp "$build/secshim-landlock" "$root/usr/lib/secshim/secshim-landlock"
cp -a /etc/apparmor/. "$root/etc/apparmor/" 2>/dev/null || true
mkdir -p "$root/etc/apparmor.d"
for d in abi tunables abstractions; do
  [ -d "/etc/apparmor.d/$d" ] && cp -a "/etc/apparmor.d/$d" "$root/etc/apparmor.d/"
done
# parser.conf names policy-features (/usr/share/apparmor-features).
[ -d /usr/share/apparmor-features ] && mkdir -p "$root/usr/share" && cp -a /usr/share/apparmor-features "$root/usr/share/"
cp -a policy/. "$root/etc/secshim/"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
mkdir -p "$root/vm/tests"
cp tests/vm/*.sh "$root/vm/tests/"
cp tests/apparmor/*.toml "$root/vm/" 2>/dev/null || true
cp hack/vm-init.sh "$root/init"
chmod 0755 "$root/init"
# The test image: busybox-static with its applets as symlinks, in a
# Debian 12 (merged-/usr) layout: /bin -> usr/bin, /sbin -> usr/sbin.
img=$root/vm/rootfs.tmp
mkdir -p "$img"/{usr/bin,usr/sbin,etc,proc,sys,dev,tmp,var/tmp,var/run,root}
ln -s usr/bin "$img/bin"
ln -s usr/sbin "$img/sbin"
cp /bin/busybox "$img/usr/bin/busybox"
for a in sh cat echo ls mkdir touch rm id sleep true false head wc grep; do ln -s busybox "$img/usr/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$img/etc/passwd"
echo 'root:x:0:' >"$img/etc/group"
echo 'original' >"$img/etc/motd"
# Regular files (not busybox links) for the DenyExec and read cases.
cp /bin/busybox "$img/usr/bin/top"
cp /bin/busybox "$img/usr/bin/dash"
# Writable by the container's uid 65534 without any profile, so only
# AppArmor can refuse the writes (the control run shows they succeed).
chmod 0666 "$img/etc/motd"
chmod 1777 "$img/tmp" "$img/var/tmp"
mkdir -p "$root/vm/bundle"
mv "$img" "$root/vm/bundle/rootfs"
python3 - "$root" <<'PY'
import json, subprocess, sys, tempfile
root = sys.argv[1]
with tempfile.TemporaryDirectory() as d:
    subprocess.run(["runc", "spec", "-b", d], check=True)
    c = json.load(open(d + "/config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sh", "/probe"]
c["process"]["user"] = {"uid": 65534, "gid": 65534}
c["root"]["readonly"] = False
c["hostname"] = "vm-ctr"
json.dump(c, open(root + "/vm/config.json", "w"), indent=1)
# The bane workflow: the default policy with nginx-sample.toml as the source.
p = json.load(open(root + "/etc/secshim/default.json"))
p["rules"]["apparmor"]["source"] = "/vm/nginx-sample.toml"
json.dump(p, open(root + "/etc/secshim/vm-nginx.json", "w"), indent=1)
PY
(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$vm/initrd.gz.tmp"
mv "$vm/initrd.gz.tmp" "$vm/initrd.gz"

accel=tcg
cpu=max
if [ "${SECSHIM_VM_KVM:-0}" = 1 ] && [ -w /dev/kvm ]; then accel=kvm; cpu=host; fi
log=$vm/console.log
timeout "${SECSHIM_VM_TIMEOUT:-300}" "$qemu" -machine q35,accel=$accel -cpu $cpu -smp 2 -m 1024 \
  -nographic -no-reboot -nodefaults -serial stdio -monitor none \
  -kernel "$kernel" -initrd "$vm/initrd.gz" \
  -append "console=ttyS0 apparmor=1 security=apparmor panic=-1 quiet loglevel=3 ${SECSHIM_VM_APPEND:-}" \
  </dev/null >"$log" 2>&1 || echo "vm: qemu exited with status $? (see $log)" >&2
tr -d '\r' <"$log" | sed -n 's/^.*TAP: //p'
# vm-init prints "TAP: # vm done" last: without it the guest never finished.
tr -d '\r' <"$log" | grep -q 'TAP: # vm done' || {
  echo "vm: the guest did not finish (see $log)" >&2
  tail -n 20 "$log" >&2
  exit 1
}
