#!/usr/bin/env bash
# The real runc as the oracle for src/cli (security.md 2.2, R-ARGV oracle test).
#
# 1. Every create/run/restore/exec/update row of tests/unit/argv-cases.tsv is
#    handed to the installed runc, with secshim's own options removed (as
#    secshim does) and --root/--log pointed at a private temp dir.  Bundles do
#    not exist, so runc stops at chdir and names the bundle it picked; the
#    cwd is an empty dir, so a cwd bundle ends at "config.json not found".
#    Rows we accept: runc must pick the table's bundle (or, for exec/update,
#    parse the argv and fail only on the missing container).  Rows we refuse:
#    runc's reading is recorded, and it must fail or only print help.
#    restore's --image-path/--work-path are pointed into the temp dir as well:
#    runc 1.1 creates the image directory before it even reads the bundle.
# 2. The canonical argv test_argv builds for each accepted row is handed to
#    runc too: runc must accept it and open exactly the canonical bundle.
. "$(dirname "$0")/../lib/lib.sh"

table=$SECSHIM_TOP/tests/unit/argv-cases.tsv
test_argv=$SECSHIM_BUILD/tests/test_argv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The real runc, copied once: other tests may divert /usr/sbin/runc to
# runc.real and install secshim in its place while this one runs.
RUNC=
for cand in ${SECSHIM_REAL_RUNC:-} /usr/sbin/runc.real /usr/bin/runc.real "$(command -v runc 2>/dev/null)" /usr/sbin/runc; do
  # A Go binary built on urfave/cli, not secshim passing --version through.
  if [ -x "$cand" ] && grep -qa 'urfave/cli' "$cand" \
    && "$cand" --version 2>/dev/null | head -n 1 | grep -q '^runc version'; then
    cp "$cand" "$work/runc" && RUNC=$work/runc && break
  fi
done
if [ -z "$RUNC" ]; then
  skip "real runc not installed"
  done_testing
  exit
fi
diag "oracle: $("$RUNC" --version | head -n 1) (from $cand)"

mkdir "$work/cwd" "$work/root"

# run_runc ARGS...: real runc in an empty cwd, private root and log; sets
# $outcome to "bundle <path>", "bundle <cwd>", "no-container", or "error: ..."
run_runc() {
  : >"$work/log"
  (cd "$work/cwd" && env -u XDG_RUNTIME_DIR -u NOTIFY_SOCKET timeout 20 "$RUNC" "$@" </dev/null) >"$work/out" 2>&1
  rc=$?
  cat "$work/log" >>"$work/out"
  local chdir
  chdir=$(grep -o 'chdir [^:"]*: no such file or directory' "$work/out" | head -n 1)
  if [ -n "$chdir" ]; then
    chdir=${chdir#chdir }
    outcome="bundle ${chdir%: no such file or directory}"
  elif grep -q 'config.json not found' "$work/out"; then
    outcome="bundle <cwd>"
  elif grep -q 'container does not exist' "$work/out"; then
    outcome="no-container"
  elif [ "$rc" -eq 0 ] && grep -q '^USAGE:' "$work/out"; then
    outcome="help"
  else
    outcome="error: $(grep -v '^$' "$work/out" | head -n 1 | cut -c1-160)"
  fi
}

# lacks_12_flag VERB TOKENS...: name of a runc 1.2 flag this runc does not know
lacks_12_flag() {
  local verb=$1 f
  shift
  for f in pidfd-socket cpu-burst cpu-idle; do
    if printf '%s\n' "$@" | grep -qE -- "^--?$f(=|$)" && ! "$RUNC" "$verb" --help 2>&1 | grep -q -- "--$f"; then
      echo "--$f"
      return
    fi
  done
}

# runc_refuses_flag NAME VERB FLAG: this runc (1.1) does not know a runc 1.2
# flag; instead of skipping the row, confirm that runc refuses the flag
# outright, so that nothing could read it differently.
runc_refuses_flag() {
  local out
  out=$("$RUNC" --root "$work/root" "$2" "$3=x" x 2>&1)
  if printf '%s' "$out" | grep -q "flag provided but not defined"; then
    ok "$1: this runc refuses $3 (a runc 1.2 flag) outright"
  else
    fail "$1: this runc neither knows nor refuses $3: $(printf '%s' "$out" | head -c 200)"
  fi
}

# rewrite_globals VERB TOKENS...: into array $args, drop --secshim-* and
# point --root/--log at the private dir, among the flags before VERB only;
# point restore's --image-path/--work-path there too, wherever they are.
rewrite_globals() {
  local verb=$1 t in_globals=1 skip_next=0 replace_next=
  shift
  args=()
  for t in "$@"; do
    if [ "$skip_next" = 1 ]; then skip_next=0; continue; fi
    if [ -n "$replace_next" ]; then args+=("$replace_next"); replace_next=; continue; fi
    if [ "$in_globals" = 1 ]; then
      case $t in
        "$verb") in_globals=0 ;;
        --secshim-policy=* | --secshim-runtime=* | -secshim-policy=* | -secshim-runtime=*) continue ;;
        --secshim-policy | --secshim-runtime | -secshim-policy | -secshim-runtime) skip_next=1; continue ;;
        --root | -root) replace_next=$work/root ;;
        --root=* | -root=*) t=--root=$work/root ;;
        --log | -log) replace_next=$work/log ;;
        --log=* | -log=*) t=--log=$work/log ;;
      esac
    else
      case $t in
        --image-path | -image-path | --work-path | -work-path) replace_next=$work/criu ;;
        --image-path=* | -image-path=*) t=--image-path=$work/criu ;;
        --work-path=* | -work-path=*) t=--work-path=$work/criu ;;
      esac
    fi
    args+=("$t")
  done
}

checked=0
while IFS=$'\t' read -r name verdict verb bundle process id extra argv_text; do
  case $name in '#'* | '') continue ;; esac
  case $verb in create | run | restore | exec | update) ;; *) continue ;; esac
  if [ "$bundle" != - ] && [ -e "$bundle" ]; then
    skip "$name: bundle $bundle exists on this host, not safe to hand to runc"
    continue
  fi
  read -r -a tokens <<<"${argv_text//<empty>/@EMPTY@}"
  for i in "${!tokens[@]}"; do [ "${tokens[$i]}" = @EMPTY@ ] && tokens[$i]=; done
  missing=$(lacks_12_flag "$verb" "${tokens[@]}")
  if [ -n "$missing" ]; then
    runc_refuses_flag "$name" "$verb" "$missing"
    continue
  fi
  rewrite_globals "$verb" "${tokens[@]}"
  run_runc "${args[@]}"
  checked=$((checked + 1))
  if [ "$verdict" = refuse ]; then
    diag "$name: secshim refuses; runc: $outcome (rc $rc)"
    check "$name: runc fails or only prints help on an argv secshim refuses" \
      test "$rc" -ne 0 -o "$outcome" = help
  elif [ "$verb" = exec ] || [ "$verb" = update ]; then
    assert_eq "$name: runc parses the argv like secshim (fails only on the missing container)" "$outcome" "no-container"
  elif [ "$bundle" = - ]; then
    assert_eq "$name: runc uses the cwd as bundle, as secshim" "$outcome" "bundle <cwd>"
  else
    assert_eq "$name: runc picks the bundle secshim picks" "$outcome" "bundle $bundle"
  fi
done <"$table"
check "oracle ran runc on at least 30 argv variants ($checked)" test "$checked" -ge 30

if [ ! -x "$test_argv" ]; then
  skip "canonical argv: $test_argv not built (make build/tests/test_argv)"
  done_testing
  exit
fi
if ! SECSHIM_ARGV_CANON=$work/canon SECSHIM_TOP=$SECSHIM_TOP "$test_argv" >"$work/unit.log" 2>&1; then
  fail "canonical argv: test_argv failed (see its own suite)"
fi
canon_rows=0
while IFS=$'\t' read -r -a fields; do
  name=${fields[0]} expect=${fields[1]}
  tokens=("${fields[@]:2}")
  verb=
  for t in "${tokens[@]}"; do case $t in -*) ;; *) verb=$t; break ;; esac; done
  missing=$(lacks_12_flag "$verb" "${tokens[@]}")
  if [ -n "$missing" ]; then
    runc_refuses_flag "$name: canonical argv" "$verb" "$missing"
    continue
  fi
  rewrite_globals "$verb" "${tokens[@]}"
  run_runc "${args[@]}"
  canon_rows=$((canon_rows + 1))
  if [ "$expect" = container-missing ]; then
    assert_eq "$name: runc accepts the canonical argv" "$outcome" "no-container"
  else
    assert_eq "$name: runc opens the canonical bundle" "$outcome" "bundle $expect"
  fi
done <"$work/canon"
check "canonical argv handed to runc for at least 30 rows ($canon_rows)" test "$canon_rows" -ge 30
done_testing
