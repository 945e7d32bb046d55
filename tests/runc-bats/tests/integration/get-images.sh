#!/bin/bash
# secshim's replacement for runc v1.1.5's tests/integration/get-images.sh,
# which downloads busybox from GitHub: there is no network where secshim's
# tests run.  The busybox image is the one hack/mkimage.sh builds from
# Debian's busybox-static; tests/e2e/runc-bats.sh passes its rootfs.tar in
# RUNC_BATS_BUSYBOX.  No vendored test uses the Debian image.
set -e -u -o pipefail
if [ ! -f "${RUNC_BATS_BUSYBOX:-}" ]; then
	echo "get-images.sh: RUNC_BATS_BUSYBOX (a busybox rootfs tar) is not set or missing" >&2
	exit 1
fi
echo "BUSYBOX_IMAGE=$RUNC_BATS_BUSYBOX"
echo "DEBIAN_IMAGE=/nonexistent/debian-image-not-vendored.tar.xz"
