#!/usr/bin/env bash
# Build the test image from busybox-static, once, under build/testimage/:
#
#   rootfs/        /bin/busybox + applet symlinks, /etc/passwd (root, user 1000,
#                  nobody 65534), /etc/group, /tmp (1777), /proc /sys /dev /root
#   rootfs.tar     the same, for `docker import` (no registry is needed)
#   bundle/        an OCI bundle: config.json from `runc spec`, made
#                  non-interactive (terminal=false), root.path = ../rootfs
#
# Prints the directory.  Rebuilt only when busybox or this script changes.
#   hack/mkimage.sh [--force]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${SECSHIM_IMAGE_DIR:-$top/build/testimage}
busybox=${BUSYBOX:-/bin/busybox}
runc=${RUNC:-/usr/sbin/runc}

[ -x "$busybox" ] || { echo "mkimage: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }

stamp_want="$(sha256sum "$busybox" "$0" | sha256sum | cut -d' ' -f1)"
if [ "${1:-}" != --force ] && [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp_want" ]; then
  echo "$out"; exit 0
fi

tmp=$(mktemp -d "${out%/*}/.testimage.XXXXXX" 2>/dev/null || { mkdir -p "${out%/*}"; mktemp -d "${out%/*}/.testimage.XXXXXX"; })
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp"
r=$tmp/rootfs
mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc,root,home/user,proc,sys,dev,run,var/tmp}
install -m 0755 "$busybox" "$r/bin/busybox"
# --install -s puts absolute symlinks (/bin/busybox) into the real /bin,
# /usr/bin ... of whatever root it runs in: run it chrooted.
chroot "$r" /bin/busybox --install -s ||
  { echo "mkimage: cannot run $busybox in a chroot (not static? apt-get install busybox-static)" >&2; exit 1; }
install -d -m 1777 "$r/tmp"
chown 1000:1000 "$r/home/user"
cat >"$r/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
cat >"$r/etc/group" <<'GR'
root:x:0:
user:x:1000:
nogroup:x:65534:
GR
: >"$r/etc/hosts"; : >"$r/etc/resolv.conf"; echo secshim-test >"$r/etc/hostname"

tar --numeric-owner -C "$r" -cf "$tmp/rootfs.tar" .

mkdir -p "$tmp/bundle"
(cd "$tmp/bundle" && "$runc" spec)
jq '.process.terminal = false | .root.path = "../rootfs" | .process.args = ["/bin/sh", "-c", "echo hello from busybox"]' \
  "$tmp/bundle/config.json" >"$tmp/bundle/config.json.new"
mv "$tmp/bundle/config.json.new" "$tmp/bundle/config.json"

echo "$stamp_want" >"$tmp/stamp"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "$out"
