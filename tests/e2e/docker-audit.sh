#!/usr/bin/env bash
# The Linux audit trail with a real auditd (docs/audit.md): this test starts
# its own auditd (private auditd.conf, log file in a temporary directory),
# has `secshim install --audit-rules --root` write and load the CIS watches,
# then checks that `docker ps` through the private dockerd leaves a -k docker
# record, that a refused and a rewritten container each leave one USER
# record of secshim's decision (rules, container id, policy digest), and
# that uninstall leaves the kernel's rule set as it was.  Afterwards it
# stops its auditd by pid and restores the kernel's rules and enabled flag.
# On a host whose own auditd already runs (a second one cannot register),
# it uses that one and its log, and leaves it running.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/docker.sh"
ADMIN=$SECSHIM_TOP/hack/secshim-admin

for tool in auditd auditctl ausearch; do
  command -v "$tool" >/dev/null 2>&1 || { skip "audit e2e: $tool not installed (hack/install-deps.sh: auditd)"; done_testing; exit; }
done
[ "$(id -u)" -eq 0 ] || { skip "audit e2e: needs root"; done_testing; exit; }
# The kernel's audit subsystem must answer.
if ! status=$(auditctl -s 2>&1); then
  fail "audit e2e: the kernel's audit subsystem does not answer (auditctl -s: $status)"
  done_testing; exit
fi
host_pid=$(awk '$1 == "pid" { print $2 }' <<<"$status")
[ "$host_pid" = 0 ] && host_pid=""
docker_e2e_setup

W=$(mktemp -d /tmp/secshim-audit-e2e.XXXXXX)
LOG=$W/log/audit.log
RULES_BEFORE=$(auditctl -l)
ENABLED_BEFORE=$(awk '$1 == "enabled" { print $2 }' <<<"$status")
AUDITD_PID=""

# Only what differs is touched: with the host's auditd, its rules stay.
restore_kernel() {
  local line
  if [ "$(auditctl -l)" != "$RULES_BEFORE" ]; then
    auditctl -D >/dev/null 2>&1
    if [ "$RULES_BEFORE" != "No rules" ]; then
      while read -r line; do
        # shellcheck disable=SC2086 # a rule's words, as auditctl -l printed them
        [ -n "$line" ] && auditctl $line >/dev/null
      done <<<"$RULES_BEFORE"
    fi
  fi
  [ "$(auditctl -s | awk '$1 == "enabled" { print $2 }')" = "$ENABLED_BEFORE" ] ||
    auditctl -e "${ENABLED_BEFORE:-0}" >/dev/null 2>&1
}
audit_teardown() {
  if [ -n "$AUDITD_PID" ]; then
    kill "$AUDITD_PID" 2>/dev/null
    wait "$AUDITD_PID" 2>/dev/null
  fi
  restore_kernel
  rm -rf "$W"
  docker_e2e_teardown
}
trap audit_teardown EXIT

start_private_auditd() {
  mkdir -p "$W/conf/plugins.d" "$W/log"
  cat >"$W/conf/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $LOG
log_format = ENRICHED
flush = DATA
max_log_file = 64
num_logs = 2
max_log_file_action = ROTATE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
plugin_dir = $W/conf/plugins.d
q_depth = 2000
overflow_action = IGNORE
end_of_event_timeout = 2
EOF
  chmod 0640 "$W/conf/auditd.conf"
  auditd -n -s enable -c "$W/conf" >"$W/auditd.out" 2>&1 &
  AUDITD_PID=$!
  for _ in $(seq 50); do
    [ "$(auditctl -s | awk '$1 == "pid" { print $2 }')" = "$AUDITD_PID" ] && break
    sleep 0.1
  done
  if [ "$(auditctl -s | awk '$1 == "pid" { print $2 }')" = "$AUDITD_PID" ]; then
    ok "a private auditd runs (pid $AUDITD_PID, log $LOG)"
  else
    fail "the private auditd did not register: $(tail -n 3 "$W/auditd.out" | tr '\n' ' ')"
    done_testing; exit
  fi
}
if [ -n "$host_pid" ]; then
  # The host's auditd: its log file, from its configuration (or
  # SECSHIM_HOST_AUDIT_LOG, for an auditd started with another one).
  LOG=$(sed -n 's/^[[:space:]]*log_file[[:space:]]*=[[:space:]]*//p' /etc/audit/auditd.conf 2>/dev/null | tail -n 1)
  LOG=${SECSHIM_HOST_AUDIT_LOG:-${LOG:-/var/log/audit/audit.log}}
  if [ -r "$LOG" ]; then ok "the host's auditd runs (pid $host_pid): using it and its log $LOG"
  else fail "the host's auditd runs (pid $host_pid) but its log $LOG is not readable"; done_testing; exit; fi
else
  start_private_auditd
fi

# A root where the docker client, secshim and /etc/secshim exist: install
# writes watches for exactly those, with their host paths.
R=$W/root
mkdir -p "$R$(dirname "$DOCKER_CLI")" "$R/etc/secshim" "$R$(dirname "$SECSHIM_BIN")"
: >"$R$DOCKER_CLI"
: >"$R$SECSHIM_BIN"
out=$("$ADMIN" install --audit-rules --root "$R" --bin "$SECSHIM_BIN" 2>&1)
assert_status "install --audit-rules" $? 0
assert_contains "install --audit-rules: loaded, since auditd runs" "$out" "audit: rules loaded"
assert_contains "the rules file has the docker client's watch" "$(cat "$R/etc/audit/rules.d/secshim.rules")" "-w $DOCKER_CLI -k docker"
loaded=$(auditctl -l)
assert_contains "auditctl -l: the docker watch" "$loaded" "-w $DOCKER_CLI -p rwxa -k docker"
assert_contains "auditctl -l: secshim's binary" "$loaded" "-w $SECSHIM_BIN -p rwxa -k secshim"
assert_contains "auditctl -l: secshim's sendto rule" "$loaded" "-S sendto -F exe=$SECSHIM_BIN"

# wait_for WHAT CMD...: poll (bounded) until CMD prints something; prints it.
wait_for() {
  local i out
  shift
  for i in $(seq 50); do
    out=$("$@" 2>/dev/null) && [ -n "$out" ] && { printf '%s\n' "$out"; return 0; }
    sleep 0.2
  done
  return 1
}

# 1. docker ps: a -k docker record of the client's execve.
dk ps >/dev/null
got=$(wait_for "docker ps" ausearch --input "$LOG" -k docker -i -x "$DOCKER_CLI")
assert_contains "docker ps: ausearch -k docker finds the client's execution" "$got" "key=docker"
assert_contains "docker ps: the record names the command" "$got" "proctitle=$DOCKER_CLI ps"

# 2. A refused container: one USER record with the rule and the container id.
mkdir -p /run/systemd
name=secshim-audit-refused-$$
dk_run --name "$name" --runtime secure --network none -v /run/systemd:/run/systemd "$IMAGE" true >/dev/null 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then ok "-v /run/systemd: refused (docker exit $rc)"; else fail "-v /run/systemd: the container ran"; fi
id=$(dk inspect -f '{{.Id}}' "$name" 2>/dev/null)
dk rm -f "$name" >/dev/null 2>&1
[ -n "$id" ] && ok "refused container id ${id:0:12}" || fail "no id for $name"
user=$(wait_for "refusal" sh -c "ausearch --input '$LOG' -m USER -x '$SECSHIM_BIN' -i | grep -F 'container=$id '")
diag "refusal: $user"
assert_contains "refusal: a USER record of secshim with op=refuse" "$user" 'op=refuse'
assert_contains "refusal: the rule that refused it" "$user" 'refused_by=mounts '
if grep -qE 'rules=([a-zA-Z,]*,)?mounts[ ,]' <<<"$user"; then ok "refusal: mounts among the rules that fired"; else fail "refusal: mounts not in rules=: $user"; fi
assert_contains "refusal: the verb" "$user" 'verb=create'
assert_contains "refusal: res=failed" "$user" 'res=failed'
assert_contains "refusal: key=secshim in the record" "$user" 'key=secshim'
sha=$(sha256sum "$SECSHIM_TOP/policy/default.json" | cut -d' ' -f1)
assert_contains "refusal: the policy's digest" "$user" "policy_sha256=$sha"
assert_contains "refusal: exe= is secshim" "$user" "exe=$SECSHIM_BIN"
assert_eq "refusal: exactly one record for the decision" "$(grep -c . <<<"$user")" 1
# ausearch -k matches only the keys of SYSCALL records (docs/audit.md): the
# same secshim process (pid= of the USER record) has two -k secshim events,
# its execve (the watch on its binary: EXECVE names the verb and the
# container id) and the sendto(2) that carried the USER record.
pid=$(sed -n 's/.* pid=\([0-9][0-9]*\) .*/\1/p' <<<"$user" | head -n 1)
keyed_event() { # SYSCALL
  ausearch --input "$LOG" -k secshim -p "$pid" -i 2>/dev/null |
    awk -v sc="syscall=$1 " 'BEGIN { RS = "----" } index($0, sc) && /key=secshim/ { print; exit }'
}
keyed=$(wait_for "keyed execve" keyed_event execve)
diag "ausearch -k secshim -p $pid: $(grep -o 'type=EXECVE.*' <<<"$keyed" | head -c 300)"
assert_contains "refusal: ausearch -k secshim -i -p PID: secshim's execve, with the container id" "$keyed" "$id"
assert_contains "refusal: ... and the verb" "$keyed" "create"
keyed=$(wait_for "keyed sendto" keyed_event sendto)
assert_contains "refusal: ausearch -k secshim -i -p PID: the sendto that carried the record" "$keyed" "syscall=sendto"

# 3. A rewritten container (the default policy rewrites a plain run).
name=secshim-audit-rewritten-$$
out=$(dk_run --name "$name" --runtime secure --network none "$IMAGE" true 2>&1)
assert_status "plain run: starts" $? 0
id=$(dk inspect -f '{{.Id}}' "$name" 2>/dev/null)
dk rm -f "$name" >/dev/null 2>&1
user=$(wait_for "rewrite" sh -c "ausearch --input '$LOG' -m USER -x '$SECSHIM_BIN' -i | grep -F 'container=$id '")
diag "rewrite: $user"
assert_contains "rewrite: a USER record with op=rewrite" "$user" 'op=rewrite'
assert_contains "rewrite: res=success" "$user" 'res=success'
if grep -qE 'rules=[a-z]' <<<"$user"; then ok "rewrite: names the rules"; else fail "rewrite: no rules in: $user"; fi

# 4. The JSON log and the record agree on the decision.
json=$(grep -F "\"id\":\"$id\"" /var/log/secshim/audit.jsonl 2>/dev/null | grep -m1 '"outcome":"rewritten"')
[ -n "$json" ] && ok "rewrite: the JSON log has the same decision" || fail "rewrite: no rewritten line for $id in the JSON log"

# 5. Uninstall: the kernel's rules are what they were before install.
out=$("$ADMIN" uninstall --audit-rules --root "$R" 2>&1)
assert_status "uninstall --audit-rules" $? 0
check "uninstall: the rules file is gone" test ! -e "$R/etc/audit/rules.d/secshim.rules"
assert_eq "uninstall: auditctl -l as it was before install" "$(auditctl -l)" "$RULES_BEFORE"

# 6. Teardown restores the enabled flag: checked here, before the trap.
if [ -n "$AUDITD_PID" ]; then
  kill "$AUDITD_PID" && wait "$AUDITD_PID" 2>/dev/null
  AUDITD_PID=""
fi
restore_kernel
assert_eq "after the test: enabled flag restored" "$(auditctl -s | awk '$1 == "enabled" { print $2 }')" "$ENABLED_BEFORE"
assert_eq "after the test: the audit daemon of before (none, or the host's) is the one registered" \
  "$(auditctl -s | awk '$1 == "pid" { print $2 }')" "${host_pid:-0}"
done_testing
