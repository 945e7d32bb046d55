#!/usr/bin/env bash
# audit.onFailure (docs/audit.md), secshim in front of a stub runc: when the
# decision cannot be recorded, "refuse" (the default) does not start an
# allowed container and "allow" does; a refusal stays a refusal; state,
# kill and delete still reach runc.  Both records are covered: the JSON log
# (its path is a directory, so open fails) and the Linux record with
# "linux": true in a user namespace, where the kernel refuses user records.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/stubrunc.sh"

FIXTURE=$FIXTURES/docker-20.10/default.config.json
missing=
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
command -v jq >/dev/null || missing+=" jq;"
[ -f "$FIXTURE" ] || missing+=" fixture $FIXTURE;"
[ "$(id -u)" -eq 0 ] || missing+=" root;"
if [ -n "$missing" ]; then skip "audit-onfailure: missing${missing%;}"; done_testing; exit; fi
if ! stub_setup; then fail "audit-onfailure: could not set up the stub runc"; done_testing; exit; fi

ORIG=$WORK/orig.json
fixture_any_id "$FIXTURE" >"$ORIG" # created under ids of its own: without docker's per-container binds
bundle() { rm -rf "$WORK/b-$1"; mkdir -p "$WORK/b-$1"; cp "$ORIG" "$WORK/b-$1/config.json"; echo "$WORK/b-$1"; }
# policy NAME JQ: a copy of the stub's policy changed by JQ.
policy() { jq "$2" "$POLICY" >"$WORK/policy/$1.json" && echo "$WORK/policy/$1.json"; }
run() { # POLICYFILE ARGS...: secshim with that policy in front of the stub
  local p=$1; shift
  "$SECSHIM_BIN" --secshim-policy="$p" --secshim-runtime="$STUB" "$@" </dev/null
}

# The JSON log cannot be opened: its path is a directory.
mkdir -p "$WORK/log-is-a-dir"
P_REFUSE=$(policy refuse ".audit.log = \"$WORK/log-is-a-dir\" | .audit.linux = false")
P_ALLOW=$(policy allow ".audit.log = \"$WORK/log-is-a-dir\" | .audit.linux = false | .audit.onFailure = \"allow\"")
P_CONTINUE=$(policy continue ".audit.log = \"$WORK/log-is-a-dir\" | .audit.linux = false | .audit.onFailure = \"continue\"")

b=$(bundle r1)
out=$(run "$P_REFUSE" create --bundle "$b" r1 2>&1); rc=$?
assert_status "default (refuse), log unwritable: the create is refused" "$rc" 1
assert_contains "... saying why and what to change" "$out" "the decision cannot be recorded and the policy's audit.onFailure is"
assert_contains "... naming the log" "$out" "audit: open \`$WORK/log-is-a-dir\`"
if stub_ran r1; then fail "refuse: runc ran"; else ok "refuse: runc never ran"; fi

b=$(bundle a1)
out=$(run "$P_ALLOW" create --bundle "$b" a1 2>&1); rc=$?
assert_status "onFailure allow, log unwritable: the create goes on" "$rc" 0
if stub_ran a1; then ok "allow: runc ran"; else fail "allow: runc did not run ($out)"; fi
assert_contains "allow: the failure is still reported on stderr" "$out" "audit: open"

b=$(bundle c1)
run "$P_CONTINUE" create --bundle "$b" c1 >/dev/null 2>&1; rc=$?
assert_status "\"continue\" is \"allow\"" "$rc" 0

# A refused container is refused whatever onFailure says.
jq '.process.user.uid = 0 | .linux.namespaces = [.linux.namespaces[] | select(.type != "pid")]' "$ORIG" >"$WORK/hostpid.json"
b=$(bundle h1); cp "$WORK/hostpid.json" "$b/config.json"
run "$P_ALLOW" create --bundle "$b" h1 >/dev/null 2>&1; rc=$?
assert_status "a refusal under onFailure allow, log unwritable: still refused" "$rc" 1
if stub_ran h1; then fail "refusal: runc ran"; else ok "refusal: runc never ran"; fi

# Lifecycle verbs never read the audit settings: they reach runc.
for verb in state kill delete; do
  run "$P_REFUSE" "$verb" r1 >/dev/null 2>&1; rc=$?
  assert_status "$verb under a failing audit trail: passed to runc" "$rc" 0
done

# exec and update follow the same rule.
jq '.process' "$ORIG" >"$WORK/process.json"
out=$(run "$P_REFUSE" exec --process "$WORK/process.json" r1 2>&1); rc=$?
assert_status "exec, log unwritable, refuse: refused (runc's exec status)" "$rc" 255
out=$(run "$P_REFUSE" update --memory 100M r1 2>&1); rc=$?
assert_status "update, log unwritable, refuse: refused" "$rc" 1
assert_contains "update: says why" "$out" "audit.onFailure is \\\"refuse\\\""

# The Linux record: "linux": true, and a user namespace where the kernel
# answers user records with ECONNREFUSED (no audit outside the initial user
# namespace).  The JSON log works here.
if command -v unshare >/dev/null && unshare -r true 2>/dev/null; then
  P_LREFUSE=$(policy lrefuse ".audit.linux = true")
  P_LALLOW=$(policy lallow ".audit.linux = true | .audit.onFailure = \"allow\"")
  chmod -R a+rX "$WORK"
  b=$(bundle l1)
  out=$(unshare -r "$SECSHIM_BIN" --secshim-policy="$P_LREFUSE" --secshim-runtime="$STUB" create --bundle "$b" l1 </dev/null 2>&1); rc=$?
  assert_status "linux true, no audit in a user namespace, refuse: refused" "$rc" 1
  assert_contains "... naming the Linux audit record" "$out" "the Linux audit record (audit.linux)"
  b=$(bundle l2)
  out=$(unshare -r "$SECSHIM_BIN" --secshim-policy="$P_LALLOW" --secshim-runtime="$STUB" create --bundle "$b" l2 </dev/null 2>&1); rc=$?
  assert_status "linux true, no audit, allow: starts" "$rc" 0
  # Absent "linux" (auto): no auditd visible from the user namespace means no
  # record and no failure.
  P_AUTO=$(policy auto 'del(.audit.linux)')
  b=$(bundle l3)
  out=$(unshare -r "$SECSHIM_BIN" --secshim-policy="$P_AUTO" --secshim-runtime="$STUB" create --bundle "$b" l3 </dev/null 2>&1); rc=$?
  assert_status "linux absent (auto), audit unreachable: not a failure" "$rc" 0
else
  fail "audit-onfailure: unshare -r (user namespaces) is not available here"
fi
done_testing
