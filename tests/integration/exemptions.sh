#!/usr/bin/env bash
# Exemptions and the warn/audit actions in runtime mode (docs/policy.md
# sections 1 and 4), through secshim with a stub runc: an exemption lifts
# only the rules it names, only for the identity it matches (containerId
# glob, runc --root, bundlePrefix, trusted annotations), and its findings are
# still recorded with "exempted": true; a warn rule allows and writes a
# "warning" line to runc's --log; an audit rule allows silently and records.
# `secshim check --id/--root` is tried against the same policies, since it
# must decide exactly as the runtime does.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/stubrunc.sh"

missing=
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
command -v jq >/dev/null || missing+=" jq;"
[ -f "$FIXTURES/docker-20.10/systemd-mount.config.json" ] || missing+=" fixtures in $FIXTURES;"
if [ -n "$missing" ]; then skip "exemptions: missing${missing%;}"; done_testing; exit; fi
if ! stub_setup; then fail "stub_setup failed"; done_testing; exit; fi

DOCS=$SECSHIM_TOP/tests/policy/docs
SYSTEMD=$FIXTURES/docker-20.10/systemd-mount.config.json
DEFAULT=$FIXTURES/docker-20.10/default.config.json

# policy NAME SOURCE [JQ]: a private copy of SOURCE whose audit log is ours.
policy() {
  jq --arg l "$AUDIT_LOG" ".audit.log = \$l | ${3:-.}" "$2" >"$WORK/$1.json" && chmod 0644 "$WORK/$1.json"
}
# bundle DIR BASE [JQ]: DIR/config.json from a fixture (hook pid neutralised).
bundle() {
  mkdir -p "$1" && fixture_no_pid "$2" | jq "${3:-.}" >"$1/config.json"
}
# create POLICY BUNDLE ID [GLOBAL ARGS...]: secshim create through the stub,
# runc --log in $WORK/ID.log (JSON); stderr in $WORK/ID.err.  Sets rc.
create() {
  local p=$1 b=$2 id=$3
  shift 3
  "$SECSHIM_BIN" --secshim-policy="$WORK/$p.json" --secshim-runtime="$STUB" --log "$WORK/$id.log" \
    --log-format "${LOGFMT:-json}" "$@" create --bundle "$b" "$id" >"$WORK/$id.out" 2>"$WORK/$id.err"
  rc=$?
}
# audit_of ID: the audit record of container ID (the last one).
audit_of() { jq -c --arg id "$1" 'select(.id == $id)' "$AUDIT_LOG" 2>/dev/null | tail -n 1; }
# finding_of ID RULE: jq over the record's findings of RULE
exempted_of() { audit_of "$1" | jq -r --arg r "$2" '[.findings[] | select(.rule == $r) | .exempted == true] | if length == 0 then "none" else all | tostring end'; }

allowed() { # name id: exit 0 and the stub ran
  if [ "$rc" -eq 0 ] && stub_ran "$2"; then ok "$1: allowed, runc ran"
  else fail "$1: exit $rc, stub ran: $(stub_ran "$2" && echo yes || echo no): $(head -c 400 "$WORK/$2.err")"; fi
}
refused() { # name id needle: exit 1, the stub never ran, the message names the rule/field
  if [ "$rc" -eq 1 ] && ! stub_ran "$2"; then ok "$1: refused before runc (exit 1)"
  else fail "$1: exit $rc (expected 1), stub ran: $(stub_ran "$2" && echo yes || echo no)"; fi
  assert_contains "$1: the message names $3" "$(cat "$WORK/$2.err")" "$3"
}

# --- containerId glob ----------------------------------------------------------
policy id "$DOCS/policy-exempt-id.json"
bundle "$WORK/b-systemd" "$SYSTEMD"
bundle "$WORK/b-systemd-uts" "$SYSTEMD" '.linux.namespaces |= map(select(.type != "uts"))'

create id "$WORK/b-systemd" trusted-1
allowed "containerId trusted-* matches trusted-1" trusted-1
assert_eq "containerId: runc got the exempted /run/systemd mount unchanged" \
  "$(jq -r '[.mounts[] | select(.destination == "/run/systemd") | .source] | join(",")' "$STUB_OUT/trusted-1.json" 2>&1)" /run/systemd
assert_eq "containerId: the user rule still rewrote uid 0" "$(jq -r .process.user.uid "$STUB_OUT/trusted-1.json" 2>&1)" 65534
assert_eq "containerId: audit finding for mounts has exempted: true" "$(exempted_of trusted-1 mounts)" true
assert_eq "containerId: audit finding for user is not exempted" "$(exempted_of trusted-1 user)" false
assert_eq "containerId: audit outcome" "$(audit_of trusted-1 | jq -r .outcome)" rewritten

create id "$WORK/b-systemd" other-1
refused "containerId other-1 does not match trusted-*" other-1 "mounts: -v /run/systemd:/run/systemd is refused"
assert_contains "containerId other-1: --log has a runc error line naming mounts" \
  "$(jq -c 'select(.level == "error")' "$WORK/other-1.log" 2>&1)" "secshim: mounts:"
assert_eq "containerId other-1: audit outcome refused" "$(audit_of other-1 | jq -r .outcome)" refused

create id "$WORK/b-systemd" xtrusted-1
refused "containerId glob is anchored (xtrusted-1)" xtrusted-1 "mounts:"

create id "$WORK/b-systemd-uts" trusted-2
refused "containerId exempts mounts only: --uts host still refused" trusted-2 "namespaces: --uts host is refused"
assert_not_contains "containerId exempts mounts only: the refusal does not cite the exempted mounts" \
  "$(cat "$WORK/trusted-2.err")" "mounts:"

out=$("$SECSHIM_BIN" check --policy "$WORK/id.json" --id trusted-9 "$WORK/b-systemd/config.json" 2>&1); st=$?
assert_status "check --id trusted-9: allowed" "$st" 0
assert_contains "check --id trusted-9: finding shown as exempt" "$out" "exempt  mounts: mounts[7].source"
out=$("$SECSHIM_BIN" check --policy "$WORK/id.json" --id other-9 "$WORK/b-systemd/config.json" 2>&1); st=$?
assert_status "check --id other-9: refused" "$st" 1
assert_contains "check --id other-9: finding shown as reject" "$out" "reject  mounts: mounts[7].source"
out=$("$SECSHIM_BIN" check --policy "$WORK/id.json" --format json --id trusted-9 "$WORK/b-systemd-uts/config.json" 2>&1); st=$?
assert_status "check --id trusted-9, no uts: refused" "$st" 1
assert_eq "check --format json: mounts exempted, namespaces not" \
  "$(printf '%s' "$out" | jq -c '[.findings[] | select(.rule == "mounts" or .rule == "namespaces") | [.rule, .exempted]]' 2>&1)" \
  '[["mounts",true],["namespaces",false]]'

# --- runc --root -------------------------------------------------------------------
policy root "$DOCS/policy-exempt-root.json"
create root "$WORK/b-systemd" root-1 --root /run/secshim-test/cri-root
allowed "root: --root equal to match.root" root-1
assert_eq "root: audit finding for mounts has exempted: true" "$(exempted_of root-1 mounts)" true
create root "$WORK/b-systemd" root-2 --root /run/secshim-test/other-root
refused "root: another --root" root-2 "mounts:"
create root "$WORK/b-systemd" root-3 --root /run/secshim-test/cri-root/
refused "root: compared as written (trailing slash)" root-3 "mounts:"
create root "$WORK/b-systemd" root-4
refused "root: no --root never matches" root-4 "mounts:"
out=$("$SECSHIM_BIN" check --policy "$WORK/root.json" --root /run/secshim-test/cri-root "$SYSTEMD" 2>&1); st=$?
assert_status "check --root matching: allowed" "$st" 0
assert_contains "check --root matching: exempt shown" "$out" "exempt  mounts:"
out=$("$SECSHIM_BIN" check --policy "$WORK/root.json" --root /run/other "$SYSTEMD" 2>&1); st=$?
assert_status "check --root not matching: refused" "$st" 1

# --- bundlePrefix ------------------------------------------------------------------
policy prefix "$DOCS/policy-exempt-bundle-other.json" ".exemptions[0].match.bundlePrefix = \"$WORK/exempt\""
bundle "$WORK/exempt/b" "$SYSTEMD"
bundle "$WORK/other/b" "$SYSTEMD"
bundle "$WORK/exempt-evil/b" "$SYSTEMD"
create prefix "$WORK/exempt/b" prefix-1
allowed "bundlePrefix: bundle below the prefix" prefix-1
assert_eq "bundlePrefix: audit finding for mounts has exempted: true" "$(exempted_of prefix-1 mounts)" true
create prefix "$WORK/other/b" prefix-2
refused "bundlePrefix: bundle elsewhere" prefix-2 "mounts:"
create prefix "$WORK/exempt-evil/b" prefix-3
refused "bundlePrefix: compared by component (exempt-evil is not below exempt)" prefix-3 "mounts:"
create prefix "$WORK/exempt/../other/b" prefix-4
refused "bundlePrefix: dot-dot out of the prefix" prefix-4 "mounts:"

# --- annotations ---------------------------------------------------------------------
policy ann "$DOCS/policy-exempt-annotations.json"
AN='.annotations["io.kubernetes.cri.sandbox-namespace"]'
bundle "$WORK/ann-kube" "$SYSTEMD" "$AN = \"kube-system\""
bundle "$WORK/ann-default" "$SYSTEMD" "$AN = \"default\""
create ann "$WORK/ann-kube" ann-1
allowed "annotations (trusted): value matches kube-*" ann-1
assert_eq "annotations: audit finding for mounts has exempted: true" "$(exempted_of ann-1 mounts)" true
create ann "$WORK/ann-default" ann-2
refused "annotations (trusted): value default does not match kube-*" ann-2 "mounts:"
create ann "$WORK/b-systemd" ann-3
refused "annotations (trusted): annotation absent" ann-3 "mounts:"

policy ann-untrusted "$DOCS/policy-exempt-annotations-untrusted.json"
create ann-untrusted "$WORK/ann-kube" ann-4
refused "annotations without trustAnnotations: the policy does not load, create refused" ann-4 \
  "exemptions[0].match.annotations"
out=$("$SECSHIM_BIN" check --policy "$WORK/ann-untrusted.json" "$WORK/ann-kube/config.json" 2>&1); st=$?
assert_status "check: annotations without trustAnnotations is unusable (exit 2)" "$st" 2
assert_contains "check: the load error names exemptions[0].match.annotations" "$out" "exemptions[0].match.annotations"

# --- verbs -----------------------------------------------------------------------------
policy vcheck "$DOCS/policy-exempt-verbs-check.json"
create vcheck "$WORK/b-systemd" verbs-1
refused "verbs [check]: does not apply to create" verbs-1 "mounts:"
out=$("$SECSHIM_BIN" check --policy "$WORK/vcheck.json" "$WORK/b-systemd/config.json" 2>&1); st=$?
assert_status "verbs [check]: applies in secshim check" "$st" 0
policy vexec "$DOCS/policy-exempt-id.json" '.exemptions[0].match.verbs = ["exec"]'
create vexec "$WORK/b-systemd" trusted-3
refused "verbs [exec] + containerId: does not apply to create" trusted-3 "mounts:"

# --- load-time refusals fail closed in runtime mode --------------------------------------
for bad in verbs-only:"exemptions[0].match: name at least one of" unknown-rule:"exemptions[0].rules[1]: unknown rule" \
  no-reason:"exemptions[0].reason: an exemption must say why"; do
  name=${bad%%:*} needle=${bad#*:}
  policy "bad-$name" "$DOCS/policy-exempt-$name.json"
  create "bad-$name" "$WORK/b-systemd" "bad-$name"
  refused "policy with exemption $name: create refused" "bad-$name" "$needle"
done

# --- warn --------------------------------------------------------------------------------
policy warn "$DOCS/policy-warn.json"
bundle "$WORK/b-default" "$DEFAULT"
create warn "$WORK/b-default" warn-1
allowed "warn: uid 0 under a warn rule" warn-1
assert_eq "warn: the document reaches runc unchanged (uid 0)" "$(jq -r .process.user.uid "$STUB_OUT/warn-1.json" 2>&1)" 0
assert_contains "warn: --log (json) has a level warning line naming user: process.user.uid" \
  "$(jq -c 'select(.level == "warning") | .msg' "$WORK/warn-1.log" 2>&1)" "secshim: warning: user: process.user.uid"
assert_contains "warn: --log (json) warns about capabilities too" \
  "$(jq -c 'select(.level == "warning") | .msg' "$WORK/warn-1.log" 2>&1)" "capabilities: process.capabilities.bounding"
assert_eq "warn: no error line in --log" "$(jq -c 'select(.level == "error")' "$WORK/warn-1.log" 2>&1)" ""
assert_eq "warn: nothing on stdout" "$(cat "$WORK/warn-1.out")" ""
assert_eq "warn: audit findings carry action warn" \
  "$(audit_of warn-1 | jq -r '[.findings[] | select(.rule == "user") | .action] | unique | join(",")')" warn
assert_eq "warn: audit outcome allowed" "$(audit_of warn-1 | jq -r .outcome)" allowed

LOGFMT=text create warn "$WORK/b-default" warn-2
allowed "warn (--log-format text)" warn-2
if grep -q '^time="[^"]*" level=warning msg="secshim: warning: user: process.user.uid' "$WORK/warn-2.log" 2>/dev/null; then
  ok "warn: --log (text) has a logrus-style level=warning line"
else fail "warn: no level=warning text line in --log: $(head -c 400 "$WORK/warn-2.log" 2>&1)"; fi

"$SECSHIM_BIN" --secshim-policy="$WORK/warn.json" --secshim-runtime="$STUB" create --bundle "$WORK/b-default" warn-3 \
  >"$WORK/warn-3.out" 2>"$WORK/warn-3.err"; rc=$?
allowed "warn without --log" warn-3
assert_contains "warn without --log: the warning is on stderr" "$(cat "$WORK/warn-3.err")" "secshim: warning: user: process.user.uid"
assert_eq "warn without --log: nothing on stdout" "$(cat "$WORK/warn-3.out")" ""

policy warn-exempt "$DOCS/policy-warn.json" \
  '.exemptions = [{"rules": ["user"], "reason": "test: quiet", "match": {"containerId": "quiet-*"}}]'
create warn-exempt "$WORK/b-default" quiet-1
allowed "warn + exemption on user" quiet-1
assert_not_contains "warn + exemption: no warning line for the exempted rule" "$(cat "$WORK/quiet-1.log" 2>/dev/null)" "warning: user:"
assert_contains "warn + exemption: other warn rules still warn" "$(cat "$WORK/quiet-1.log" 2>/dev/null)" "warning: capabilities:"
assert_eq "warn + exemption: user findings exempted in the audit record" "$(exempted_of quiet-1 user)" true

create warn "$WORK/b-systemd" warn-4
refused "warn does not lift another rule's reject" warn-4 "mounts:"

# --- audit ---------------------------------------------------------------------------------
policy auditonly "$DOCS/policy-audit-only.json"
create auditonly "$WORK/b-default" audit-1
allowed "audit: uid 0 under an audit rule" audit-1
assert_eq "audit: the document reaches runc unchanged (uid 0)" "$(jq -r .process.user.uid "$STUB_OUT/audit-1.json" 2>&1)" 0
assert_eq "audit: the capability set reaches runc unchanged" \
  "$(jq -c .process.capabilities.bounding "$STUB_OUT/audit-1.json" 2>&1)" "$(jq -c .process.capabilities.bounding "$WORK/b-default/config.json")"
assert_eq "audit: silent (no --log line)" "$(cat "$WORK/audit-1.log" 2>/dev/null)" ""
assert_eq "audit: silent (nothing on stderr)" "$(cat "$WORK/audit-1.err")" ""
assert_eq "audit: findings recorded with action audit" \
  "$(audit_of audit-1 | jq -r '[.findings[] | select(.rule == "user" or .rule == "capabilities") | .action] | unique | join(",")')" audit
assert_eq "audit: audit outcome allowed" "$(audit_of audit-1 | jq -r .outcome)" allowed

done_testing
