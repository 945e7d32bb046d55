#!/usr/bin/env bash
# The VM lane: boot Debian 12's own kernel (AppArmor on) under QEMU and run
# tests/vm/*.sh inside it, as TAP on stdout.
#
# The kernel is the linux-image-amd64 package from the Debian archive
# (`apt-get download` into build/vm, `dpkg-deb -x`), never installed into
# the host's /boot.  The guest's root is the host's own, shared read-only
# over virtio-9p, with a tmpfs overlay for the guest's writes; the
# initramfs holds busybox-static, the 9p/virtio/overlay modules and stage 1
# of hack/vm-init.sh, which switches to that root and runs the lane's tests
# (tests/vm/*.sh, or tests/vm/noaa/*.sh for a guest booted apparmor=0).
#
# KVM when SECSHIM_VM_KVM=1 and it works, TCG otherwise (KVM cannot run this
# kernel on the CI machine: its emulation fails on cmpxchg16b/xrstor).  A
# missing qemu or kernel package is a counted skip.
#
#   hack/vm.sh                  build build/vm/initrd.gz, boot, print TAP
#   SECSHIM_VM_APPEND="..."     extra kernel command line (e.g. apparmor=0)
#   SECSHIM_VM_TESTS=main|noaa  which tests the guest runs
#   SECSHIM_VM_ONLY=NAME.sh     run only tests/vm/NAME.sh (development)
#   SECSHIM_VM_TIMEOUT=400      seconds before the guest is killed
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

# The kernel and the modules the guest needs to reach the host's root
# (virtio-pci, 9p) and to write over it (overlay): from the package
# linux-image-amd64 depends on, in the archive.
mods="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay"
kernel=$vm/vmlinuz
if [ ! -s "$kernel" ] || [ ! -s "$vm/modules/overlay.ko" ]; then
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
  [ -n "$pkg" ] || skip "linux-image-amd64 unknown to apt (apt-get update)"
  deb=$(ls "$vm/${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
  if [ -z "$deb" ]; then
    (cd "$vm" && apt-get download -q "$pkg" >/dev/null 2>&1) || true
    deb=$(ls "$vm/${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
  fi
  [ -n "$deb" ] || skip "$pkg.deb not in build/vm and apt-get download failed"
  rm -rf "$vm/kpkg" "$vm/modules"
  dpkg-deb -x "$deb" "$vm/kpkg"
  mkdir -p "$vm/modules"
  for m in $mods; do
    f=$(find "$vm"/kpkg/lib/modules -name "$m.ko" | head -n 1)
    [ -n "$f" ] || { echo "vm: $m.ko not in $deb" >&2; exit 1; }
    cp "$f" "$vm/modules/"
  done
  cp "$(ls "$vm"/kpkg/boot/vmlinuz-* | head -n 1)" "$kernel.tmp"
  basename "$deb" >"$vm/vmlinuz.from"
  rm -rf "$vm/kpkg"
  mv "$kernel.tmp" "$kernel"
fi

# The initramfs holds only busybox, the modules and stage 1 of
# hack/vm-init.sh: the guest's root is the host's, read-only over
# virtio-9p, with a tmpfs overlay so the guest can write.  Every tool the
# lanes use (runc, apparmor_parser, dockerd, containerd) is the host's.
initrd=$vm/initrd
rm -rf "$initrd"
mkdir -p "$initrd"/{bin,proc,sys,dev,lower,rw,newroot,modules}
cp /bin/busybox "$initrd/bin/busybox"
for m in $mods; do cp "$vm/modules/$m.ko" "$initrd/modules/"; done
echo "$mods" >"$initrd/modules/order"
cp hack/vm-init.sh "$initrd/init"
chmod 0755 "$initrd/init"
(cd "$initrd" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$vm/initrd.gz.tmp"
mv "$vm/initrd.gz.tmp" "$vm/initrd.gz"

# What the tests use inside, prepared here in build/vm/guest and seen by
# the guest at the same path (copy-on-write: the guest's writes stay in
# its tmpfs).
guest=$vm/guest
rm -rf "$guest"
mkdir -p "$guest/tests" "$guest/etc-secshim"
if [ -n "${SECSHIM_VM_ONLY:-}" ]; then # one test while working on it
  cp tests/vm/lib.sh "tests/vm/$SECSHIM_VM_ONLY" "$guest/tests/"
else
  cp tests/vm/*.sh "$guest/tests/"
fi
[ -d tests/vm/noaa ] && cp -r tests/vm/noaa "$guest/tests/"
cp tests/apparmor/*.toml "$guest/" 2>/dev/null || true
cp -a policy/. "$guest/etc-secshim/"
# The test image: busybox-static with its applets as symlinks, in a
# Debian 12 (merged-/usr) layout: /bin -> usr/bin, /sbin -> usr/sbin.
img=$guest/bundle/rootfs
mkdir -p "$img"/{usr/bin,usr/sbin,etc,proc,sys,dev,tmp,var/tmp,var/run,root}
ln -s usr/bin "$img/bin"
ln -s usr/sbin "$img/sbin"
cp /bin/busybox "$img/usr/bin/busybox"
for a in sh cat echo ls mkdir touch rm id sleep true false head wc grep ping ps; do ln -s busybox "$img/usr/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$img/etc/passwd"
echo 'root:x:0:' >"$img/etc/group"
echo 'original' >"$img/etc/motd"
# Regular files (not busybox links) for the DenyExec and read cases, and
# the AllowExec program (busybox under nginx-sample's /usr/sbin/nginx: it
# says "applet not found", which shows it ran).
cp /bin/busybox "$img/usr/bin/top"
cp /bin/busybox "$img/usr/bin/dash"
cp /bin/busybox "$img/usr/sbin/nginx"
# Writable by the container's uid 65534 without any profile, so only
# AppArmor can refuse the writes (the control run shows they succeed).
chmod 0666 "$img/etc/motd"
chmod 1777 "$img/tmp" "$img/var/tmp"
# The same tree as a docker image, before any test writes to it.
tar -C "$img" -cf "$guest/image.tar" .
/usr/bin/python3 - "$guest" <<'PY'
import json, subprocess, sys, tempfile
guest = sys.argv[1]
with tempfile.TemporaryDirectory() as d:
    subprocess.run(["runc", "spec", "-b", d], check=True)
    c = json.load(open(d + "/config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sh", "/probe"]
c["process"]["user"] = {"uid": 65534, "gid": 65534}
c["root"]["readonly"] = False
c["hostname"] = "vm-ctr"
json.dump(c, open(guest + "/config.json", "w"), indent=1)
# As root with CAP_NET_RAW, for the raw-socket case: only the profile can
# refuse the socket then.
r = json.loads(json.dumps(c))
r["process"]["user"] = {"uid": 0, "gid": 0}
for k in ("bounding", "effective", "permitted"):
    r["process"]["capabilities"][k].append("CAP_NET_RAW")
json.dump(r, open(guest + "/config-raw.json", "w"), indent=1)
pol = guest + "/etc-secshim/"
p = json.load(open(pol + "default.json"))
# The bane workflow: the default policy with nginx-sample.toml as the source.
n = json.loads(json.dumps(p))
n["rules"]["apparmor"]["source"] = guest + "/nginx-sample.toml"
json.dump(n, open(pol + "vm-nginx.json", "w"), indent=1)
# ... and letting root keep CAP_NET_RAW, so that only the profile's
# `deny network raw` stands between the container and a raw socket.
w = json.loads(json.dumps(n))
w["rules"]["user"]["action"] = "audit"
w["rules"]["capabilities"]["allow"].append("NET_RAW")
json.dump(w, open(pol + "vm-nginx-raw.json", "w"), indent=1)
# Concurrent first loads: a profile no earlier case loaded.
t = open(guest + "/nginx-sample.toml").read().replace('Name = "nginx-sample"', 'Name = "vm-concurrent"')
open(guest + "/vm-concurrent.toml", "w").write(t)
c8 = json.loads(json.dumps(n))
c8["rules"]["apparmor"]["source"] = guest + "/vm-concurrent.toml"
json.dump(c8, open(pol + "vm-concurrent.json", "w"), indent=1)
# Booted with apparmor=0: required with and without the Landlock fallback.
for name, mode, ll in (("vm-required", "required", True), ("vm-required-nolandlock", "required", False),
                       ("vm-ifavail-nolandlock", "if-available", False)):
    q = json.loads(json.dumps(n))
    q["rules"]["apparmor"]["mode"] = mode
    q["rules"]["apparmor"]["landlock"] = ll
    json.dump(q, open(pol + name + ".json", "w"), indent=1)
PY
chmod -R a+rX "$guest"

accel=tcg
cpu=max
if [ "${SECSHIM_VM_KVM:-0}" = 1 ] && [ -w /dev/kvm ]; then accel=kvm; cpu=host; fi
log=$vm/console.log
timeout "${SECSHIM_VM_TIMEOUT:-400}" "$qemu" -machine q35,accel=$accel -cpu $cpu -smp 2 -m 2048 \
  -nographic -no-reboot -nodefaults -serial stdio -monitor none \
  -kernel "$kernel" -initrd "$vm/initrd.gz" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  -append "console=ttyS0 apparmor=1 security=apparmor panic=-1 quiet loglevel=3 secshim.top=$top secshim.build=$build secshim.tests=${SECSHIM_VM_TESTS:-main} ${SECSHIM_VM_APPEND:-}" \
  </dev/null >"$log" 2>&1 || echo "vm: qemu exited with status $? (see $log)" >&2
tr -d '\r' <"$log" | sed -n 's/^.*TAP: //p'
# vm-init prints "TAP: # vm done" last: without it the guest never finished.
tr -d '\r' <"$log" | grep -q 'TAP: # vm done' || {
  echo "vm: the guest did not finish (see $log)" >&2
  tail -n 20 "$log" >&2
  exit 1
}
