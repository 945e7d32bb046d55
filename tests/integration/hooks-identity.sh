#!/usr/bin/env bash
# dockerd's libnetwork-setkey hook is judged by the identity of the file runc
# will execute, not by a name (issue 10 class 3, docs/threat-model.md §2.11).
#
# The attack: a process in its own mount namespace runs a binary of its
# choosing at the path /usr/sbin/dockerd of that namespace.  readlink of its
# /proc/<pid>/exe then reads "/usr/sbin/dockerd", the text the policy names,
# but runc (in the host's namespace) executes the process's own inode, as
# root on the host.  Shown here with real runc: plain runc runs the lookalike
# on the host; through secshim the container is refused and the lookalike
# never runs.  The genuine dockerd (a live process running this host's
# /usr/sbin/dockerd, lib.sh) passes, and only with this container's id.
#
# Whether the hook is the engine is the Go oracle's word (`oracle hooks`:
# the file exec.Cmd{Path: h.Path} would execute from runc's cwd, compared
# with the dockerd binary by device and inode), not a hard-coded verdict:
# secshim must refuse exactly when the oracle says the file is not dockerd
# or runc could not execute it.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/bundle.sh"

missing=
[ "$(id -u)" -eq 0 ] || missing+=" root;"
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
[ -x "$RUNC" ] || missing+=" runc ($RUNC);"
ORACLE=$SECSHIM_BUILD/oracle
"$SECSHIM_TOP/tests/oracle/build.sh" "$ORACLE" >/dev/null 2>&1 || missing+=" the Go oracle (tests/oracle/build.sh);"
[ -n "$SETKEY_EXE" ] || missing+=" a dockerd binary (docker.io);"
command -v cc >/dev/null || missing+=" cc;"
command -v unshare >/dev/null || missing+=" unshare;"
if [ -n "$missing" ]; then skip "hooks identity: missing${missing%;}"; done_testing; exit; fi
if ! bundle_setup; then fail "could not build the busybox image (hack/mkimage.sh)"; done_testing; exit; fi
DOCKERD=$SECSHIM_SETKEY_BIN
MARK=$WORK/lookalike-ran

# The lookalike: as "libnetwork-setkey" (how runc calls the hook) it leaves
# a mark on the host; otherwise it waits.
cat >"$WORK/lookalike.c" <<EOF
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
int main (int argc, char **argv)
{
  (void) argc;
  if (strcmp (argv[0], "libnetwork-setkey") == 0)
    return close (open ("$MARK", O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) != 0;
  pause ();
  return 0;
}
EOF
cc -o "$WORK/lookalike" "$WORK/lookalike.c" || { fail "cannot build the lookalike"; done_testing; exit; }
# One process throughout (setpriv, unshare and sh each exec the next): it
# dies with this shell, and its mount namespace with it.
setpriv --pdeathsig KILL unshare --mount --propagation private -- \
  sh -c "mount --bind '$WORK/lookalike' '$DOCKERD' && exec '$DOCKERD'" </dev/null &
lk=$!
for i in $(seq 100); do [ "$(readlink /proc/$lk/exe 2>/dev/null)" = "$DOCKERD" ] && break; sleep 0.05; done

assert_eq "the lookalike's /proc/<pid>/exe reads as the policy's dockerd path" "$(readlink /proc/$lk/exe)" "$DOCKERD"
if [ "$(stat -L -c %d:%i /proc/$lk/exe)" != "$(stat -L -c %d:%i "$DOCKERD")" ]; then
  ok "... but it is another file (inode $(stat -L -c %i /proc/$lk/exe), dockerd is $(stat -L -c %i "$DOCKERD"))"
else
  fail "the lookalike has dockerd's inode: the test proves nothing"
fi

# oracle_hook CONFIG: EXPECT = accept when the one hook is the dockerd
# binary by inode, refuse when it is another file or cannot be executed.
oracle_hook() {
  "$ORACLE" hooks --engine "$DOCKERD" "$1" >"$WORK/hooks.json" || { fail "oracle hooks failed on $1"; EXPECT=; return; }
  EXPECT=$(jq -r 'if all(.hooks[]; .engine and (.fails // "") == "") then "accept" else "refuse" end' "$WORK/hooks.json")
}

hook_filter() { # pid id
  printf '.hooks.prestart = [{"path":"/proc/%s/exe","args":["libnetwork-setkey","-exec-root=/var/run/docker","%s","443ecc33905d"]}]' "$1" "$2"
}

# --- plain runc runs the lookalike on the host ---------------------------------
b=$WORK/plain
make_bundle "$b" "$(jq_args /bin/true) | $(hook_filter $lk hooks-plain)"
"$RUNC" --root "$RUNC_ROOT" create --bundle "$b" hooks-plain >/dev/null 2>&1 </dev/null
"$RUNC" --root "$RUNC_ROOT" delete --force hooks-plain >/dev/null 2>&1
if [ -e "$MARK" ]; then ok "plain runc executes the lookalike as the hook, on the host"; else fail "plain runc did not run the lookalike (the attack is not shown)"; fi
rm -f "$MARK"

# --- through secshim: refused, and the lookalike never runs --------------------
b=$WORK/shim
make_bundle "$b" "$(jq_args /bin/true) | $(hook_filter $lk hooks-shim)"
oracle_hook "$b/config.json"
assert_eq "oracle: the file runc would execute is not dockerd: refuse" "$EXPECT" refuse
# (to a file: a created container's init would hold a $(...) pipe open)
secshim_rt create --bundle "$b" hooks-shim >"$WORK/shim.out" 2>&1 </dev/null
assert_status "secshim refuses the lookalike's hook, as the oracle says" "$?" "$([ "$EXPECT" = refuse ] && echo 1 || echo 0)"
assert_contains "... saying it is not dockerd by inode" "$(cat "$WORK/shim.out")" "is not the dockerd binary the policy names"
if [ -e "$MARK" ]; then fail "the lookalike ran through secshim"; else ok "the lookalike never ran"; fi
assert_eq "runc never created the container" "$(rt_status hooks-shim)" absent

# --- the genuine dockerd passes, for this container's id only -------------------
pid=${SETKEY_EXE#/proc/}; pid=${pid%/exe}
jq "$(hook_filter "$pid" 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef)" "$b/config.json" >"$WORK/real.json"
oracle_hook "$WORK/real.json"
assert_eq "oracle: the live dockerd's /proc/<pid>/exe is dockerd by inode: accept" "$EXPECT" accept
"$SECSHIM_BIN" check --policy "$SECSHIM_TEST_POLICY" --id 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef \
  "$WORK/real.json" >"$WORK/real.out" 2>&1
assert_status "the hook of a live dockerd naming this container passes (check --id), as the oracle says" "$?" \
  "$([ "$EXPECT" = accept ] && echo 0 || echo 1)"
out=$("$SECSHIM_BIN" check --policy "$SECSHIM_TEST_POLICY" --id ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff \
  "$WORK/real.json" 2>&1)
assert_status "the same hook for another container is refused" "$?" 1
assert_contains "... naming the other container" "$out" "names container 0123456789ab"

# --- a dead pid is refused, whatever it was ------------------------------------
kill -KILL $lk 2>/dev/null; wait $lk 2>/dev/null
jq "$(hook_filter $lk 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef)" "$b/config.json" >"$WORK/dead.json"
oracle_hook "$WORK/dead.json"
assert_eq "oracle: runc could not execute /proc/<gone>/exe: refuse" "$EXPECT" refuse
out=$("$SECSHIM_BIN" check --policy "$SECSHIM_TEST_POLICY" "$WORK/dead.json" 2>&1)
assert_status "a hook naming a pid that is gone is refused, as the oracle says" "$?" "$([ "$EXPECT" = refuse ] && echo 1 || echo 0)"
assert_contains "... because nothing says what runc would run" "$out" "cannot be identified"
done_testing
