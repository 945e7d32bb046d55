#!/usr/bin/env bash
# rules.process.oomScoreAdjEngine on the real host: secshim reads its own
# oom_score_adj, inherited from whatever started it (containerd's shim in
# production, choom here).  Raising a score needs no privilege, so the
# engine runs at 300 and the policy's floor is 500: a value between the
# two is kept, one below the engine is raised to the floor.
source "$(dirname "$0")/../lib/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$SECSHIM_TOP/policy" "$work/policy"
jq '.rules.process.oomScoreAdjMin = 500 | .rules.process.oomScoreAdjEngine = true' \
  "$SECSHIM_TOP/policy/default.json" >"$work/policy/engine.json"
jq '.rules.process.oomScoreAdjEngine = false' "$work/policy/engine.json" >"$work/policy/floor.json"
# Only the process matters here: no mounts, whose sources would have to exist.
base=$work/base.json
jq 'del(.mounts, .hooks)' \
  "$SECSHIM_TOP/tests/fixtures/docker-20.10/default.config.json" >"$base"

score_after() { # policy engine-score value
  jq ".process.oomScoreAdj = $3" "$base" >"$work/config.json"
  choom -n "$2" -- "$SECSHIM_BIN" check --policy "$1" --output "$work/out.json" "$work/config.json" >"$work/check.txt" 2>&1 ||
    { echo "check failed: $(head -n 3 "$work/check.txt")"; return; }
  jq -r .process.oomScoreAdj "$work/out.json"
}

assert_eq "engine at 300, floor 500: 400 is kept" "$(score_after "$work/policy/engine.json" 300 400)" 400
assert_eq "engine at 300, floor 500: 300 is kept" "$(score_after "$work/policy/engine.json" 300 300)" 300
assert_eq "engine at 300, floor 500: 299 is raised to the floor" "$(score_after "$work/policy/engine.json" 300 299)" 500
assert_eq "oomScoreAdjEngine false: 400 is raised to the floor" "$(score_after "$work/policy/floor.json" 300 400)" 500
assert_eq "shipped default, engine at 0: -998 is raised to 0" \
  "$(score_after "$SECSHIM_TOP/policy/default.json" 0 -998)" 0
done_testing
