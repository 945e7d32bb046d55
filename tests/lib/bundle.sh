# OCI bundle helpers for tests that drive runc through secshim (source after lib.sh).
#
#   bundle_setup                 build the busybox image once (hack/mkimage.sh), set IMAGE_DIR,
#                                TEST_ROOTFS, RUNC, a private runc --root in RUNC_ROOT and a
#                                scratch dir WORK (both removed at exit)
#   make_bundle DIR [JQ_FILTER]  config.json from `runc spec` (terminal=false, root.path =
#                                the shared read-only rootfs), then JQ_FILTER applied
#   secshim_rt ARGS...           "$SECSHIM_BIN" with the default policy and real runc, then
#                                --root "$RUNC_ROOT", then ARGS
#   jq_args CMD...               a jq filter setting .process.args to CMD
: "${RUNC:=/usr/sbin/runc}"
: "${SECSHIM_TEST_POLICY:=$SECSHIM_TOP/policy/default.json}"

bundle_setup() {
  IMAGE_DIR=$("$SECSHIM_TOP/hack/mkimage.sh") || return 1
  TEST_ROOTFS=$IMAGE_DIR/rootfs
  # runc's state must be on a tmpfs-like place it can lock; /run is.
  mkdir -p /run/secshim-test
  RUNC_ROOT=$(mktemp -d /run/secshim-test/runc.XXXXXX)
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/secshim-test.XXXXXX")
  trap bundle_teardown EXIT
}

bundle_teardown() {
  local id
  if [ -n "${RUNC_ROOT:-}" ] && [ -d "$RUNC_ROOT" ]; then
    for id in $("$RUNC" --root "$RUNC_ROOT" list -q 2>/dev/null); do
      "$RUNC" --root "$RUNC_ROOT" delete --force "$id" >/dev/null 2>&1 || true
    done
    rm -rf "$RUNC_ROOT"
  fi
  [ -n "${WORK:-}" ] && rm -rf "$WORK"
  return 0
}

jq_args() { # CMD... -> jq filter
  # --arg values are never taken for jq options ("-c" would be with --args).
  local a
  printf '.process.args = %s' "$(for a in "$@"; do jq -n --arg a "$a" '$a'; done | jq -sc .)"
}

make_bundle() { # dir [jq filter]
  mkdir -p "$1"
  jq --arg r "$TEST_ROOTFS" ".root.path = \$r | ${2:-.}" "$IMAGE_DIR/bundle/config.json" >"$1/config.json"
}

secshim_rt() {
  "$SECSHIM_BIN" --secshim-policy="$SECSHIM_TEST_POLICY" --secshim-runtime="$RUNC" --root "$RUNC_ROOT" "$@"
}

# runc state STATUS of a container, or "absent".
rt_status() { # id
  local s
  s=$(secshim_rt state "$1" 2>/dev/null | jq -r .status 2>/dev/null)
  echo "${s:-absent}"
}

# Wait (bounded) until a container reaches a status.
wait_status() { # id status [seconds]
  local i
  for ((i = 0; i < ${3:-10} * 10; i++)); do
    [ "$(rt_status "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
