#!/usr/bin/env bash
# Concurrency without docker (security.md T12), secshim in front of a stub runc:
#
#  * 200 creates of a docker config plus 40 refused ones (a /run/systemd bind
#    mount), all at once on distinct bundles: every accepted bundle holds the
#    same bytes as one sequential run produced, the stub saw exactly those,
#    refused bundles are untouched and the stub never ran for them, no temp
#    file is left, and the audit log has one complete JSON record per run,
#    each on its own line;
#  * 50 runs at once on ONE bundle: a reader sampling config.json meanwhile
#    only ever sees the original or the complete output, the end result equals
#    a single run's output byte for byte, every stub saw that output, exactly
#    one run rewrote (the others found it already done), and the audit log is
#    again one valid line per run.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/stubrunc.sh"

N_GOOD=${CONC_GOOD:-200}
N_BAD=${CONC_BAD:-40}
N_ONE=${CONC_ONE:-50}
PARALLEL=${CONC_PARALLEL:-50}
GOOD_FIXTURE=$FIXTURES/docker-20.10/default.config.json
BAD_FIXTURE=$FIXTURES/docker-20.10/systemd-mount.config.json

missing=
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
command -v jq >/dev/null || missing+=" jq;"
[ -f "$GOOD_FIXTURE" ] && [ -f "$BAD_FIXTURE" ] || missing+=" fixtures $FIXTURES/docker-20.10;"
if [ -n "$missing" ]; then skip "concurrency: missing${missing%;}"; done_testing; exit; fi
if ! stub_setup; then fail "concurrency: could not set up the stub runc and policy copy"; done_testing; exit; fi

# The fixtures' dockerd pid could be any process here while 240 secshims
# run (see fixture_no_pid).
GOOD=$WORK/good.json BAD=$WORK/bad.json
fixture_any_id "$GOOD_FIXTURE" >"$GOOD" && fixture_any_id "$BAD_FIXTURE" >"$BAD" || { fail "concurrency: jq on the fixtures"; done_testing; exit; }

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc 2>/dev/null || echo "?"; }

# One run: exit status, stdout and stderr into $WORK/res/ID.*
run_one() { # id bundle
  "$SECSHIM_BIN" --secshim-policy="$POLICY" --secshim-runtime="$STUB" create --bundle "$2" "$1" \
    </dev/null >"$WORK/res/$1.out" 2>"$WORK/res/$1.err"
  echo $? >"$WORK/res/$1.rc"
}
export -f run_one
export SECSHIM_BIN POLICY STUB WORK
mkdir -p "$WORK/res"

# Audit log as "ID OUTCOME" per line, or BAD for a line that is not one
# complete JSON object.
audit_summary() {
  jq -R -r 'try (fromjson | if type == "object" then "\(.id) \(.outcome)" else "BAD" end) catch "BAD"' "$AUDIT_LOG"
}
# The audit log ends with a newline and has no empty line.
audit_well_formed() {
  [ -s "$AUDIT_LOG" ] && [ "$(tail -c 1 "$AUDIT_LOG" | od -An -c | tr -d ' ')" = '\n' ] && ! grep -qx '' "$AUDIT_LOG"
}
outcome_of_last() { tail -n 1 "$AUDIT_LOG" | jq -r .outcome; }

# --- reference: one sequential run ------------------------------------------
mkdir -p "$WORK/ref"
cp "$GOOD" "$WORK/ref/config.json"
run_one ref "$WORK/ref"
assert_status "reference run: exit 0" "$(cat "$WORK/res/ref.rc")" 0
EXPECTED=$WORK/expected.json
cp "$WORK/ref/config.json" "$EXPECTED"
if cmp -s "$GOOD" "$EXPECTED"; then fail "reference run: config.json was not rewritten"; else ok "reference run: config.json rewritten"; fi
if jq -e '.process.user.uid == 65534 and .process.user.gid == 65534 and .process.noNewPrivileges == true' "$EXPECTED" >/dev/null; then
  ok "reference output: uid/gid 65534, noNewPrivileges true"
else
  fail "reference output: uid/gid not 65534 or noNewPrivileges not true"
fi
O_FIRST=$(outcome_of_last)
run_one ref2 "$WORK/ref"
check "reference: a second run leaves the output byte for byte (idempotent)" cmp -s "$WORK/ref/config.json" "$EXPECTED"
O_AGAIN=$(outcome_of_last)
diag "outcome of a first run: $O_FIRST, of a run on its own output: $O_AGAIN"
: >"$AUDIT_LOG"

# --- distinct bundles, all at once ---------------------------------------------
ids=()
for ((i = 1; i <= N_GOOD; i++)); do mkdir -p "$WORK/b/g$i"; cp "$GOOD" "$WORK/b/g$i/config.json"; ids+=("g$i"); done
for ((i = 1; i <= N_BAD; i++)); do mkdir -p "$WORK/b/r$i"; cp "$BAD" "$WORK/b/r$i/config.json"; ids+=("r$i"); done
t0=$(now)
printf '%s\n' "${ids[@]}" | shuf | xargs -P "$PARALLEL" -I{} bash -c 'run_one "$1" "$WORK/b/$1"' _ {}
diag "$((N_GOOD + N_BAD)) runs, $PARALLEL at a time: $(since "$t0") s"

good_rc=0 good_same=0 good_seen=0 bad_rc=0 bad_same=0 bad_ran=0 bad_msg=0 bad_out=0
bad_list=
for ((i = 1; i <= N_GOOD; i++)); do
  id=g$i
  [ "$(cat "$WORK/res/$id.rc")" = 0 ] && good_rc=$((good_rc + 1)) || bad_list+=" $id(rc $(cat "$WORK/res/$id.rc"): $(head -c 200 "$WORK/res/$id.err"))"
  cmp -s "$WORK/b/$id/config.json" "$EXPECTED" && good_same=$((good_same + 1))
  cmp -s "$STUB_OUT/$id.json" "$EXPECTED" && good_seen=$((good_seen + 1))
done
for ((i = 1; i <= N_BAD; i++)); do
  id=r$i
  [ "$(cat "$WORK/res/$id.rc")" = 1 ] && bad_rc=$((bad_rc + 1))
  cmp -s "$WORK/b/$id/config.json" "$BAD" && bad_same=$((bad_same + 1))
  stub_ran "$id" && bad_ran=$((bad_ran + 1))
  grep -q 'secshim: .*/run/systemd' "$WORK/res/$id.err" && bad_msg=$((bad_msg + 1))
  [ -s "$WORK/res/$id.out" ] && bad_out=$((bad_out + 1))
done
assert_eq "distinct bundles: accepted runs exiting 0" "$good_rc" "$N_GOOD"
[ -n "$bad_list" ] && diag "failed:$(printf '%s' "$bad_list" | head -c 1000)"
assert_eq "distinct bundles: config.json equal to the sequential run's output" "$good_same" "$N_GOOD"
assert_eq "distinct bundles: the stub read exactly that output" "$good_seen" "$N_GOOD"
if n=$(jq -e -s 'if all(.process.user.uid == 65534 and .process.noNewPrivileges == true) then length else error("policy not applied") end' \
  "$WORK"/b/g*/config.json 2>&1); then
  assert_eq "distinct bundles: every config.json is valid JSON with uid 65534 and noNewPrivileges" "$n" "$N_GOOD"
else
  fail "distinct bundles: a config.json is not valid JSON or not rewritten: $(printf '%s' "$n" | head -c 300)"
fi
assert_eq "distinct bundles: refused runs exiting 1" "$bad_rc" "$N_BAD"
assert_eq "distinct bundles: refused bundles left byte for byte" "$bad_same" "$N_BAD"
assert_eq "distinct bundles: the stub never ran for a refused bundle" "$bad_ran" 0
assert_eq "distinct bundles: refusals name secshim and /run/systemd on stderr" "$bad_msg" "$N_BAD"
assert_eq "distinct bundles: nothing on stdout for a refusal" "$bad_out" 0
left=$(find "$WORK/b" -mindepth 2 ! -name config.json | head -n 5)
assert_eq "distinct bundles: no temp file or other leftover in any bundle" "$left" ""

check "distinct bundles: the audit log ends with a newline and has no empty line" audit_well_formed
summary=$(audit_summary)
assert_eq "distinct bundles: audit records that are not one complete JSON object per line" \
  "$(grep -c '^BAD$' <<<"$summary")" 0
assert_eq "distinct bundles: audit records, one per run" "$(wc -l <"$AUDIT_LOG")" "$((N_GOOD + N_BAD))"
assert_eq "distinct bundles: audit records for distinct containers" \
  "$(cut -d' ' -f1 <<<"$summary" | sort -u | wc -l)" "$((N_GOOD + N_BAD))"
assert_eq "distinct bundles: accepted runs audited as '$O_FIRST'" \
  "$(grep -cE "^g[0-9]+ $O_FIRST\$" <<<"$summary")" "$N_GOOD"
assert_eq "distinct bundles: refused runs audited as 'refused'" "$(grep -cE '^r[0-9]+ refused$' <<<"$summary")" "$N_BAD"

# --- one bundle, all at once ---------------------------------------------------
: >"$AUDIT_LOG"
one=$WORK/one
mkdir -p "$one"
cp "$GOOD" "$one/config.json"
# Samplers read config.json as fast as they can until the runs are over.
# One cmp opens the file once: if that open saw the original the first cmp
# matches, else the file can only have become the output since.
N_SAMPLERS=4
sampler() { # k
  local n=0 old=0 new=0 odd=0
  while [ ! -e "$WORK/one.done" ]; do
    n=$((n + 1))
    if cmp -s "$one/config.json" "$GOOD"; then old=$((old + 1))
    elif cmp -s "$one/config.json" "$EXPECTED"; then new=$((new + 1))
    else odd=$((odd + 1)); cp "$one/config.json" "$WORK/odd-sample.$1.$odd" 2>/dev/null; fi
  done
  echo "$n $old $new $odd" >"$WORK/samples.$1"
}
spids=()
for ((k = 1; k <= N_SAMPLERS; k++)); do sampler "$k" & spids+=($!); done
sleep 0.3
t0=$(now)
for ((i = 1; i <= N_ONE; i++)); do echo "s$i"; done | xargs -P "$N_ONE" -I{} bash -c 'run_one "$1" "$WORK/one"' _ {}
diag "$N_ONE runs on one bundle at once: $(since "$t0") s"
sleep 0.3
touch "$WORK/one.done"
wait "${spids[@]}"
read -r samples old new odd < <(cat "$WORK"/samples.* | awk '{n += $1; o += $2; w += $3; d += $4} END {print n, o, w, d}')
diag "samplers read config.json $samples times: $old original, $new output, $odd other"
if [ "$old" -gt 0 ] && [ "$new" -gt 0 ]; then
  ok "one bundle: the samplers saw the original and then the output"
else
  fail "one bundle: the samplers did not watch the change ($old original, $new output samples)"
fi
assert_eq "one bundle: samples that were neither the original nor the complete output" "$odd" 0

ok_runs=0 seen_ok=0
for ((i = 1; i <= N_ONE; i++)); do
  [ "$(cat "$WORK/res/s$i.rc")" = 0 ] && ok_runs=$((ok_runs + 1))
  cmp -s "$STUB_OUT/s$i.json" "$EXPECTED" && seen_ok=$((seen_ok + 1))
done
assert_eq "one bundle: runs exiting 0" "$ok_runs" "$N_ONE"
check "one bundle: the final config.json equals a single run's output byte for byte" cmp -s "$one/config.json" "$EXPECTED"
assert_eq "one bundle: every stub read the complete output" "$seen_ok" "$N_ONE"
assert_eq "one bundle: no temp file or other leftover" "$(find "$one" -mindepth 1 ! -name config.json | head -n 5)" ""
check "one bundle: the audit log ends with a newline and has no empty line" audit_well_formed
summary=$(audit_summary)
assert_eq "one bundle: audit records that are not one complete JSON object per line" "$(grep -c '^BAD$' <<<"$summary")" 0
assert_eq "one bundle: audit records, one per run" "$(wc -l <"$AUDIT_LOG")" "$N_ONE"
if [ "$O_FIRST" != "$O_AGAIN" ]; then
  # Serialised by the bundle lock: the first run rewrites, the others find
  # the rewritten file and leave it alone.
  assert_eq "one bundle: exactly one run '$O_FIRST'" "$(grep -c " $O_FIRST\$" <<<"$summary")" 1
  assert_eq "one bundle: the other runs '$O_AGAIN'" "$(grep -c " $O_AGAIN\$" <<<"$summary")" "$((N_ONE - 1))"
else
  assert_eq "one bundle: every run '$O_FIRST'" "$(grep -c " $O_FIRST\$" <<<"$summary")" "$N_ONE"
fi

done_testing
