#!/usr/bin/env bash
# Run every test suite and print one closing line: "N passed, N failed, N skipped".
#
# Each suite is a program printing TAP ("ok N - ...", "not ok N - ...",
# "ok N - # SKIP reason") and one plan "1..N".  A suite that exits non-zero
# without a "not ok" line counts as one failure, and so does a plan that
# does not match the results, so a crash can never pass silently.
#
#   SUITES="unit policy"  run only these (default: all, in the order below);
#                         a suite/script.sh entry runs that one script
#   TESTS="integration/x.sh cri/y.sh"  of the script suites, only these
#   BUILD=build/asan      test another build (the sanitizer pass sets this)
set -u
cd "$(dirname "$0")/.."
top=$PWD

# The suites run real containers through secshim with the shipped policies,
# whose audit log is the host's /var/log/secshim.  As root, every suite runs
# in a private mount namespace with a tmpfs there (over /var/log when the
# directory does not exist, so none is created), so no test writes the
# host's log; daemons the suites start inherit the namespace.
if [ "${SECSHIM_TEST_NS:-}" != 1 ] && [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
  # The namespace's own mounts hang below this directory; it is removed
  # once the namespace is gone.
  save=$(mktemp -d /tmp/secshim-private.XXXXXX) || exit 1
  env SECSHIM_TEST_NS=1 PRIVATE_DIR_SAVE="$save" unshare --mount --propagation private -- "$0" "$@"
  rc=$?
  rmdir "$save"
  exit $rc
fi
if [ "${SECSHIM_TEST_NS:-}" = 1 ] && [ -z "${SECSHIM_TEST_NS_READY:-}" ]; then
  if [ -d /var/log/secshim ]; then mount -t tmpfs -o mode=0700 secshim-test-log /var/log/secshim
  else mount -t tmpfs -o mode=0755 secshim-test-log /var/log && mkdir -m 0700 /var/log/secshim; fi ||
    { echo "run-all: cannot isolate /var/log/secshim" >&2; exit 1; }
  # /run and /var/lib: what the suites and the daemons they start make
  # there (/run/containerd, the private dockerd's /run/secshim-test and
  # /var/lib/secshim-test, ...) stays in the namespace.  Two runs at once
  # (two checkouts) each get their own.  The host's own secshim-test trees
  # (a `make demo` daemon still running) and secshim's cache /run/secshim
  # are not bound in: the run starts them empty.
  [ -d "${PRIVATE_DIR_SAVE:-}" ] && mount -t tmpfs -o mode=0700 secshim-private "$PRIVATE_DIR_SAVE" ||
    { echo "run-all: cannot make $PRIVATE_DIR_SAVE" >&2; exit 1; }
  . tests/lib/overlay.sh
  { overlaid /run || overlay_dir /run "$PRIVATE_DIR_SAVE" secshim-test secshim; } &&
    { overlaid /var/lib || overlay_dir /var/lib "$PRIVATE_DIR_SAVE" secshim-test; } ||
    { echo "run-all: cannot isolate /run and /var/lib" >&2; exit 1; }
  # The host files the captured fixtures bind (docker's per-container
  # hostname/hosts/resolv.conf, podman's userdata), on their stock paths.
  SECSHIM_TEST_NS=1 tests/lib/stock-binds.sh $(find tests/fixtures tests/policy/docs tests/adversarial/data -name '*.json') tests/policy/cases.tsv ||
    { echo "run-all: cannot provide the fixtures' bind sources" >&2; exit 1; }
  export SECSHIM_TEST_NS_READY=1
fi
BUILD=${BUILD:-build}
export SECSHIM_TOP=$top SECSHIM_BUILD=$top/$BUILD SECSHIM_BIN=$top/$BUILD/secshim
SUITES=${SUITES:-"lint unit policy integration adversarial e2e cri vm asan fuzz"}
logdir=$top/$BUILD/test-logs
mkdir -p "$logdir"

passed=0 failed=0 skipped=0

# Tests never leave files on the host: these stock paths (an engine's, or
# secshim's own) must look the same after every test as before the run.  The
# private mount namespace does not protect them: a directory made on the
# host's /etc or /run as a mount point stays there.
host_paths="/etc/secshim /etc/docker /etc/containerd /etc/audit/rules.d/secshim.rules /run/containerd /var/lib/containerd
  /var/run/docker.sock /var/lib/docker /var/lib/kubelet /etc/cni/net.d /opt/cni"
host_snapshot() {
  local p h
  for p in $host_paths; do
    # /run and /var/lib are private here: the host's own are below the save
    # directory (tests/lib/overlay.sh).
    h=${p#/var/run}
    [ "$h" = "$p" ] || h=/run$h
    case $h in
      /run/* | /var/lib/*)
        [ -n "${PRIVATE_DIR_SAVE:-}" ] && h=$PRIVATE_DIR_SAVE/$(dirname "$h" | tr / _)/${h##*/} ;;
    esac
    if [ -e "$h" ] || [ -L "$h" ]; then echo "$p $(stat -c %F "$h")"; else echo "$p absent"; fi
  done
  # cgroups the tests' engines make (the run's own dockerd's secshim-test
  # goes when run-all stops it at the end).
  ls -d /sys/fs/cgroup/secshim-deploy /sys/fs/cgroup/*/secshim-deploy /sys/fs/cgroup/*kubepods* \
    /sys/fs/cgroup/*/*kubepods* /sys/fs/cgroup/secshim-itest* /sys/fs/cgroup/*/secshim-itest* 2>/dev/null
}
host_before=$(host_snapshot)

run_one() { # name command...
  local name=$1; shift
  local log=$logdir/$(echo "$name" | tr '/ ' '__').log
  echo "== $name"
  "$@" >"$log" 2>&1
  local rc=$?
  local p f s
  s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log")
  p=$(grep -cE '^ok [0-9]+' "$log"); p=$((p - s))
  f=$(grep -cE '^not ok [0-9]+' "$log")
  grep -E '^not ok|# SKIP' "$log" | sed 's/^/   /'
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "   not ok - $name exited with status $rc (see $log)"
    tail -n 5 "$log" | sed 's/^/   | /'
    f=1
  fi
  # Exactly one plan, and as many results as it announces: a test that
  # stops half-way (or prints a result twice) cannot pass by what it
  # happened to print.
  local plans plan
  plans=$(grep -cE '^1\.\.[0-9]+' "$log")
  plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
  if [ "$plans" -ne 1 ] || [ "$plan" -ne $((p + s + f)) ]; then
    echo "   not ok - $name: TAP plan ${plan:-missing} ($plans plan lines) for $((p + s + f)) results (see $log)"
    f=$((f + 1))
  fi
  local host_now
  host_now=$(host_snapshot)
  if [ "$host_now" != "$host_before" ]; then
    echo "   not ok - $name left the host changed:"
    diff <(echo "$host_before") <(echo "$host_now") | grep '^[<>]' | sed 's/^/   | /'
    f=$((f + 1))
    host_before=$host_now # one report per culprit
  fi
  echo "   $p passed, $f failed, $s skipped"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

for suite in $SUITES; do
  case $suite in
    unit)
      for t in "$BUILD"/tests/test_*; do [ -x "$t" ] && run_one "unit/${t##*/}" "$t"; done ;;
    policy)
      [ -x tests/policy/run.sh ] && run_one policy tests/policy/run.sh ;;
    lint|integration|adversarial|e2e|cri)
      for t in tests/$suite/*.sh; do
        [ -x "$t" ] || continue
        case " ${TESTS:-$suite/${t##*/}} " in *" $suite/${t##*/} "*) run_one "$suite/${t##*/}" "$t" ;; esac
      done ;;
    vm)
      # Debian's own kernel (AppArmor on) under QEMU: hack/vm.sh.
      run_one vm tests/vm/run.sh ;;
    asan)
      # The whole offline suite again against the ASan+UBSan build.
      if [ "$BUILD" = build ]; then
        if make -s asan >"$logdir/asan-build.log" 2>&1; then
          out=$(BUILD=build/asan SUITES="unit policy integration adversarial" "$0")
          # What failed under the sanitizers, by name; then the count.
          echo "$out" | grep -E '^== |^   not ok' | grep -B1 '^   not ok' | grep -v '^--$' | sed 's/^/   asan /'
          out=$(echo "$out" | tail -n 1)
          echo "== asan: $out"
          p=$(echo "$out" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
          f=$(echo "$out" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
          s=$(echo "$out" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
          passed=$((passed + ${p:-0})); failed=$((failed + ${f:-1})); skipped=$((skipped + ${s:-0}))
        else
          echo "== asan: build failed"; tail -n 20 "$logdir/asan-build.log"; failed=$((failed + 1))
        fi
      fi ;;
    */*.sh)
      # One script, with the same isolation: SUITES=e2e/demo.sh
      run_one "$suite" "tests/$suite" ;;
    fuzz)
      [ -x hack/fuzz.sh ] && run_one fuzz hack/fuzz.sh --tap "${FUZZ_SECONDS:-60}" ;;
  esac
done

# The e2e suites' private dockerd lives in this namespace's /run: nothing
# outside could reach it to stop it (hack/dockerd.sh stop), so it ends here.
[ "${SECSHIM_TEST_NS:-}" = 1 ] && hack/dockerd.sh stop >/dev/null 2>&1

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
