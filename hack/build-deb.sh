#!/usr/bin/env bash
# Build the Debian package build/secshim_<version>-1_<arch>.deb from this tree
# with dpkg-deb (no debian/ directory at the top: the packaging lives in
# hack/debian/ and the file list comes from `make install`, so the package and
# `make install` cannot drift apart).
#
#   /usr/bin/secshim                      the runtime
#   /usr/lib/secshim/secshim-admin        install / uninstall / doctor
#   /usr/lib/secshim/secshim-landlock     static helper bind-mounted into containers (Landlock)
#   /etc/secshim/...                      policies, seccomp and AppArmor sources (conffiles)
#   /usr/share/man/man1/secshim.1.gz      from docs/secshim.1.md (go-md2man)
#   /etc/logrotate.d/secshim              rotation of /var/log/secshim/*.jsonl
#   /usr/share/doc/secshim/               README, SECURITY.md, docs/*.md, k8s examples
#
# Prints the path of the .deb.  BUILD=dir selects the build directory.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
umask 022

for t in dpkg-deb go-md2man; do
  command -v "$t" >/dev/null 2>&1 || { echo "build-deb: $t missing (hack/install-deps.sh)" >&2; exit 1; }
done
# DEB_REVISION: a newer build of the same tree (the upgrade test).
version="$(cat VERSION)-${DEB_REVISION:-1}"
arch=$(dpkg --print-architecture)
deb=$BUILD/secshim_${version}_${arch}.deb

make -s BUILD="$BUILD" "$BUILD/secshim" "$BUILD/secshim-landlock" "$BUILD/secshim.1" >&2
stage=$BUILD/deb/secshim
rm -rf "$stage"
mkdir -p "$stage/DEBIAN"
make -s BUILD="$BUILD" install DESTDIR="$top/$stage" PREFIX=/usr SYSCONFDIR=/etc >&2

# Debian policy: stripped binaries, compressed man pages and changelog.
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/secshim" \
  "$stage/usr/lib/secshim/secshim-landlock"
gzip -9n "$stage/usr/share/man/man1/secshim.1"

doc=$stage/usr/share/doc/secshim
install -d "$doc" "$doc/examples/k8s"
for f in README.md SECURITY.md docs/*.md; do
  [ -f "$f" ] || continue
  case $f in docs/secshim.1.md) continue ;; esac   # that is the man page
  install -m 0644 "$f" "$doc/"
done
for f in hack/k8s/*; do [ -f "$f" ] && install -m 0644 "$f" "$doc/examples/k8s/"; done
install -m 0644 hack/debian/copyright "$doc/copyright"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -R)/" hack/debian/changelog | gzip -9n >"$doc/changelog.Debian.gz"

install -D -m 0644 hack/debian/logrotate "$stage/etc/logrotate.d/secshim"
# Everything under /etc is a conffile: local edits survive upgrades.
(cd "$stage" && find etc -type f | sort | sed 's|^|/|') >"$stage/DEBIAN/conffiles"
for s in postinst prerm postrm; do install -m 0755 "hack/debian/$s" "$stage/DEBIAN/$s"; done
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
# The default build links yajl, libseccomp, libaudit, libcap-ng, libapparmor and nettle
# statically (Makefile LINK_LIBS), and compiles xxhash's header-only XXH3 in: Debian policy 7.8 wants their source
# packages and versions in Built-Using, so that a security fix in one of them
# is known to need a rebuild of secshim.  Read from the -dev packages whose
# .a files were linked, at build time.
built_using='/^Built-Using: @BUILT_USING@$/d'
# The default static PIE also links glibc (libc6-dev).
case ${LINK_LIBS:-static-pie} in
  static) glibc="" ;;
  static-pie) glibc=libc6-dev ;;
  *) glibc=none ;;
esac
if [ "$glibc" != none ]; then
  libs=$(dpkg-query -W -f='${source:Package} (= ${source:Version}), ' \
    libyajl-dev libseccomp-dev libaudit-dev libcap-ng-dev libapparmor-dev nettle-dev libxxhash-dev $glibc)
  built_using="s/@BUILT_USING@/${libs%, }/"
fi
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "$built_using" \
  hack/debian/control >"$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"

dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >&2
echo "$deb"
