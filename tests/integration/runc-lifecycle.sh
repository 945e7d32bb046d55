#!/usr/bin/env bash
# Real runc, driven through secshim, on a busybox bundle: output, exit
# codes, the whole create/start/state/exec/kill/delete lifecycle, and the two
# first policy rules taking effect on a real container (no_new_privileges
# rewritten, a /run/systemd bind mount refused before runc runs).
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/bundle.sh"

missing=
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
[ -x "$RUNC" ] || missing+=" runc ($RUNC);"
[ -f "$SECSHIM_TEST_POLICY" ] || missing+=" policy $SECSHIM_TEST_POLICY;"
command -v jq >/dev/null || missing+=" jq;"
if [ -n "$missing" ]; then skip "runc lifecycle: missing${missing%;}"; done_testing; exit; fi
if ! bundle_setup; then fail "could not build the busybox image (hack/mkimage.sh)"; done_testing; exit; fi

# --- run: output and exit status -------------------------------------------
b=$WORK/run-echo
make_bundle "$b" "$(jq_args /bin/echo hello-from-secshim)"
out=$(secshim_rt run --bundle "$b" t-echo 2>&1 </dev/null); rc=$?
assert_status "run: exit status 0" "$rc" 0
assert_contains "run: container output reaches the caller" "$out" hello-from-secshim

b=$WORK/run-exit
make_bundle "$b" "$(jq_args /bin/sh -c 'exit 7')"
secshim_rt run --bundle "$b" t-exit >/dev/null 2>&1 </dev/null; rc=$?
assert_status "run: container exit status 7 propagates" "$rc" 7

# --- create / start / state / exec / kill / delete --------------------------
b=$WORK/life
make_bundle "$b" "$(jq_args /bin/sleep 300)"
# Detached create: the container keeps the stdio it was given, so hand it
# files, not a pipe that a command substitution would wait on forever.
secshim_rt create --bundle "$b" t-life </dev/null >"$WORK/life.out" 2>"$WORK/life.err"; rc=$?
assert_status "create: exit status 0" "$rc" 0
[ "$rc" -eq 0 ] || diag "create stderr: $(head -c 600 "$WORK/life.err")"
assert_eq "state after create" "$(rt_status t-life)" created
pid=$(secshim_rt state t-life 2>/dev/null | jq -r .pid)
case $pid in ''|null|0|*[!0-9]*) fail "state reports the init pid (got '$pid')" ;; *) ok "state reports the init pid ($pid)" ;; esac

secshim_rt start t-life; rc=$?
assert_status "start: exit status 0" "$rc" 0
assert_eq "state after start" "$(rt_status t-life)" running

out=$(secshim_rt exec t-life /bin/echo exec-output 2>&1 </dev/null); rc=$?
assert_status "exec (inline): exit status 0" "$rc" 0
assert_contains "exec (inline): output reaches the caller" "$out" exec-output
secshim_rt exec t-life /bin/sh -c 'exit 3' >/dev/null 2>&1 </dev/null; rc=$?
assert_status "exec: process exit status 3 propagates" "$rc" 3

# exec --process FILE, as containerd's shim does it
jq '.process | .args = ["/bin/sh", "-c", "echo process-file-output"]' "$b/config.json" >"$WORK/process.json"
out=$(secshim_rt exec --process "$WORK/process.json" t-life 2>&1 </dev/null); rc=$?
assert_status "exec --process: exit status 0" "$rc" 0
assert_contains "exec --process: output reaches the caller" "$out" process-file-output

ps_out=$(secshim_rt ps t-life 2>&1); rc=$?
assert_status "ps passes through" "$rc" 0
assert_contains "ps lists the container's sleep" "$ps_out" sleep

secshim_rt kill t-life KILL; rc=$?
assert_status "kill: exit status 0" "$rc" 0
if wait_status t-life stopped 10; then ok "state after kill: stopped"; else fail "state after kill: $(rt_status t-life), expected stopped"; fi
secshim_rt delete t-life; rc=$?
assert_status "delete: exit status 0" "$rc" 0
assert_eq "state after delete: gone" "$(rt_status t-life)" absent
secshim_rt state t-life >/dev/null 2>&1; rc=$?
if [ "$rc" -ne 0 ]; then ok "state of a deleted container fails"; else fail "state of a deleted container succeeded"; fi

# --- passthrough of runc's own output ---------------------------------------
ver=$("$SECSHIM_BIN" --secshim-policy="$SECSHIM_TEST_POLICY" --secshim-runtime="$RUNC" --version 2>/dev/null); rc=$?
assert_status "--version: exit status 0" "$rc" 0
assert_contains "--version: runc's answer passes through" "$ver" "runc version"

# --- the policy on a real container -----------------------------------------
b=$WORK/nnp
make_bundle "$b" ".process.noNewPrivileges = false | $(jq_args /bin/grep NoNewPrivs /proc/self/status)"
out=$(secshim_rt run --bundle "$b" t-nnp 2>&1 </dev/null); rc=$?
assert_status "nnp: container runs" "$rc" 0
if printf '%s' "$out" | grep -qE '^NoNewPrivs:[[:space:]]+1$'; then
  ok "nnp: noNewPrivileges=false was rewritten, NoNewPrivs is 1 inside"
else
  fail "nnp: expected 'NoNewPrivs: 1' inside, got: $(printf '%s' "$out" | head -c 300)"
fi

mkdir -p /run/systemd
b=$WORK/systemd
make_bundle "$b" "$(jq_args /bin/echo should-not-run) | .mounts += [{\"destination\": \"/run/systemd\", \"type\": \"bind\", \"source\": \"/run/systemd\", \"options\": [\"rbind\", \"rw\"]}]"
cp "$b/config.json" "$WORK/systemd.before"
out=$(secshim_rt run --bundle "$b" t-systemd 2>&1 </dev/null); rc=$?
if [ "$rc" -ne 0 ]; then ok "/run/systemd bind mount: refused (exit $rc)"; else fail "/run/systemd bind mount: container ran"; fi
assert_not_contains "/run/systemd bind mount: the container never ran" "$out" should-not-run
assert_contains "/run/systemd bind mount: the message names secshim" "$out" secshim
assert_eq "/run/systemd bind mount: runc never created it" "$(rt_status t-systemd)" absent
if cmp -s "$b/config.json" "$WORK/systemd.before"; then ok "/run/systemd bind mount: bundle left untouched"; else fail "/run/systemd bind mount: config.json was modified"; fi

done_testing
