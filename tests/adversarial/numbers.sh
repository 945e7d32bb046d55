#!/usr/bin/env bash
# Numbers as runc parses them (issue 10 class 6), judged by the Go oracle.
#
# 1. Inline `runc exec --user/-u uid[:gid]` and `--additional-gids/-g`: runc
#    1.1.5 reads them with strconv.Atoi / urfave/cli's Int64Slice
#    (ParseInt base 10) and keeps uint32(v), so "-0", "+0", "00",
#    "4294967296" and "-4294967296" are root to runc whatever the text says.
#    For every row, `oracle numbers exec ARGS` (runc's own flag definitions
#    and getProcess code, over a config user 1000:1000) says what the exec'd
#    process gets.  A row the oracle reads as uid 0, gid 0, group 0 or an
#    error must be refused (exit 255, runc never runs); a row it reads as
#    non-root must be let through, unless marked "strict": a form secshim's
#    argv layer refuses on purpose because readers disagree on it ('+', leading
#    zeros in an integer flag), listed so the choice stays visible.
# 2. The table of tests/unit/numbers-cases.tsv, which the C unit test checks
#    against secshim's go_* parsers, is itself checked against Go here.
# 3. JSON numbers for uid/gid/additionalGids in process.json (exec --process)
#    and config.json (create), judged like every adversarial case (adv-lib).
source "$(dirname "$0")/adv-lib.sh"
adv_setup

# --- 1. exec argv -----------------------------------------------------------------
# expect|args (one per field, '|' separated)
rows='refuse|-u|0
refuse|-u|-0
refuse|-u|+0
refuse|-u|00
refuse|-u|4294967296
refuse|-u|-4294967296
refuse|-u|8589934592:1000
refuse|-u|18446744073709551616
refuse|-u|1000:-0
refuse|-u|1000:+0
refuse|-u|1000:4294967296
refuse|-u|0:1000
refuse|-u| 1000
refuse|-u|1000 
refuse|-u|1000:
refuse|-u|:1000
refuse|-u|0x3e8
refuse|-u|1_000
refuse|-u|root
refuse|-g|0
refuse|-g|-0
refuse|-g|4294967296
refuse|-g|8589934592
refuse|-g|-1
refuse|-g=4294967296
refuse|--additional-gids=-0
refuse|--additional-gids|4294967296
refuse|-g|1000|-g|4294967296
refuse|-u|1000:1000|-g|-0
strict|-g|+1000
strict|-g|01000
allow|-u|1000
allow|-u|1000:1000
allow|-u|+1000:+1000
allow|-u|01000:01000
allow|-u|4294968296
allow|-u|-4294966296:1000
allow|-g|1000
allow|-g|4294968296
allow|--user=
allow|-u|1000|-g|1000|-g|1001'

n=0
while IFS= read -r row; do
  IFS='|' read -r -a f <<<"$row"
  expect=${f[0]} args=("${f[@]:1}")
  n=$((n + 1)) CASE_N=$n
  shown=$(printf '%q ' "${args[@]}")
  verdict=$("$ORACLE" numbers exec "${args[@]}" cid true 2>&1)
  root=no
  case " $verdict " in
    *ERROR*) root=error ;;
    *" uid=0 "* | *" gid=0 "*) root=yes ;;
    *" gids="*) g=${verdict##*gids=}; case ",$g," in *,0,*) root=yes ;; esac ;;
  esac
  # The table must agree with runc: what runc reads as root is never "allow".
  if [ "$root" != no ] && [ "$expect" != refuse ]; then
    fail "argv $shown: runc reads it as '$verdict', but the table says $expect"; continue
  fi
  if [ "$root" = no ] && [ "$expect" = refuse ]; then
    fail "argv $shown: runc reads it as '$verdict' (not root): the table should say allow or strict"; continue
  fi
  adv_run exec "${args[@]}" cid "marker-$n"
  if [ "$expect" = allow ]; then
    if [ "$RC" -eq 0 ] && [ -e "$STUB_OUT/inline" ]; then ok "argv $shown: allowed (runc: $verdict)"
    else fail "argv $shown: refused although runc reads '$verdict': $(head -c 300 "$ERR")"; fi
  else
    if [ "$RC" -eq 255 ] && [ ! -e "$STUB_OUT/argv" ] && [ -s "$ERR" ]; then
      ok "argv $shown: refused (runc: $verdict; $expect): $(head -n 1 "$ERR" | cut -c1-120)"
    else
      fail "argv $shown: exit $RC, runc ran: $([ -e "$STUB_OUT/argv" ] && echo yes || echo no) (runc: $verdict)"
    fi
  fi
done <<<"$rows"

# --- 2. the unit test's table is Go's -------------------------------------------
bad= rows_n=0
while IFS=$'\t' read -r kind in want; do
  case $kind in ''|'#'*) continue ;; esac
  rows_n=$((rows_n + 1))
  text=$(jq -rj . <<<"$in")
  got=$("$ORACLE" numbers strconv "$kind" "$text")
  [ "$got" = "$want" ] || bad+=" $kind $in: Go says $got, table says $want;"
done <"$SECSHIM_TOP/tests/unit/numbers-cases.tsv"
assert_eq "tests/unit/numbers-cases.tsv: all $rows_n rows are Go's answers" "$bad" ""

# --- 3. JSON numbers -----------------------------------------------------------
# exec --process: the documents docker writes, with one user number replaced
# by a raw JSON lexeme.
pj_base=$FIXTURES/docker-20.10/exec-tty-user.process.json
json_case() { # name field lexeme
  local name=$1 field=$2 lex=$3 doc
  n=$((n + 1)) CASE_N=$n
  doc=$WORK/p$n.json
  jq -c --arg f "$field" '.user[$f] = "@LEX@"' "$pj_base" | sed "s/\"@LEX@\"/$lex/" >"$doc"
  BEFORE=$(fingerprint "$doc")
  adv_run exec --process "$doc" cid
  adv_expect "json process.user.$field = $lex ($name)" 'uid|gid|additionalGids|uint32|not a valid|out of range' "$doc" "$doc" --process
}
json_case "minus zero: a Go decode error" uid '-0'
json_case "2^32: out of range for Go's uint32" uid 4294967296
json_case "exponent" uid '1e0'
json_case "fraction" uid '0.0'
json_case "fraction, non-zero" uid '1000.0'
json_case "negative" uid '-1'
json_case "string" uid '"0"'
json_case "minus zero gid" gid '-0'
json_case "2^32 gid" gid 4294967296
json_case "exponent gid" gid '0e0'
json_case "minus zero in additionalGids" additionalGids '[-0]'
json_case "2^32 in additionalGids" additionalGids '[1000,4294967296]'
json_case "exponent in additionalGids" additionalGids '[1e3]'
json_case "largest uint32 gid" gid 4294967295
json_case "zero gid (rewritten)" gid 0
# config.json: the same lexemes through create.
cfg_base=$FIXTURES/docker-20.10/nnp-user.config.json
for lex in -0 4294967296 1e0 0.0; do
  n=$((n + 1)) CASE_N=$n
  doc=$WORK/c$n.json
  setkey_fixture "$cfg_base" "num-$n" | jq -c '.process.user.gid = "@LEX@"' | sed "s/\"@LEX@\"/$lex/" >"$doc"
  b=$(adv_bundle "$doc")
  BEFORE=$(fingerprint "$b/config.json")
  adv_run create --bundle "$b" "num-$n"
  adv_expect "json config process.user.gid = $lex" 'gid|uint32|not a valid|out of range' "$doc" "$b/config.json"
done
done_testing
