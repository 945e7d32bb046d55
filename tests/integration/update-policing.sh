#!/usr/bin/env bash
# `runc update` through secshim: with the resources rule at reject, an update
# may not lift a required limit, and the --resources document runc reads is
# the one secshim checked (a sealed memfd).  A fake runtime prints what it
# was given, so this needs neither root nor a container.
source "$(dirname "$0")/../lib/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/fake-runc" <<'SH'
#!/bin/sh
echo "ARGS: $*"
for a in "$@"; do case $a in --resources=*) f=${a#--resources=}; echo "FILE: $(cat "$f")";; esac; done
SH
chmod +x "$work/fake-runc"
echo '{"version":1,"rules":{"resources":{"action":"reject"}}}' >"$work/reject.json"
echo '{"version":1,"rules":{"resources":{"action":"audit"}}}' >"$work/audit.json"

up() { # policy args... (stdin passed through)
  local pol=$1; shift
  "$SECSHIM_BIN" --secshim-policy="$work/$pol.json" --secshim-runtime="$work/fake-runc" update "$@" 2>&1
}
refused() { # name needle policy args...
  local name=$1 needle=$2 out status; shift 2
  out=$(up "$@"); status=$?
  if [ "$status" -ne 0 ] && printf '%s' "$out" | grep -qF -- "$needle" && ! printf '%s' "$out" | grep -q '^ARGS:'; then
    ok "$name"
  else fail "$name: status $status: $out"; fi
}
passed() { # name needle policy args...
  local name=$1 needle=$2 out status; shift 2
  out=$(up "$@"); status=$?
  if [ "$status" -eq 0 ] && printf '%s' "$out" | grep -qF -- "$needle"; then ok "$name"
  else fail "$name: status $status: $out"; fi
}

refused "inline --memory -1 refused" "--memory -1 would remove the memory limit" reject --memory -1 ctr
refused "inline --pids-limit 0 refused" "--pids-limit 0 would remove" reject --pids-limit 0 ctr
refused "inline --pids-limit -1 refused" "--pids-limit -1 would remove" reject --pids-limit=-1 ctr
refused "inline --pids-limit 0x10 refused (not read as runc would)" "0x10" reject --pids-limit 0x10 ctr
refused "inline --cpu-quota -1 refused" "--cpu-quota -1 would remove" reject --cpu-quota -1 ctr
refused "inline --cpu-period alone refused" "--cpu-period without a positive --cpu-quota" reject --cpu-period 100000 ctr
passed "inline limits kept pass" "--memory=1g --pids-limit=50 ctr" reject --memory 1g --pids-limit 50 --cpu-quota 50000 --cpu-period 100000 ctr
refused "stdin memory.limit -1 refused" "memory.limit -1 would remove" reject -r - ctr <<<'{"memory":{"limit":-1}}'
refused "stdin pids.limit 0 refused" "pids.limit 0 would remove" reject -r - ctr <<<'{"pids":{"limit":0}}'
refused "stdin cpu.quota -1 refused" "cpu.quota -1 would remove" reject --resources - ctr <<<'{"cpu":{"quota":-1}}'
# Go's decoder reads limit and Limit as one field, the later winning:
# judged as -1, what runc would write.
refused "stdin folded duplicate key read as Go reads it" "memory.limit -1 would remove" reject -r - ctr <<<'{"memory":{"limit":1000,"Limit":-1}}'
out=$(up reject -r - ctr <<<'{"memory":{"Limit":2000,"limit":1000}}')
assert_contains "folded duplicates merged, runc reads the value judged" "$out" 'FILE: {"memory":{"limit":1000}}'
refused "stdin exponent refused" "not a valid int64" reject -r - ctr <<<'{"memory":{"limit":1e3}}'
out=$(up reject -r - ctr <<<'{"pids":{"limit":20},"memory":null}')
assert_contains "stdin passed to runc as a memfd" "$out" "ARGS: update --resources=/proc/self/fd/"
assert_contains "runc reads the canonical checked bytes" "$out" 'FILE: {"pids":{"limit":20}}'
echo '{"pids":{"limit":30}}' >"$work/r.json"
out=$(up reject --resources "$work/r.json" ctr)
assert_contains "file passed to runc as a memfd" "$out" 'FILE: {"pids":{"limit":30}}'
assert_not_contains "file path itself not passed" "$out" "$work/r.json"
echo '{"memory":{"limit":-1}}' >"$work/bad.json"
refused "file memory.limit -1 refused" "memory.limit -1" reject --resources "$work/bad.json" ctr
passed "audit policy passes through" "ARGS: update --memory=-1 ctr" audit --memory -1 ctr
done_testing
