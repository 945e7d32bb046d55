#!/usr/bin/env bash
# 100 containers started at once through the private dockerd with
# --runtime secure (hack/dockerd.sh): 80 ordinary `docker run --rm
# --network none IMAGE true` and 20 with a /run/systemd bind mount that the
# default policy refuses, 20 at a time.  Every ordinary one exits 0, every
# refused one fails with secshim's message in docker's output, and the audit
# log of the secure runtime's policy gets exactly one complete JSON record on
# its own line per container, with the outcome a single sequential run gets.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/docker.sh"
docker_e2e_setup

N_OK=${PAR_OK:-80}
N_REFUSED=${PAR_REFUSED:-20}
PARALLEL=${PAR_PARALLEL:-20}
BUDGET=${PAR_BUDGET:-280} # seconds for the whole batch

# The audit log of the policy the "secure" runtime runs with.
policy=$("$SECSHIM_TOP/hack/dockerd.sh" config |
  jq -r '.runtimes.secure.runtimeArgs[]? | select(startswith("--secshim-policy=")) | ltrimstr("--secshim-policy=")')
audit=$(jq -r '.audit.log // empty' "$policy" 2>/dev/null)
if [ -z "$audit" ]; then
  fail "the secure runtime's policy ($policy) has no audit log to check"
  done_testing; exit
fi
diag "secure runtime: policy $policy, audit log $audit"

W=$(mktemp -d "${TMPDIR:-/tmp}/secshim-par.XXXXXX")
trap 'docker_e2e_teardown; rm -rf "$W"' EXIT

# One container: docker's exit status and output, and the container id.
start_one() { # name
  local extra=()
  case $1 in refused-*) extra=(-v /run/systemd:/run/systemd) ;; esac
  secure_run --cidfile "$W/$1.cid" "${extra[@]}" "$IMAGE" true >"$W/$1.out" 2>&1
  echo $? >"$W/$1.rc"
}
export -f start_one secure_run dk_run dk
export W IMAGE TEST_LABEL DOCKER_CLI DOCKER_TIMEOUT DOCKER_HOST

size_of() { stat -c %s "$audit" 2>/dev/null || echo 0; }
# The records appended to the audit log since byte offset $1.
records_since() { tail -c +"$(($1 + 1))" "$audit"; }
record_of() { # offset container-id: the records for that container, one per line
  records_since "$1" | jq -R -c --arg id "$2" 'try (fromjson | select(.id == $id)) catch empty'
}

# --- one sequential run: the outcome every ordinary container should get -------
mkdir -p /run/systemd
start=$(size_of)
start_one ok-ref
assert_status "reference container: exit 0" "$(cat "$W/ok-ref.rc")" 0
ref_id=$(cat "$W/ok-ref.cid" 2>/dev/null)
ref_outcome=$(record_of "$start" "$ref_id" | jq -r .outcome)
case $ref_outcome in
  allowed|rewritten) ok "reference container: audited as '$ref_outcome'" ;;
  *) fail "reference container: audit outcome '$ref_outcome' (id $ref_id)" ;;
esac

# --- the batch ---------------------------------------------------------------
names=()
for ((i = 1; i <= N_OK; i++)); do names+=("ok-$i"); done
for ((i = 1; i <= N_REFUSED; i++)); do names+=("refused-$i"); done
start=$(size_of)
t0=$(date +%s)
printf '%s\n' "${names[@]}" | shuf |
  timeout "$BUDGET" xargs -P "$PARALLEL" -I{} bash -c 'start_one "$1"' _ {}
xrc=$?
t1=$(date +%s)
diag "$((N_OK + N_REFUSED)) containers, $PARALLEL at a time: $((t1 - t0)) s"
if [ "$xrc" -eq 124 ]; then fail "the batch did not finish within ${BUDGET}s"; else ok "the batch finished within ${BUDGET}s ($((t1 - t0)) s)"; fi

ok_rc=0 refused_rc=0 refused_msg=0 ran=0 have_id=0
ok_fail=
for n in "${names[@]}"; do
  rc=$(cat "$W/$n.rc" 2>/dev/null || echo none)
  [ -s "$W/$n.cid" ] && have_id=$((have_id + 1))
  case $n in
    ok-*)
      if [ "$rc" = 0 ]; then ok_rc=$((ok_rc + 1)); else ok_fail+=" $n(rc $rc: $(head -c 200 "$W/$n.out" | tr '\n' ' '))"; fi ;;
    refused-*)
      [ "$rc" != 0 ] && [ "$rc" != none ] && refused_rc=$((refused_rc + 1))
      grep -q secshim "$W/$n.out" && refused_msg=$((refused_msg + 1)) ;;
  esac
done
assert_eq "ordinary containers that exited 0" "$ok_rc" "$N_OK"
[ -n "$ok_fail" ] && diag "failed:$(printf '%s' "$ok_fail" | head -c 1500)"
assert_eq "refused containers that failed" "$refused_rc" "$N_REFUSED"
assert_eq "refused containers whose docker output names secshim" "$refused_msg" "$N_REFUSED"
assert_eq "containers docker created (a cidfile with the id)" "$have_id" "$((N_OK + N_REFUSED))"

# --- the audit log ---------------------------------------------------------------
records_since "$start" >"$W/new-records"
total=$(wc -l <"$W/new-records")
bad=$(jq -R -r 'try (fromjson | if type == "object" then empty else "bad" end) catch "bad"' "$W/new-records" | wc -l)
diag "$total audit records appended during the batch (other tests may add theirs)"
assert_eq "audit records appended during the batch that are not one complete JSON object per line" "$bad" 0
if [ ! -s "$W/new-records" ] || [ "$(tail -c 1 "$W/new-records" | od -An -c | tr -d ' ')" = '\n' ]; then
  ok "the audit log ends with a complete line"
else
  fail "the audit log ends in the middle of a line"
fi
# id -> outcomes of create records, for our containers only.
jq -R -r 'try (fromjson | select(.verb == "create") | "\(.id) \(.outcome)") catch empty' "$W/new-records" >"$W/by-id"
one_ok=0 one_refused=0 multi=
for n in "${names[@]}"; do
  id=$(cat "$W/$n.cid" 2>/dev/null) || continue
  got=$(awk -v id="$id" '$1 == id { print $2 }' "$W/by-id")
  case $n in
    ok-*) [ "$got" = "$ref_outcome" ] && one_ok=$((one_ok + 1)) ;;
    refused-*) [ "$got" = refused ] && one_refused=$((one_refused + 1)) ;;
  esac
  [ "$(printf '%s' "$got" | grep -c .)" -gt 1 ] && multi+=" $n"
done
assert_eq "ordinary containers with exactly one audit record, '$ref_outcome'" "$one_ok" "$N_OK"
assert_eq "refused containers with exactly one audit record, 'refused'" "$one_refused" "$N_REFUSED"
assert_eq "containers with more than one create record" "$multi" ""

done_testing
