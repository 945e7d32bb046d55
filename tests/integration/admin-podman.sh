#!/usr/bin/env bash
# secshim install/uninstall --podman against a fake root: the drop-in
# containers.conf.d/99-secshim.conf that podman itself reads back (runtime
# "secure" -> the secshim binary, and the default with --default), --dry-run
# changes nothing, a foreign drop-in is not overwritten, uninstall removes it.
. "$(dirname "$0")/../lib/lib.sh"
ADMIN=$SECSHIM_TOP/hack/secshim-admin
command -v jq >/dev/null || { skip "jq not installed"; done_testing; exit; }
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
cp -R "$SECSHIM_TOP/policy" "$root/etc-secshim"; mkdir -p "$root/etc"; mv "$root/etc-secshim" "$root/etc/secshim"
admin() { SECSHIM_BIN=$SECSHIM_BIN "$ADMIN" "$@" --root "$root"; }
drop=$root/etc/containers/containers.conf.d/99-secshim.conf

out=$(admin install --podman --default --dry-run 2>&1); rc=$?
assert_status "dry-run" "$rc" 0
assert_contains "dry-run shows the drop-in" "$out" '+secure = ["/usr/bin/secshim"]'
check "dry-run writes nothing" test ! -e "$drop"

out=$(admin install --podman --default --bin "$SECSHIM_BIN" 2>&1); rc=$?
assert_status "install --podman --default" "$rc" 0
assert_contains "the drop-in names the runtime" "$(cat "$drop")" "secure = [\"$SECSHIM_BIN\"]"
assert_contains "and makes it the default" "$(cat "$drop")" 'runtime = "secure"'
if command -v podman >/dev/null && [ "$(id -u)" = 0 ]; then
  # podman itself reads it (CONTAINERS_CONF: the file in place of containers.conf).
  got=$(CONTAINERS_CONF=$drop timeout 60 podman --root "$root/storage" --runroot "$root/run" \
    info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}' 2>&1 | tail -n 1)
  assert_eq "podman reads runtime secure -> the binary" "$got" "secure $SECSHIM_BIN"
  awk -v d="$root" 'index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r | xargs -r umount -l 2>/dev/null
else
  skip "podman (as root) not available to read the drop-in back"
fi
mkdir -p "$root/usr/bin"; ln -sf "$SECSHIM_BIN" "$root/usr/bin/podman"   # "podman is installed"
out=$(admin doctor 2>&1)
assert_contains "doctor sees the podman drop-in" "$out" "OK    podman: runtime \"secure\" in /etc/containers/containers.conf.d/99-secshim.conf (default)"
out=$(admin install --podman --policy /etc/secshim/restricted.json 2>&1); rc=$?
assert_status "podman cannot take another policy" "$rc" 1
assert_contains "says why" "$out" "cannot pass arguments to a runtime binary"

out=$(admin uninstall --podman 2>&1); rc=$?
assert_status "uninstall --podman" "$rc" 0
check "the drop-in is gone" test ! -e "$drop"

mkdir -p "$(dirname "$drop")"; echo '[engine]' >"$drop"; h=$(sha_of "$drop")
out=$(admin install --podman 2>&1); rc=$?
assert_status "a foreign drop-in is refused" "$rc" 1
assert_eq "and left untouched" "$(sha_of "$drop")" "$h"
out=$(admin uninstall --podman 2>&1); rc=$?
assert_status "uninstall leaves a foreign drop-in" "$rc" 1
check "still there" test -e "$drop"
done_testing
