#!/usr/bin/env bash
# Static rules for the security-critical code (security.md T17; runc's
# "forbid os.Create" lint): things a reviewer should never have to look for.
source "$(dirname "$0")/../lib/lib.sh"
cd "$SECSHIM_TOP"

# Every open/openat/memfd in src/ carries O_CLOEXEC / MFD_CLOEXEC in the
# same call (secshim execs runc: a leaked fd would reach the container).
bad=$(grep -rnE '\b(open|openat)[[:space:]]*\(' src | grep -v 'O_CLOEXEC')
assert_eq "every open()/openat() in src/ has O_CLOEXEC" "$bad" ""
bad=$(grep -rnE '\bmemfd_create[[:space:]]*\(' src | grep -v 'MFD_CLOEXEC')
assert_eq "every memfd_create() in src/ has MFD_CLOEXEC" "$bad" ""
# dup2 is allowed only where a forked child sets up apparmor_parser's stdio.
bad=$(grep -rnE '\b(dup|dup2|pipe|fopen|mkstemp|socket)[[:space:]]*\(' src | grep -v '^src/apparmor/load.c:.*dup2 (')
assert_eq "no dup/pipe/fopen/mkstemp/socket in src/ (inheritable fds; use F_DUPFD_CLOEXEC, pipe2)" "$bad" ""

# A rule trusts a file by identity, never by the text readlink gives: that
# text is resolved in another process's mount namespace (threat-model §2.11).
bad=$(grep -rnE '\breadlink(at)?[[:space:]]*\(' src/rules src/policy)
assert_eq "no readlink() in src/rules or src/policy (compare (st_dev, st_ino) via host->file_identity)" "$bad" ""

# Calls that have no place in a parser-sensitive, exec-wrapping program.
for call in yajl_tree_parse system popen execvp execlp setlocale atoi atol strtol gets; do
  bad=$(grep -rnE "\\b$call[[:space:]]*\\(" src)
  assert_eq "no $call() in src/" "$bad" ""
done

# Nothing in runtime mode writes to stdout (it is the container's, or the
# JSON of state/features): only secshim's own verbs may (main.c: help and
# the version line, printed only when they are alone on the command line).
bad=$(grep -rnlE '\b(printf|puts|putchar)[[:space:]]*\(|fprintf[[:space:]]*\([[:space:]]*stdout' src |
  grep -vE '^src/(runtime/check|runtime/explain|apparmor/cli|main)\.c$')
assert_eq "stdout is written only by 'check', 'explain', 'apparmor', help and version (src/runtime/check.c, src/runtime/explain.c, src/apparmor/cli.c, src/main.c)" "$bad" ""

# Modules depend on each other one way (issue 13: error <-> util and
# host <-> apparmor were cycles), and no module includes another's private
# header: tests/lint/modules.py prints what it finds.
assert_eq "the module graph of src/ has no cycle and no cross-module private include (tests/lint/modules.py)" \
  "$(python3 "$SECSHIM_TOP/tests/lint/modules.py" "$SECSHIM_TOP" 2>&1)" ""

# The formatting tool agrees with the tree.
if command -v clang-format >/dev/null; then
  out=$(make -s check-format 2>&1)
  assert_eq "clang-format --dry-run finds nothing (make check-format)" "$out" ""
else
  skip "clang-format not installed"
fi
done_testing
