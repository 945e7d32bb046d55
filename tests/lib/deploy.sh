# shellcheck shell=bash
# Helpers for the deployment e2e tests (tests/e2e/deploy-*.sh); source after
# lib.sh.
#
#   deploy_need TOOL...     skip the whole script when a tool is missing
#   etc_policy_setup        engines that cannot pass arguments (containerd's
#                           BinaryName, ctr --runc-binary, runc mode) make secshim
#                           read /etc/secshim/default.json: install the repo's
#                           policies there when absent, removed again by
#                           deploy_cleanup
#   ROOTFS                  the busybox test rootfs (hack/mkimage.sh)
#   deploy_cleanup          run the registered cleanups, last first
ADMIN=$SECSHIM_TOP/hack/secshim-admin
_deploy_cleanups=()
deploy_on_exit() { _deploy_cleanups+=("$*"); }
deploy_cleanup() {
  local i
  for ((i = ${#_deploy_cleanups[@]} - 1; i >= 0; i--)); do eval "${_deploy_cleanups[i]}" || true; done
  _deploy_cleanups=()
}
trap deploy_cleanup EXIT

_deploy_give_up() { skip "$*"; done_testing; exit; }
deploy_need() {
  local t
  [ "$(id -u)" -eq 0 ] || _deploy_give_up "$(basename "$0"): needs root"
  [ -x "$SECSHIM_BIN" ] || _deploy_give_up "$(basename "$0"): $SECSHIM_BIN not built (make)"
  for t in "$@"; do command -v "$t" >/dev/null 2>&1 || _deploy_give_up "$(basename "$0"): $t not installed (hack/install-deps.sh)"; done
}

etc_policy_setup() {
  if [ -e /etc/secshim/default.json ]; then
    diag "using the existing /etc/secshim/default.json"
    return 0
  fi
  local created=0
  [ -d /etc/secshim ] || created=1
  mkdir -p /etc/secshim
  cp -R "$SECSHIM_TOP/policy/." /etc/secshim/
  if [ "$created" = 1 ]; then deploy_on_exit "rm -rf /etc/secshim"
  else deploy_on_exit "(cd '$SECSHIM_TOP/policy' && find . -type f) | while read -r f; do rm -f \"/etc/secshim/\$f\"; done"; fi
}

# cgroup_parent_remove NAME: the cgroup parent a test dockerd used
# ("cgroup-parent": NAME), in every hierarchy, once empty: dockerd leaves it.
cgroup_parent_remove() {
  local d
  for d in "/sys/fs/cgroup/$1" /sys/fs/cgroup/*/"$1"; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  return 0
}

# A test dockerd whose exec root and state are below DIR (the deployment
# tests start their own, `dk` talking to it):
#   deploy_dockerd_kill PID DIR   stop it (TERM, then KILL after 20 s) and
#                                 its containerd; remove its cgroup parent
#   deploy_dockerd_stop PID DIR   remove its containers first, and after it
#                                 is gone unmount and remove DIR
deploy_dockerd_kill() {
  local p
  kill -TERM "$1" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$1" 2>/dev/null
  for p in $(pgrep -f "containerd.*$2/exec" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
  cgroup_parent_remove secshim-deploy
}
deploy_dockerd_stop() {
  local ids
  ids=$(dk ps -aq 2>/dev/null) && [ -n "$ids" ] && dk rm -f $ids >/dev/null 2>&1
  deploy_dockerd_kill "$1" "$2"
  awk -v d="$2" 'index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r | xargs -r umount -l 2>/dev/null
  rm -rf "$2"
}

ROOTFS=""
rootfs_setup() {
  local d
  d=$("$SECSHIM_TOP/hack/mkimage.sh" 2>/dev/null) || _deploy_give_up "$(basename "$0"): hack/mkimage.sh failed (busybox-static?)"
  ROOTFS=$d/rootfs
}
