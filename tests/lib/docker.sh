# Helpers for e2e tests against the private dockerd of hack/dockerd.sh
# (source after lib.sh).
#
#   docker_e2e_setup     check the tools, build and start everything; on failure
#                        print one skip (a failure under SECSHIM_MUST_WORK=1) and exit
#   dk ARGS...           the docker CLI, talking to the private daemon, bounded in time
#   secure_run ARGS...   docker run --rm --network none --runtime secure ARGS  (IMAGE is yours to pass)
#   IMAGE                the busybox test image, imported from build/testimage/rootfs.tar
#   TEST_LABEL           label put on containers made via dk_run/secure_run; removed at exit
#
# The daemon is left running between e2e scripts (it is shared and cheap to
# keep); .ci/run and `hack/dockerd.sh stop` stop it.
: "${IMAGE:=secshim-test/busybox:latest}"
: "${DOCKER_TIMEOUT:=60}"
TEST_LABEL="secshim.test=$(basename "$0" .sh).$$"
DOCKER_CLI=$(command -v docker || echo /usr/bin/docker)

dk() { timeout "$DOCKER_TIMEOUT" "$DOCKER_CLI" "$@"; }

# docker run with our label, so teardown finds what a test left behind.
dk_run() { dk run --label "$TEST_LABEL" "$@"; }
secure_run() { dk_run --rm --network none --runtime secure "$@"; }

_e2e_give_up() { skip "$*"; done_testing; exit; }

docker_e2e_setup() {
  local tool
  for tool in dockerd containerd jq "$DOCKER_CLI"; do
    command -v "$tool" >/dev/null 2>&1 || _e2e_give_up "docker e2e: $tool not installed (hack/install-deps.sh)"
  done
  [ -x "$SECSHIM_BIN" ] || _e2e_give_up "docker e2e: $SECSHIM_BIN not built (make)"
  [ -f "$SECSHIM_TOP/policy/default.json" ] || _e2e_give_up "docker e2e: policy/default.json missing"
  [ "$(id -u)" -eq 0 ] || _e2e_give_up "docker e2e: needs root"

  local startlog
  startlog=$(SECSHIM_BIN=$SECSHIM_BIN "$SECSHIM_TOP/hack/dockerd.sh" start 2>&1) || {
    printf '%s\n' "$startlog" | sed 's/^/# /'
    _e2e_give_up "docker e2e: the private dockerd did not start (hack/dockerd.sh start)"
  }
  eval "$("$SECSHIM_TOP/hack/dockerd.sh" env)"
  export DOCKER_HOST

  SECSHIM_IMAGE=$IMAGE "$SECSHIM_TOP/hack/dockerd.sh" image 2>&1 | sed 's/^/# /'
  [ "${PIPESTATUS[0]}" -eq 0 ] || _e2e_give_up "docker e2e: importing $IMAGE failed (hack/dockerd.sh image)"
  dk info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"secure"' ||
    _e2e_give_up "docker e2e: the private dockerd has no 'secure' runtime"
  trap docker_e2e_teardown EXIT
}

docker_e2e_teardown() {
  local ids
  ids=$(dk ps -aq --filter "label=$TEST_LABEL" 2>/dev/null || true)
  [ -n "$ids" ] && dk rm -f $ids >/dev/null 2>&1
  return 0
}

# Wait (bounded) until a container is running.
wait_running() { # name [seconds]
  local i
  for ((i = 0; i < ${2:-10} * 10; i++)); do
    [ "$(dk inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ] && return 0
    sleep 0.1
  done
  return 1
}
