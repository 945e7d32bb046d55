#!/usr/bin/env bash
# The 16 parser-differential cases measured in security.md §2.1 (yajl_tree vs
# runc's Go decoder), one named test each.  Every case was a bypass, a crash
# or a disagreement for a naive wrapper; here each must be refused with a
# message naming the problem (bundle untouched), or accepted with runc's view
# complying with the policy and equal to secshim's.
. "$(dirname "$0")/adv-lib.sh"
adv_setup
adv_control

doc() { echo "$ADV_DATA/docs/$1.json"; }
adv_case "2.1#1 uid and UID in one object (Go: last wins, folded)" 'uid' "$(doc t01_dup_folded_uid)"
adv_case "2.1#2 process twice at top level (Go: merges the second)" 'duplicate|process' "$(doc t02_dup_process_top_level)"
adv_case "2.1#3 key uid\\u0000 (yajl truncates, Go ignores)" 'nul|u0000|uid' "$(doc t03_nul_escape_in_key)"
adv_case "2.1#4 hoo\\u212As with a createRuntime hook (Kelvin sign)" 'hoo|hooks|fold' "$(doc t04_kelvin_hooks)"
adv_case "2.1#5 \\u017Feccomp: null after seccomp (long s)" 'seccomp|fold' "$(doc t05_longs_seccomp_null)"
adv_case "2.1#6 uid: null (Go: zero, i.e. root)" 'uid|null' "$(doc t06_uid_null)"
adv_case "2.1#7 comment before the document" 'comment|invalid|json|parse' "$(doc t07_comment)"
adv_case "2.1#8 second document with uid 0 after the first" 'trailing' "$(doc t08_second_document)"
adv_case "2.1#9 uid 4294967296" 'uid.*range|range.*uid' "$(doc t09_uid_2p32)"
adv_case "2.1#10 uid -1" 'uid' "$(doc t10_uid_negative)"
adv_case "2.1#11 uid 1e3" 'uid' "$(doc t11_uid_exponent)"
adv_case "2.1#12 UTF-8 byte order mark" 'bom|byte order|bytes' "$(doc t12_bom)"
adv_case "2.1#13 invalid UTF-8 byte in a value" 'utf-8|utf8' "$(doc t13_invalid_utf8)"
adv_case "2.1#14 lone surrogate \\ud800 in a value" 'surrogate' "$(doc t14_lone_surrogate)"

big=$WORK/big
if python3 "$ADV_DATA/gen.py" --big "$big"; then
  adv_case "2.1#15 nesting 10^5" 'depth|nest' "$big/t15_nesting_1e5.json"
  # yajl_tree_free overflowed the stack here; the strict loader must refuse
  # early, so this also asserts no signal (exit status 1, not 139).
  adv_case "2.1#16 nesting 10^6 (2 MB)" 'depth|nest' "$big/t16_nesting_1e6.json"
else
  fail "data/gen.py --big failed"; fail "2.1#16 not generated"
fi
done_testing
