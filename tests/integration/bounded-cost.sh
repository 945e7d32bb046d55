#!/usr/bin/env bash
# Bounded cost (issue 10 class 7, docs/threat-model.md §2.9): judging a
# document costs time linear in its size, whatever it repeats.  Counts work,
# not time: valgrind's callgrind counts the instructions secshim executes on
# a worst-case document of N repeated items and on one of 4N; a linear
# implementation gives a ratio near 4 (less, with the constant cost of
# loading the policy), a quadratic one near 16.  The bound is 5.
#
#   SECSHIM_COST_N   N (default 3000; 4N must stay under the loader's 65536
#                    items per array)
#
# Each document is the docker fixture with one part repeated: names of a
# seccomp rule that the default policy removes one by one (before: each
# removal moved the rest of the array), seccomp rules that go, capabilities
# outside the allowlist (before: each name was appended to the message with
# strlen + realloc), hooks, sysctls and annotations under a policy that
# removes them, refused hooks through runtime-mode create (before: the refusal
# line was rebuilt for each finding), mounts, devices, env.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/stubrunc.sh"

N=${SECSHIM_COST_N:-3000}
BOUND=5
missing=
command -v valgrind >/dev/null || missing+=" valgrind (hack/install-deps.sh);"
command -v python3 >/dev/null || missing+=" python3;"
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
if [ -n "$missing" ]; then skip "bounded cost: missing${missing%;}"; done_testing; exit; fi
case $N in '' | *[!0-9]*) fail "SECSHIM_COST_N=$N is not a number"; done_testing; exit ;; esac
if [ $((4 * N)) -ge 65536 ]; then fail "SECSHIM_COST_N=$N: 4N must stay below 65536 (items per array)"; done_testing; exit; fi
stub_setup || { fail "stub setup"; done_testing; exit; }
# Under the ASan build valgrind cannot run: the normal build's pass counts
# the work; this one judges the same worst-case documents under the
# sanitizers, which must report nothing.
asan=0
case $SECSHIM_BIN in */asan/*) asan=1 ;; esac

# A policy that removes what the default one refuses (hooks, sysctls,
# annotations), so that removal itself is measured.
RW=$WORK/policy/rewrite.json
jq '.rules.hooks.action = "rewrite" | .rules.sysctls.action = "rewrite" | .rules.annotations.action = "rewrite"' \
  "$POLICY" >"$RW" && chmod 0644 "$RW"

gen() { # kind n out
  python3 - "$1" "$2" "$FIXTURES/docker-20.10/default.config.json" "$3" <<'EOF'
import json, sys
kind, n, base, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
d = json.load(open(base))
d["hooks"] = {}
# Binds of the capture host's /var/lib/docker do not resolve here.
d["mounts"] = [m for m in d.get("mounts", []) if m.get("type") != "bind"]
lin = d.setdefault("linux", {})
if kind == "seccomp-names":
    lin["seccomp"] = {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
                      "syscalls": [{"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"},
                                   {"names": ["mount"] * n, "action": "SCMP_ACT_ALLOW"}]}
elif kind == "seccomp-rules":
    lin["seccomp"] = {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
                      "syscalls": [{"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"}]
                                  + [{"names": ["mount"], "action": "SCMP_ACT_ALLOW"}] * n}
elif kind == "capabilities":
    for s in ("bounding", "effective", "permitted"):
        d["process"]["capabilities"][s] = ["CAP_SYS_ADMIN"] * n
elif kind in ("hooks", "hooks-refused"):
    d["hooks"] = {"prestart": [{"path": "/tmp/evil"}] * n}
elif kind == "sysctls":
    lin["sysctl"] = {"kernel.x%d" % i: "1" for i in range(n)}
elif kind == "annotations":
    d["annotations"] = {"run.oci.x%d" % i: "1" for i in range(n)}
elif kind == "mounts":
    d["mounts"] += [{"destination": "/t%d" % i, "type": "tmpfs", "source": "tmpfs"} for i in range(n)]
elif kind == "devices":
    lin["devices"] = [{"path": "/dev/x%d" % i, "type": "c", "major": 1, "minor": 1} for i in range(n)]
elif kind == "env":
    d["process"]["env"] = ["A%d=1" % i for i in range(n)]
json.dump(d, open(out, "w"))
EOF
}

# Instructions secshim executes on the document: `secshim check` with the
# policy, or runtime-mode create (refusal line, audit record) for "create".
count() { # mode policy doc
  local out=$WORK/cg.out b
  if [ "$1" = create ]; then
    b=$WORK/bundle-$RANDOM; mkdir -p "$b" && cp "$3" "$b/config.json"
    valgrind --tool=callgrind --callgrind-out-file=/dev/null \
      "$SECSHIM_BIN" --secshim-policy="$2" --secshim-runtime="$STUB" create --bundle "$b" cost >/dev/null 2>"$out" </dev/null
    rm -rf "$b"
  else
    valgrind --tool=callgrind --callgrind-out-file=/dev/null \
      "$SECSHIM_BIN" check --policy "$2" "$3" >/dev/null 2>"$out" </dev/null
  fi
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out"
}

# The 4N document through the sanitizer build: no report, no death by signal.
sanitized() { # kind mode policy
  local kind=$1 mode=$2 policy=$3 b rc err=$WORK/asan.err
  gen "$kind" $((4 * N)) "$WORK/$kind-4.json" || { fail "$kind: cannot generate the document"; return; }
  if [ "$mode" = create ]; then
    b=$WORK/bundle-$RANDOM; mkdir -p "$b" && cp "$WORK/$kind-4.json" "$b/config.json"
    "$SECSHIM_BIN" --secshim-policy="$policy" --secshim-runtime="$STUB" create --bundle "$b" cost >/dev/null 2>"$err" </dev/null
    rc=$?; rm -rf "$b"
  else
    "$SECSHIM_BIN" check --policy "$policy" "$WORK/$kind-4.json" >/dev/null 2>"$err" </dev/null
    rc=$?
  fi
  if [ "$rc" -lt 128 ] && ! grep -qE 'Sanitizer|runtime error' "$err"; then
    ok "$kind ($mode): the 4N document is judged under ASan+UBSan without a report (exit $rc)"
  else
    fail "$kind ($mode): exit $rc under the sanitizers: $(head -c 600 "$err")"
  fi
}

measure() { # kind mode policy
  local kind=$1 mode=$2 policy=$3 a b
  if [ "$asan" = 1 ]; then sanitized "$@"; return; fi
  gen "$kind" "$N" "$WORK/$kind-1.json" && gen "$kind" $((4 * N)) "$WORK/$kind-4.json" ||
    { fail "$kind: cannot generate the documents"; return; }
  a=$(count "$mode" "$policy" "$WORK/$kind-1.json")
  b=$(count "$mode" "$policy" "$WORK/$kind-4.json")
  if [ -z "$a" ] || [ -z "$b" ] || [ "$a" -eq 0 ]; then fail "$kind: callgrind counted nothing ($a, $b)"; return; fi
  ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')
  if awk -v r="$ratio" -v m="$BOUND" 'BEGIN { exit !(r < m) }'; then
    ok "$kind ($mode): $a instructions for N=$N, $b for 4N: ratio $ratio < $BOUND (linear)"
  else
    fail "$kind ($mode): $a instructions for N=$N, $b for 4N: ratio $ratio >= $BOUND (superlinear)"
  fi
}

measure seccomp-names check "$POLICY"
measure seccomp-rules check "$POLICY"
measure capabilities check "$POLICY"
measure hooks check "$RW"
measure sysctls check "$RW"
measure annotations check "$RW"
measure hooks-refused create "$POLICY"
measure mounts check "$POLICY"
measure devices check "$POLICY"
measure env check "$POLICY"
done_testing
