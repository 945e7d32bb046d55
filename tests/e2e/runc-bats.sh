#!/usr/bin/env bash
# policy/audit.json is transparent (issue 13, item 5): runc v1.1.5's own
# integration tests, vendored in tests/runc-bats (see its README for the
# subset and why), run once with plain runc and once with secshim in runc's
# place (RUNC is a wrapper passing --secshim-policy=audit.json), and every
# case must end the same way under both: an audit policy records, it never
# refuses, and what secshim hands runc must behave as what it was given.
#
# The busybox image the suite downloads is built here from Debian's
# busybox-static (hack/mkimage.sh), with the /etc/passwd and /etc/group of
# the docker-library image the suite expects (no user 1000: `id` then
# prints bare numbers).  runc's CI runs the suite under script(1) for a
# controlling terminal; so does this.
source "$(dirname "$0")/../lib/lib.sh"
if [ -z "${RUNC:-}" ]; then
  RUNC=/usr/sbin/runc
  if [ -L "$RUNC" ] || { [ -x "$SECSHIM_BIN" ] && cmp -s "$RUNC" "$SECSHIM_BIN"; }; then RUNC=/usr/sbin/runc.real; fi
fi
# The vendored subset, in the order runc's Makefile would run them
# (checkpoint.bats only where criu is installed).
FILES="exec.bats run.bats create.bats start.bats start_detached.bats start_hello.bats kill.bats delete.bats
  update.bats ps.bats events.bats spec.bats help.bats version.bats tty.bats cwd.bats"

missing=
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
[ -x "$RUNC" ] || missing+=" runc ($RUNC);"
for tool in bats gawk jq script cc; do command -v "$tool" >/dev/null || missing+=" $tool (hack/install-deps.sh);"; done
[ "$(id -u)" -eq 0 ] || missing+=" root;"
if [ -n "$missing" ]; then skip "runc bats: missing${missing%;}"; done_testing; exit; fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/secshim-runc-bats.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
diag "real runc: $RUNC ($("$RUNC" --version 2>/dev/null | head -n 1))"

# A copy of the suite, with recvtty (runc's Go helper; a C stand-in here)
# built where helpers.bash looks for it.
cp -r "$SECSHIM_TOP/tests/runc-bats" "$WORK/runc"
SUITE=$WORK/runc/tests/integration
cc -O2 -Wall -Wextra -Werror -o "$WORK/runc/contrib/cmd/recvtty/recvtty" "$WORK/runc/contrib/cmd/recvtty/recvtty.c" ||
  { fail "build recvtty"; done_testing; exit; }

# The image: busybox-static with docker-library busybox's users and groups.
image=$("$SECSHIM_TOP/hack/mkimage.sh") || { fail "hack/mkimage.sh"; done_testing; exit; }
mkdir "$WORK/rootfs"
tar -C "$WORK/rootfs" -xf "$image/rootfs.tar"
cat >"$WORK/rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
EOF
cat >"$WORK/rootfs/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
EOF
rm -rf "$WORK/rootfs/home/user"
tar -C "$WORK/rootfs" -cf "$WORK/busybox.tar" .
rm -rf "$WORK/rootfs"

# audit.json with its log in WORK (never /var/log/secshim); its data files
# are relative to it.
cp -r "$SECSHIM_TOP/policy" "$WORK/policy"
jq --arg log "$WORK/audit.jsonl" '.audit.log = $log' "$SECSHIM_TOP/policy/audit.json" >"$WORK/policy/audit.json"
mkdir "$WORK/bin"
cat >"$WORK/bin/runc" <<EOF
#!/bin/sh
exec "$SECSHIM_BIN" --secshim-policy="$WORK/policy/audit.json" --secshim-runtime="$RUNC" "\$@"
EOF
chmod 0755 "$WORK/bin/runc"

# run_suite NAME RUNC: the subset under script(1); TAP to WORK/NAME.tap.
run_suite() {
  local name=$1 runc=$2 start=$SECONDS
  (cd "$SUITE" && RUNC=$runc RUNC_BATS_BUSYBOX=$WORK/busybox.tar BATS_TMPDIR=$WORK \
    timeout 300 script -q -e -c "bats --tap $(echo $FILES) >'$WORK/$name.tap' 2>&1" /dev/null >/dev/null 2>&1)
  diag "$name: $(grep -c '^ok' "$WORK/$name.tap") passed, $(grep -c '^not ok' "$WORK/$name.tap") failed in $((SECONDS - start)) s:" \
    "$(sed -n 's/^not ok [0-9]* //p' "$WORK/$name.tap" | paste -sd ';' -)"
}
# "<verdict>\t<case>" per case; skips count as their own verdict.
verdicts() {
  sed -n -e 's/^ok [0-9]* \(.*\) # skip.*/skip\t\1/p' -e '/# skip/d' -e 's/^ok [0-9]* \(.*\)/pass\t\1/p' \
    -e 's/^not ok [0-9]* \(.*\)/fail\t\1/p' "$1"
}

# verdict_once RUNC CASE: that case alone (bats -f), once more.  A case
# whose verdicts differ is rerun under both runtimes before it counts as a
# difference: a few of runc's tests (rt periods under a busy machine) are
# flaky under plain runc too.
verdict_once() {
  local runc=$1 re out=$WORK/once.tap
  re="^$(printf '%s' "$2" | sed 's/[][\.*^$(){}+?|/]/\\&/g')\$"
  (cd "$SUITE" && RUNC=$runc RUNC_BATS_BUSYBOX=$WORK/busybox.tar BATS_TMPDIR=$WORK \
    timeout 120 script -q -e -c "bats --tap -f '$re' $(echo $FILES) >'$out' 2>&1" /dev/null >/dev/null 2>&1)
  verdicts "$out" | head -n 1 | cut -f1
}

run_suite plain "$RUNC"
run_suite secshim "$WORK/bin/runc"
verdicts "$WORK/plain.tap" >"$WORK/plain.v"
verdicts "$WORK/secshim.tap" >"$WORK/secshim.v"

n_plain=$(wc -l <"$WORK/plain.v")
n_pass=$(grep -c '^pass' "$WORK/plain.v")
# The environment works: runc itself passes most of the subset (a broken
# image or missing tty would fail both runs alike and prove nothing).
check "plain runc ran the subset ($n_plain cases, $n_pass passed)" test "$n_plain" -ge 60 -a "$n_pass" -ge 50
check "secshim ran as many cases ($(wc -l <"$WORK/secshim.v"))" [ "$(wc -l <"$WORK/secshim.v")" -eq "$n_plain" ]
while IFS=$'\t' read -r v name; do
  s=$(awk -F'\t' -v n="$name" '$2 == n { print $1; exit }' "$WORK/secshim.v")
  if [ "$s" != "$v" ] && [ -n "$s" ]; then
    v2=$(verdict_once "$RUNC" "$name")
    s2=$(verdict_once "$WORK/bin/runc" "$name")
    if [ -n "$v2" ] && [ "$v2" = "$s2" ]; then
      diag "$name: $v/$s at first (flaky), $v2 under both on a rerun"
      v=$v2 s=$s2
    fi
  fi
  if [ "$s" = "$v" ]; then
    ok "$name: $v with plain runc and through secshim"
  else
    fail "$name: $v with plain runc, ${s:-missing} through secshim"
    awk -v n="$name" 'index($0, n) { p = 1; print; next } p && /^(ok|not ok) / { exit } p' "$WORK/secshim.tap" |
      head -n 30 | sed 's/^/#   /'
  fi
done <"$WORK/plain.v"
# secshim really stood in for runc: the policed verbs left audit records.
records=$(grep -c '"outcome"' "$WORK/audit.jsonl" 2>/dev/null || true)
check "the audit log holds secshim's decisions (${records:-0} records)" test "${records:-0}" -ge 50
refusals=$(grep -c '"outcome": *"refused"' "$WORK/audit.jsonl" 2>/dev/null || true)
assert_eq "audit.json refused nothing" "${refusals:-0}" 0
done_testing
