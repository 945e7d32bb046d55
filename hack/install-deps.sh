#!/usr/bin/env bash
# Install everything secshim needs to build, test and demo, on Debian 12, as root.
#
# Idempotent and quick: asks dpkg first and only runs apt-get when a package is
# missing.  Only the Debian archive is needed.
#
#   hack/install-deps.sh          install what is missing
#   hack/install-deps.sh --check  list what is missing, exit 1 if anything is
set -euo pipefail

packages=(
  # build
  build-essential pkg-config dpkg-dev go-md2man
  libyajl-dev libseccomp-dev libaudit-dev libcap-ng-dev libapparmor-dev nettle-dev
  # the compiled policy's content hash (XXH3-128, header only: src/policy/pack.c, digest_avx2.c)
  libxxhash-dev
  # Linux audit records and the CIS watches (tests/e2e/docker-audit.sh)
  auditd
  # real runtimes and engines for integration/e2e tests
  runc crun containerd docker.io podman iptables apparmor
  # test image (busybox --install -s) and tools used by the tests
  # the VM lane (tests/vm, hack/vm.sh): QEMU; the kernel is apt-get download'ed
  qemu-system-x86
  busybox-static util-linux procps iproute2 strace jq python3 python3-yaml man-db
  # the .deb lifecycle test checks the shipped /etc/logrotate.d/secshim
  logrotate
  # the CRI suite (tests/cri): a kubelet-shaped gRPC client, CNI bridge networking
  python3-grpcio python3-grpc-tools containernetworking-plugins
  # sanitizers, fuzzing, benchmarks
  clang llvm libclang-rt-14-dev clang-format valgrind hyperfine bc
  # OCI spec sources (cross-checking field names)
  golang-go golang-github-opencontainers-specs-dev golang-github-cyphar-filepath-securejoin-dev
  # the oracle parses runc flags with runc's own urfave/cli v1 (tests/oracle/numbers.go)
  golang-github-urfave-cli-dev
  # runc v1.1.5's own integration suite through secshim (tests/e2e/runc-bats.sh): bats, and gawk for its helpers
  bats gawk
)

# One dpkg-query for all: "name ii " per installed package.
installed=" $( (dpkg-query -W -f='${Package}:${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null ||
  true) | sed -n 's/^\([^:]*\):ii.*/\1/p' | tr '\n' ' ') "
missing=()
for p in "${packages[@]}"; do
  case $installed in *" $p "*) ;; *) missing+=("$p") ;; esac
done

if [ "${1:-}" = --check ]; then
  if [ ${#missing[@]} -eq 0 ]; then echo "all ${#packages[@]} packages present"; exit 0; fi
  echo "missing: ${missing[*]}"; exit 1
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${missing[*]}; run as root" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q
# Services must not be started by the packages' maintainer scripts: the tests
# run their own private dockerd/containerd (hack/dockerd.sh).
policy_rc=/usr/sbin/policy-rc.d
created_policy_rc=0
if [ ! -e "$policy_rc" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy_rc"; chmod 0755 "$policy_rc"; created_policy_rc=1
fi
trap 'if [ "$created_policy_rc" = 1 ]; then rm -f "$policy_rc"; fi' EXIT
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
