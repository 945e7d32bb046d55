#!/usr/bin/env bash
# The Landlock helper (build/secshim-landlock) on this host's kernel: a
# process it starts is confined the way the bane rules say.  A denied write
# fails with EACCES, an allowed one works, a denied program cannot run or be
# read, the rest of the tree keeps every right, and it refuses to run a
# command unconfined when Landlock cannot be set up.
. "$(dirname "$0")/../lib/lib.sh"
H=$SECSHIM_BUILD/secshim-landlock
[ -x "$H" ] || { fail "helper $H not built"; done_testing; exit; }
abi=$("$SECSHIM_BUILD/secshim-landlock" --abi 2>/dev/null || echo -1)
if [ "${abi:--1}" -lt 1 ]; then skip "no Landlock in this kernel"; done_testing; exit; fi
diag "Landlock ABI $abi"
if command -v python3 >/dev/null; then
  assert_eq "--abi prints the kernel's ABI (as the raw system call gives it)" "$abi" \
    "$(python3 -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')"
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp"
mkdir -p "$tmp/ro/sub" "$tmp/rw" "$tmp/bin"
echo orig >"$tmp/ro/f"; echo orig >"$tmp/ro/sub/g"
cp "$(type -P true)" "$tmp/bin/denied"; cp "$(type -P true)" "$tmp/bin/allowed"
ln -s denied "$tmp/bin/link"
chmod -R a+rwX "$tmp"

# run USER ARGS... -- CMD: the helper as root, or as nobody (no capabilities,
# as in a container after runc's user switch).
run() {
  local user=$1; shift
  if [ "$user" = nobody ]; then setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all -- "$H" "$@"
  else "$H" "$@"; fi
}

for user in root nobody; do
  out=$(run $user -d "wt:$tmp/ro" -- sh -c "echo x >$tmp/ro/f" 2>&1); rc=$?
  assert_contains "$user: write into a read-only tree fails with EACCES" "$rc $out" "Permission denied"
  assert_eq "$user: the read-only file is unchanged" "$(cat "$tmp/ro/f")" orig
  out=$(run $user -d "wt:$tmp/ro" -- sh -c "echo x >$tmp/ro/sub/new" 2>&1)
  assert_contains "$user: creating a file deeper in the tree fails" "$out" "Permission denied"
  out=$(run $user -d "wt:$tmp/ro" -- sh -c "echo y >$tmp/rw/f && cat $tmp/rw/f && cat $tmp/ro/f && rm $tmp/rw/f" 2>&1); rc=$?
  assert_eq "$user: writing outside the tree and reading inside it work" "$rc $(echo $out)" "0 y orig"
  out=$(run $user -d "wt:$tmp/ro" -- sh -c "mv $tmp/ro/f $tmp/rw/f" 2>&1); rc=$?
  check "$user: moving a file out of the read-only tree fails" [ "$rc" -ne 0 ] && [ -f "$tmp/ro/f" ]
  out=$(run $user -d "rwx:$tmp/bin/denied" -- "$tmp/bin/denied" 2>&1); rc=$?
  assert_eq "$user: a DenyExec program cannot run (exit 126, EACCES)" "$rc" 126
  assert_contains "$user: ... and the helper says why" "$out" "permission denied"
  out=$(run $user -d "rwx:$tmp/bin/denied" -- sh -c "cat $tmp/bin/denied >/dev/null" 2>&1)
  assert_contains "$user: a DenyExec program cannot be read (copied elsewhere)" "$out" "Permission denied"
  out=$(run $user -d "rwx:$tmp/bin/denied" -- sh -c "$tmp/bin/allowed && ls $tmp/bin | tr '\n' ' '" 2>&1); rc=$?
  assert_eq "$user: its neighbour runs and the directory lists" "$rc $out" "0 allowed denied link "
done

# A rule naming a symlink is not enforced (AppArmor would not match it
# either); a glob rule (t) follows its directory's symlinks.
out=$("$H" -d "rwx:$tmp/bin/link" -- "$tmp/bin/link" 2>&1); rc=$?
assert_eq "an exact rule on a symlink is not enforced (the target runs)" "$rc" 0
ln -s ro "$tmp/rolink"
out=$("$H" -d "wt:$tmp/rolink" -- sh -c "echo x >$tmp/ro/f" 2>&1)
assert_contains "a glob rule through a symlinked directory confines the target tree" "$out" "Permission denied"

# Merged /usr: an exact rule resolves its directories, so `DenyExec
# /bin/denied` holds when /bin is a symlink to usr/bin.
mkdir -p "$tmp/m/usr/bin" && cp "$(type -P true)" "$tmp/m/usr/bin/denied" && ln -s usr/bin "$tmp/m/bin"
out=$("$H" -d "rwx:$tmp/m/bin/denied" -- "$tmp/m/usr/bin/denied" 2>&1); rc=$?
assert_eq "merged /usr: a rule on /bin/X denies /usr/bin/X (the file the path reaches)" "$rc" 126

# Landlock is not reversible: the confined process's children inherit it.
out=$("$H" -d "wt:$tmp/ro" -- sh -c "sh -c 'echo x >$tmp/ro/f'" 2>&1)
assert_contains "a child of the confined process is confined too" "$out" "Permission denied"

# No rules: nothing handled, the command simply runs, with its arguments.
out=$("$H" -- sh -c 'echo "$0 $1"' a 'b c'); assert_eq "no rules: the command runs with its arguments" "$out" "a b c"
out=$("$H" -d "wt:$tmp/nonexistent" -- sh -c 'echo ok'); assert_eq "a rule on a missing path is dropped" "$out" ok
out=$("$H" -d "wt:$tmp/ro" -- nosuchcommand 2>&1); rc=$?
assert_eq "an unknown command: exit 127, as runc's lookup" "$rc" 127
assert_contains "... with runc's words" "$out" 'exec: "nosuchcommand": executable file not found in $PATH'
out=$(env -i PATH=/usr/bin:/bin "$H" -d "wt:$tmp/ro" -- env); assert_eq "the environment is passed unchanged" "$out" "PATH=/usr/bin:/bin"

# TCP (ABI >= 4): -n denies connect.
if [ "$abi" -ge 4 ] && command -v python3 >/dev/null; then
  code='import socket,sys
s=socket.socket()
try:
  s.connect(("127.0.0.1", 9)); print("connected")
except PermissionError: print("EACCES")
except OSError as e: print("other", e.errno)'
  assert_eq "-n: TCP connect is denied (EACCES)" "$("$H" -n -- python3 -c "$code")" EACCES
  assert_contains "without -n: TCP connect is not Landlock's business" "$(python3 -c "$code")" other
else skip "TCP rules need Landlock ABI 4 (this kernel: $abi)"; fi

# Fail closed: a usage error or a ruleset that cannot be built runs nothing.
out=$("$H" -d "q:/x" -- sh -c 'echo ran' 2>&1); rc=$?
assert_eq "an unknown class letter: nothing runs, exit 126" "$rc $(echo "$out" | grep -c ran)" "126 0"
out=$("$H" -d "wt:$tmp/ro" 2>&1); rc=$?
assert_eq "no -- and command: usage, exit 126" "$rc" 126
done_testing
