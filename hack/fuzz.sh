#!/usr/bin/env bash
# Build and run secshim's libFuzzer campaigns (tests/fuzz/fuzz_*.c).
#
#   hack/fuzz.sh [--tap] [--only NAME] [SECONDS]      default 60 seconds per target
#   make fuzz FUZZ_SECONDS=N
#
# Every harness is linked with clang -fsanitize=fuzzer,address,undefined
# against every src/**/*.c except src/main.c, compiled into build/fuzz/ with
# coverage instrumentation; a gcc + ASan/UBSan replay binary is built next to
# it (build/fuzz/replay-NAME, see tests/fuzz/replay_main.c).  Each target
# starts from a seed corpus copied into build/fuzz/corpus-NAME (kept between
# runs, so campaigns accumulate) and runs for SECONDS with -timeout=2 and
# -rss_limit_mb=512.  Any crash, leak, timeout or OOM fails the run; the
# reproducer is left as build/fuzz/artifact-NAME-{crash,leak,timeout,oom}-* (replay it with
# build/fuzz/replay-NAME FILE).
#
# With --tap, one TAP line per target (and one per replay of its seeds).
set -u
cd "$(dirname "$0")/.."
top=$PWD
tap=0 only= seconds=60
while [ $# -gt 0 ]; do
  case $1 in
    --tap) tap=1 ;;
    --only) only=$2; shift ;;
    --only=*) only=${1#--only=} ;;
    ''|*[!0-9]*) echo "usage: hack/fuzz.sh [--tap] [--only NAME] [SECONDS]" >&2; exit 2 ;;
    *) seconds=$1 ;;
  esac
  shift
done

out=$top/build/fuzz
fixtures=${FIXTURES:-$top/tests/fixtures}
mkdir -p "$out"
n=0 failed=0
say() { if [ $tap = 1 ]; then echo "# $*"; else echo "$*" >&2; fi; }
result() { # ok|fail description
  n=$((n + 1))
  if [ "$1" = ok ]; then
    [ $tap = 1 ] && echo "ok $n - $2" || echo "PASS: $2" >&2
  else
    failed=$((failed + 1))
    [ $tap = 1 ] && echo "not ok $n - $2" || echo "FAIL: $2" >&2
  fi
}
finish() { [ $tap = 1 ] && echo "1..$n"; [ $failed -eq 0 ]; exit $?; }

if ! command -v clang >/dev/null; then
  if [ $tap = 1 ]; then
    if [ "${SECSHIM_MUST_WORK:-0}" = 1 ]; then result fail "clang not installed"; else echo "ok 1 - # SKIP clang not installed"; n=1; fi
    finish
  fi
  echo "hack/fuzz.sh: clang is required (apt-get install clang)" >&2; exit 1
fi

# Targets: tests/fuzz/fuzz_NAME.c.  Per-target dictionaries and seeds below.
targets=()
for f in tests/fuzz/fuzz_*.c; do
  name=${f#tests/fuzz/fuzz_}; name=${name%.c}
  [ -z "$only" ] || [ "$only" = "$name" ] || continue
  targets+=("$name")
done

dict_for() {
  case $1 in
    cli) echo tests/fuzz/argv.dict ;;
    bane) [ -f tests/fuzz/toml.dict ] && echo tests/fuzz/toml.dict || echo tests/fuzz/oci.dict ;;
    *) echo tests/fuzz/oci.dict ;;
  esac
}

# Seed files for a target, printed one per line.  Inputs above 64 KiB are left
# out: they make libFuzzer's max_len (and every execution) needlessly large.
seeds_for() {
  {
    [ -d "tests/fuzz/seeds/$1" ] && find "tests/fuzz/seeds/$1" -type f
    # Inputs that once broke an invariant: tests/fuzz/regressions/NAME-*.
    find tests/fuzz/regressions -name "$1-*" -type f 2>/dev/null
    case $1 in
      json|eval)
        find "$fixtures" -name '*.json' -type f 2>/dev/null
        find tests/adversarial/data/docs tests/policy -name '*.json' -type f 2>/dev/null ;;
      policy)
        find policy -name '*.json' -type f 2>/dev/null
        find tests/policy -name '*.json' -path '*polic*' -type f 2>/dev/null ;;
      bane)
        find "$fixtures" policy tests/policy -name '*.toml' -type f 2>/dev/null ;;
    esac
  } | while read -r f; do [ "$(stat -c %s "$f")" -le 65536 ] && echo "$f"; done
}

# ---- build ----
sanflags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
fuzzcflags="-std=gnu11 -g -O1 -fPIE $sanflags -fsanitize=fuzzer-no-link -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers"
libs="-lyajl -lseccomp -laudit -lcap-ng -lapparmor -lnettle"
defs="-DFUZZ_POLICY_DIR=\"$top/policy\""
say "building instrumented library into $out"
if ! make -s BUILD="$out" CC=clang CFLAGS="$fuzzcflags" "$out/libsecshim.a" >"$out/build.log" 2>&1; then
  tail -n 30 "$out/build.log" >&2
  result fail "build: clang instrumented libsecshim.a (see $out/build.log)"
  finish
fi
replay_lib=$top/build/asan/libsecshim.a
if ! make -s BUILD=build/asan SANITIZE=1 build/asan/libsecshim.a >"$out/build-asan.log" 2>&1; then
  tail -n 30 "$out/build-asan.log" >&2
  replay_lib=
fi

for name in "${targets[@]}"; do
  src=tests/fuzz/fuzz_$name.c
  bin=$out/fuzz-$name replay=$out/replay-$name
  if ! clang $fuzzcflags -fsanitize=fuzzer -Werror -Iinclude -Itests/fuzz -D_GNU_SOURCE $defs -o "$bin" \
       "$src" "$out/libsecshim.a" $libs >"$out/build-$name.log" 2>&1; then
    cat "$out/build-$name.log" >&2
    result fail "$name: harness does not build (see $out/build-$name.log)"
    continue
  fi
  if [ -n "$replay_lib" ]; then
    gcc -std=gnu11 -g -O1 $sanflags -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -Itests/fuzz \
        -D_GNU_SOURCE $defs -o "$replay" "$src" tests/fuzz/replay_main.c "$replay_lib" $libs \
        >"$out/build-replay-$name.log" 2>&1 || { cat "$out/build-replay-$name.log" >&2; replay=; }
  else
    replay=
  fi

  # ---- seeds ----
  corpus=$out/corpus-$name
  mkdir -p "$corpus"
  seeds_for "$name" | while read -r f; do
    cp -f "$f" "$corpus/seed-$(sha1sum "$f" | cut -c1-16)"
  done

  # ---- replay the seeds with the gcc build (catches toolchain-specific issues) ----
  if [ -n "$replay" ]; then
    if "$replay" "$corpus" >"$out/replay-$name.log" 2>&1; then
      result ok "$name: gcc+ASan replay of $(ls "$corpus" | wc -l) corpus inputs"
    else
      grep -E "invariant|ERROR|SUMMARY|runtime error" "$out/replay-$name.log" | head -n 5 | sed "s/^/# /"
      result fail "$name: gcc+ASan replay of the corpus failed (see $out/replay-$name.log)"
    fi
  fi

  # ---- campaign ----
  rm -f "$out"/artifact-"$name"-*
  log=$out/fuzz-$name.log
  say "fuzzing $name for ${seconds}s"
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=64} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  "$bin" -max_total_time="$seconds" -timeout=2 -rss_limit_mb=512 -max_len=65536 \
      -dict="$(dict_for "$name")" -artifact_prefix="$out/artifact-$name-" -print_final_stats=1 \
      "$corpus" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)
  artifact=$(ls -t "$out"/artifact-"$name"-* 2>/dev/null | head -n 1)
  if [ $rc -eq 0 ] && [ -z "$artifact" ]; then
    result ok "$name: ${seconds}s, ${execs:-?} execs, ${rate:-?} exec/s, ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l)"
  else
    grep -E 'ERROR|SUMMARY|invariant|runtime error' "$log" | head -n 5 | sed 's/^/# /'
    result fail "$name: exit $rc, reproducer ${artifact:-none} (log $log; replay with $replay)"
  fi
done
finish
