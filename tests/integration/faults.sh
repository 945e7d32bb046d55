#!/usr/bin/env bash
# Faults while secshim rewrites config.json (security.md T7, T8, T9, §2.5,
# §2.6), secshim in front of a stub runc:
#
#  * SIGKILL at every occurrence of every syscall of the write path (strace
#    -e inject=SYSCALL:signal=KILL:when=N): config.json is always the original
#    or the complete output, never a mix, and the stub never ran; the next run
#    removes the stale temp (aged past a minute) and succeeds;
#  * a full disk, a partly full disk, a read-only bundle directory (a
#    read-only tmpfs and a read-only bind mount): a clean refusal naming the
#    failed write, the original untouched, no temp left;
#  * a symlinked config.json and a symlinked bundle directory: refused,
#    nothing touched;
#  * umask 000: the output and the temp file never get group/other write
#    bits, the owner and group are kept;
#  * fds: for --preserve-fds 0..5 x LISTEN_FDS 0..3 the stub is given exactly
#    the caller's fds, and every fd secshim opens itself is close-on-exec.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/stubrunc.sh"

FIXTURE=$FIXTURES/docker-20.10/default.config.json

missing=
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
command -v jq >/dev/null || missing+=" jq;"
command -v strace >/dev/null || missing+=" strace;"
[ -f "$FIXTURE" ] || missing+=" fixture $FIXTURE;"
[ "$(id -u)" -eq 0 ] || missing+=" root (mounts, chown);"
if [ -n "$missing" ]; then skip "faults: missing${missing%;}"; done_testing; exit; fi
if ! stub_setup; then fail "faults: could not set up the stub runc and policy copy"; done_testing; exit; fi

ORIG=$WORK/orig.json
fixture_any_id "$FIXTURE" >"$ORIG" || { fail "faults: jq on the fixture"; done_testing; exit; }
chmod 0644 "$ORIG"
TEMP_GLOB='.config.json.secshim-*'

temps_in() { find "$1" -maxdepth 1 -name "$TEMP_GLOB" | sort; }
reset_bundle() { # dir: a fresh bundle holding the original config
  rm -rf "$1"
  mkdir -p "$1"
  cp "$ORIG" "$1/config.json"
}

# --- the expected output -------------------------------------------------------
b=$WORK/ref
reset_bundle "$b"
shim create --bundle "$b" ref </dev/null >/dev/null 2>"$WORK/ref.err"; rc=$?
assert_status "reference run: exit 0" "$rc" 0
EXPECTED=$WORK/expected.json
cp "$b/config.json" "$EXPECTED"
if cmp -s "$ORIG" "$EXPECTED"; then fail "reference run: config.json was not rewritten"; else ok "reference run: config.json rewritten"; fi

# --- SIGKILL at each syscall of the write path -----------------------------------
# Trace one clean run; the syscalls made from the flock on to the exec of the
# stub are the write path, and each of them is killed at every occurrence in
# the run (the first execve, secshim's own, is not counted by strace's when=).
b=$WORK/k
reset_bundle "$b"
strace -f -qq -o "$WORK/trace" "$SECSHIM_BIN" --secshim-policy="$POLICY" --secshim-runtime="$STUB" \
  create --bundle "$b" trace </dev/null >/dev/null 2>&1
awk -v stub="$STUB" '
  { sub(/^[0-9]+ +/, "") }
  index($0, "execve(\"" stub "\"") == 1 { print "execve"; exit }
  !started { if ($0 ~ /^execve\(/) started = 1; next }
  match($0, /^[a-z0-9_]+\(/) { print substr($0, 1, RLENGTH - 1) }
' "$WORK/trace" >"$WORK/trace.calls"
write_path=$(awk '$0 == "flock" { on = 1 } on' "$WORK/trace.calls" | sort -u)
if grep -qx renameat "$WORK/trace.calls" || grep -qx renameat2 "$WORK/trace.calls"; then
  ok "trace: the write path renames (syscalls: $(echo $write_path))"
else
  fail "trace: no renameat in the traced run: $(echo $write_path)"
fi

runs=0 killed=0 old=0 new=0 mixed=0 ran=0 left_temp=0 recovered=0 after_temps=0
per_call=
for sc in $write_path; do
  total=$(grep -cx "$sc" "$WORK/trace.calls")
  c_old=0 c_new=0
  for ((n = 1; n <= total; n++)); do
    runs=$((runs + 1))
    reset_bundle "$b"
    id=kill-$sc-$n
    # Run from a subshell with stderr discarded: that is where bash reports
    # the "Killed" job.
    (strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc:signal=KILL:when=$n" \
      "$SECSHIM_BIN" --secshim-policy="$POLICY" --secshim-runtime="$STUB" create --bundle "$b" "$id" \
      </dev/null >/dev/null 2>"$WORK/kill.err"; exit $?) 2>/dev/null
    rc=$?
    [ "$rc" -eq 137 ] && killed=$((killed + 1)) || diag "$sc #$n: exit $rc, not killed: $(head -c 200 "$WORK/kill.err")"
    if cmp -s "$b/config.json" "$ORIG"; then old=$((old + 1)) c_old=$((c_old + 1))
    elif cmp -s "$b/config.json" "$EXPECTED"; then new=$((new + 1)) c_new=$((c_new + 1))
    else mixed=$((mixed + 1)); cp "$b/config.json" "$WORK/mixed.$sc.$n"; diag "$sc #$n: config.json is neither"
    fi
    stub_ran "$id" && { ran=$((ran + 1)); diag "$sc #$n: the stub ran"; }
    # The next run: stale temps (aged past a minute) go, the run succeeds.
    if [ -n "$(temps_in "$b")" ]; then
      left_temp=$((left_temp + 1))
      temps_in "$b" | xargs -r touch -d '-2 minutes'
    fi
    shim create --bundle "$b" "$id-next" </dev/null >/dev/null 2>"$WORK/next.err"
    if [ $? -eq 0 ] && cmp -s "$b/config.json" "$EXPECTED" && cmp -s "$STUB_OUT/$id-next.json" "$EXPECTED"; then
      recovered=$((recovered + 1))
    else
      diag "$sc #$n: the next run did not succeed: $(head -c 200 "$WORK/next.err")"
    fi
    [ -n "$(temps_in "$b")" ] && after_temps=$((after_temps + 1))
  done
  per_call+=" $sc:$total($c_old old/$c_new new)"
done
diag "kills per syscall:$per_call"
diag "$runs kills: $old left the original, $new the complete output, $left_temp left a temp file"
if [ "$runs" -ge 20 ]; then ok "kill points exercised: $runs"; else fail "kill points exercised: only $runs"; fi
assert_eq "every injected SIGKILL killed secshim" "$killed" "$runs"
assert_eq "kills leaving config.json neither the original nor the complete output" "$mixed" 0
assert_eq "kills after which the stub runc had run" "$ran" 0
if [ "$old" -gt 0 ] && [ "$new" -gt 0 ]; then
  ok "kills landed both before and after the rename ($old / $new)"
else
  fail "kills did not land on both sides of the rename ($old before, $new after)"
fi
if [ "$left_temp" -gt 0 ]; then ok "some kills left a temp file ($left_temp)"; else fail "no kill left a temp file: the stale-temp cleanup was not exercised"; fi
assert_eq "runs after a kill that succeeded with the complete output" "$recovered" "$runs"
assert_eq "runs after a kill that left a stale temp behind" "$after_temps" 0
bad=$(jq -R -r 'try (fromjson | empty) catch "bad"' "$AUDIT_LOG" | wc -l)
assert_eq "audit log after the kills: lines that are not complete JSON" "$bad" 0

# A temp younger than a minute may be a live secshim's: it stays.
reset_bundle "$b"
: >"$b/.config.json.secshim-00000000000young"
: >"$b/.config.json.secshim-0000000000000old"
touch -d '-2 minutes' "$b/.config.json.secshim-0000000000000old"
: >"$b/.config.json.other-file"
touch -d '-2 minutes' "$b/.config.json.other-file"
shim create --bundle "$b" temps </dev/null >/dev/null 2>&1; rc=$?
assert_status "stale temps: the run succeeds" "$rc" 0
assert_eq "stale temps: only the young temp remains" "$(temps_in "$b" | xargs -r -n1 basename)" ".config.json.secshim-00000000000young"
check "stale temps: a file that is not ours stays" test -e "$b/.config.json.other-file"

# --- refusals that must leave the bundle as it was -------------------------------
# refused_cleanly NAME BUNDLE ID PATTERN [FILE]: exit 1, PATTERN on stderr, FILE
# (default BUNDLE/config.json) byte for byte the original, no temp, no stub.
refused_cleanly() {
  local name=$1 bundle=$2 id=$3 pattern=$4 file=${5:-$2/config.json} out rc
  out=$(shim create --bundle "$bundle" "$id" </dev/null 2>&1 >"$WORK/$id.stdout"); rc=$?
  assert_status "$name: exit 1" "$rc" 1
  if printf '%s' "$out" | grep -qE -- "$pattern"; then ok "$name: the message names the failure"; else fail "$name: expected /$pattern/ in: $(printf '%s' "$out" | head -c 400)"; fi
  check "$name: nothing on stdout" test ! -s "$WORK/$id.stdout"
  check "$name: config.json untouched" cmp -s "$file" "$ORIG"
  assert_eq "$name: no temp file left" "$(temps_in "$(dirname "$file")")" ""
  if stub_ran "$id"; then fail "$name: the stub runc ran"; else ok "$name: the stub runc never ran"; fi
}
mount_tmpfs() { # dir size
  mkdir -p "$1" && mount -t tmpfs -o "size=$2,mode=0755" secshim-test "$1"
}

# Full disk: the filler takes every page.
d=$WORK/full
if mount_tmpfs "$d" 256k; then
  reset_bundle "$d/b"
  dd if=/dev/zero of="$d/fill" bs=4k >/dev/null 2>&1
  refused_cleanly "full disk" "$d/b" full "secshim: write .*config\.json.*: No space left on device"
  grep -q '"outcome":"error".*No space left on device' "$AUDIT_LOG" && ok "full disk: audited as an error" || fail "full disk: no error record in the audit log"
  # Two pages free, the output needs more: the first write succeeds, a later
  # one fails, and the half-written temp goes.
  truncate -s -8192 "$d/fill"
  [ "$(stat -c %s "$EXPECTED")" -gt 8192 ] || diag "the output is smaller than two pages: this is the full-disk case again"
  refused_cleanly "nearly full disk" "$d/b" nearly-full "secshim: write .*config\.json.*: No space left on device"
  umount "$d"
else
  fail "full disk: cannot mount a tmpfs"
fi

# Read-only file system.
d=$WORK/rofs
if mount_tmpfs "$d" 1m; then
  reset_bundle "$d/b"
  mount -o remount,ro "$d"
  refused_cleanly "read-only tmpfs" "$d/b" rofs "secshim: .*Read-only file system"
  umount "$d"
else
  fail "read-only tmpfs: cannot mount a tmpfs"
fi

# Read-only bind mount of the bundle directory.
d=$WORK/robind
reset_bundle "$d"
if mount --bind "$d" "$d" && mount -o remount,bind,ro "$d"; then
  refused_cleanly "read-only bind mount" "$d" robind "secshim: .*Read-only file system"
  # Already compliant: nothing to write, so a read-only bundle is fine.
  umount "$d"
  cp "$EXPECTED" "$d/config.json"
  mount --bind "$d" "$d" && mount -o remount,bind,ro "$d"
  shim create --bundle "$d" robind-ok </dev/null >/dev/null 2>"$WORK/robind-ok.err"; rc=$?
  assert_status "read-only bind mount, config already compliant: accepted" "$rc" 0
  check "read-only bind mount, config already compliant: the stub ran on it" cmp -s "$STUB_OUT/robind-ok.json" "$EXPECTED"
  umount "$d"
else
  fail "read-only bind mount: mount failed"
fi

# Symlinked config.json.
d=$WORK/symcfg
mkdir -p "$d"
cp "$ORIG" "$WORK/symcfg-target.json"
ln -s "$WORK/symcfg-target.json" "$d/config.json"
refused_cleanly "symlinked config.json" "$d" symcfg "secshim: .*symbolic link" "$WORK/symcfg-target.json"
check "symlinked config.json: still a symlink" test -L "$d/config.json"

# Symlinked bundle directory.
reset_bundle "$WORK/symdir-real"
ln -s "$WORK/symdir-real" "$WORK/symdir"
refused_cleanly "symlinked bundle directory" "$WORK/symdir" symdir "secshim: .*symdir" "$WORK/symdir-real/config.json"
check "symlinked bundle directory: still a symlink" test -L "$WORK/symdir"

# --- umask 000 -------------------------------------------------------------------
d=$WORK/umask
reset_bundle "$d"
chmod 0666 "$d/config.json"
chown 0:1000 "$d/config.json"
(umask 000; shim create --bundle "$d" umask </dev/null >/dev/null 2>"$WORK/umask.err"); rc=$?
assert_status "umask 000: exit 0" "$rc" 0
check "umask 000: rewritten" cmp -s "$d/config.json" "$EXPECTED"
assert_eq "umask 000: mode of the output (0666 minus group/other write)" "$(stat -c %a "$d/config.json")" 644
assert_eq "umask 000: owner and group kept" "$(stat -c %u:%g "$d/config.json")" 0:1000
# The temp as it is before its fchmod: killed there, it stays for a look.
reset_bundle "$d"
chmod 0666 "$d/config.json"
(umask 000; strace -f -qq -o /dev/null -e trace=fchmod -e inject=fchmod:signal=KILL:when=1 \
  "$SECSHIM_BIN" --secshim-policy="$POLICY" --secshim-runtime="$STUB" create --bundle "$d" umask-temp \
  </dev/null >/dev/null 2>&1; exit $?) 2>/dev/null
t=$(temps_in "$d" | head -n 1)
if [ -n "$t" ]; then
  m=$(stat -c %a "$t")
  if (((8#$m & 8#077) == 0)); then ok "umask 000: the temp is created without group/other bits ($m)"; else fail "umask 000: the temp was created with mode $m"; fi
else
  fail "umask 000: no temp left by a kill at fchmod"
fi

# --- fd hygiene ---------------------------------------------------------------
# The caller has stdio, then LISTEN_FDS sockets, then --preserve-fds fds, all
# from 3 up (runc's order), and nothing else.
fdd=$WORK/fds
mkdir -p "$fdd"
reset_bundle "$WORK/fdb"
fd_run() { # listen preserve id
  local L=$1 N=$2 id=$3 f k
  (
    for f in /proc/$BASHPID/fd/*; do
      k=${f##*/}
      [ "$k" -gt 2 ] && eval "exec $k>&-"
    done
    for ((k = 3; k < 3 + L + N; k++)); do eval "exec $k>\"\$fdd/f$k\""; done
    if [ "$L" -gt 0 ]; then export LISTEN_FDS=$L LISTEN_PID=$BASHPID; else unset LISTEN_FDS LISTEN_PID; fi
    preserve=()
    [ "$N" -gt 0 ] && preserve=(--preserve-fds "$N")
    exec "$SECSHIM_BIN" --secshim-policy="$POLICY" --secshim-runtime="$STUB" create "${preserve[@]}" \
      --bundle "$WORK/fdb" "$id" <"$ORIG" >"$fdd/out" 2>"$fdd/err"
  )
}
combos=0 equal=0 env_ok=0
for L in 0 1 2 3; do
  for N in 0 1 2 3 4 5; do
    combos=$((combos + 1))
    id=fd-$L-$N
    fd_run "$L" "$N" "$id"
    want=$( { echo "0 $ORIG"; echo "1 $fdd/out"; echo "2 $fdd/err"
              for ((k = 3; k < 3 + L + N; k++)); do echo "$k $fdd/f$k"; done; } )
    got=$(cat "$STUB_OUT/$id.fds" 2>/dev/null)
    if [ "$got" = "$want" ]; then equal=$((equal + 1))
    else diag "LISTEN_FDS=$L --preserve-fds $N: the stub got: $(echo $got) / expected: $(echo $want)"; fi
    { read -r lf; read -r lp; read -r spid; } <"$STUB_OUT/$id.env" 2>/dev/null
    if { [ "$L" -eq 0 ] && [ -z "$lf" ]; } || { [ "$lf" = "$L" ] && [ "$lp" = "$spid" ]; }; then
      env_ok=$((env_ok + 1))
    else
      diag "LISTEN_FDS=$L: the stub got LISTEN_FDS='$lf' LISTEN_PID='$lp' (its pid $spid)"
    fi
  done
done
assert_eq "fds: combinations where the stub got exactly the caller's fds" "$equal" "$combos"
assert_eq "fds: combinations where LISTEN_FDS/LISTEN_PID reached the stub as passed" "$env_ok" "$combos"
if grep -qx -- --preserve-fds=5 "$STUB_OUT/fd-0-5.argv" || grep -qx -- --preserve-fds "$STUB_OUT/fd-0-5.argv"; then
  ok "fds: --preserve-fds is handed on to runc"
else
  fail "fds: --preserve-fds missing from the stub's argv: $(tr '\n' ' ' <"$STUB_OUT/fd-0-5.argv" 2>/dev/null)"
fi

# No fd secshim opens without close-on-exec is still open at the exec of
# runc (the trace of the clean run above).  Opened-and-closed ones are
# listed: libcap-ng's constructor reads /proc/sys/kernel/cap_last_cap that way.
awk -v stub="$STUB" -v leaked="$WORK/noexec.leaked" -v transient="$WORK/noexec.transient" '
  { sub(/^[0-9]+ +/, "") }
  index($0, "execve(\"" stub "\"") == 1 { for (fd in open) print fd ": " open[fd] >leaked; exit }
  !started { if ($0 ~ /^execve\(/) started = 1; next }
  match($0, /^close\([0-9]+\)/) { fd = substr($0, 7, RLENGTH - 7); if (fd in open) { print open[fd] >transient; delete open[fd] }; next }
  /F_SETFD, FD_CLOEXEC/ { match($0, /\([0-9]+,/); delete open[substr($0, RSTART + 1, RLENGTH - 2)]; next }
  !match($0, /= [0-9]+$/) { next }
  { fd = substr($0, RSTART + 2) }
  /^(open|openat|openat2|creat)\(/ && !/O_CLOEXEC/ { open[fd] = $0; next }
  /^(dup|dup2|pipe|inotify_init|epoll_create)\(/ { open[fd] = $0; next }
  /^(socket|socketpair|accept4?)\(/ && !/SOCK_CLOEXEC/ { open[fd] = $0; next }
  /^(dup3|pipe2)\(/ && !/O_CLOEXEC/ { open[fd] = $0; next }
  /^memfd_create\(/ && !/MFD_CLOEXEC/ { open[fd] = $0; next }
  /^fcntl\(.*F_DUPFD[,)]/ { open[fd] = $0; next }
' "$WORK/trace"
opened=$(grep -cE '^[0-9]+ +(open|openat)\(' "$WORK/trace")
[ -s "$WORK/noexec.transient" ] && diag "opened without O_CLOEXEC but closed before the exec: $(tr '\n' ' ' <"$WORK/noexec.transient")"
if [ "$opened" -gt 0 ] && [ ! -s "$WORK/noexec.leaked" ]; then
  ok "fds: none of the $opened files secshim opened is open without close-on-exec at the exec of runc"
else
  fail "fds: open without close-on-exec at the exec of runc: $(head -c 600 "$WORK/noexec.leaked" 2>/dev/null)"
fi

done_testing
