#!/usr/bin/env bash
# Numbers as runc reads them, with the real runc (issue 10 class 6): inline
# `runc exec -g 4294967296`, `-g -0` and `-u 0:-0` are group 0 / uid 0
# inside the container to plain runc (strconv + uint32()), although the text
# is not "0"; through secshim they are refused before runc runs.  And
# `-u 4294968296`, which runc reads as uid 1000, is let through and really
# runs as 1000: secshim judges the value runc ends up with, not the text.
source "$(dirname "$0")/../lib/lib.sh"
if [ -z "${RUNC:-}" ]; then
  RUNC=/usr/sbin/runc
  if [ -L "$RUNC" ] || { [ -x "$SECSHIM_BIN" ] && cmp -s "$RUNC" "$SECSHIM_BIN"; }; then RUNC=/usr/sbin/runc.real; fi
fi
source "$SECSHIM_TOP/tests/lib/bundle.sh"

missing=
[ "$(id -u)" -eq 0 ] || missing+=" root;"
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
[ -x "$RUNC" ] || missing+=" runc ($RUNC);"
command -v jq >/dev/null || missing+=" jq;"
if [ -n "$missing" ]; then skip "real runc identity: missing${missing%;}"; done_testing; exit; fi
if ! bundle_setup; then fail "could not build the busybox image (hack/mkimage.sh)"; done_testing; exit; fi

id=t-numbers-$$
b=$WORK/numbers
make_bundle "$b" "$(jq_args /bin/sleep 300)"
secshim_rt create --bundle "$b" "$id" </dev/null >"$WORK/create.out" 2>"$WORK/create.err"
assert_status "create through secshim" "$?" 0
secshim_rt start "$id" 2>"$WORK/start.err"
if ! wait_status "$id" running 10; then
  fail "container not running: $(head -c 400 "$WORK/create.err" "$WORK/start.err")"; done_testing; exit
fi
ok "container $id is running"
plain() { "$RUNC" --root "$RUNC_ROOT" exec "$@" 2>&1 </dev/null; }
shim() { secshim_rt exec "$@" 2>&1 </dev/null; }
has_group0() { printf ' %s ' "$1" | grep -q ' 0 '; }

# -g 4294967296: plain runc puts the process in group 0.
out=$(plain -u 1000:1000 -g 4294967296 "$id" id -G)
if has_group0 "$out"; then ok "plain runc: -g 4294967296 is group 0 in the container (id -G: $out)"
else fail "plain runc: -g 4294967296 gave groups '$out' (expected 0 among them)"; fi
out=$(shim -u 1000:1000 -g 4294967296 "$id" id -G); rc=$?
assert_status "secshim: -g 4294967296 refused (exit 255)" "$rc" 255
assert_contains "... saying runc reads it as group 0" "$out" "runc reads it as group 0"
assert_not_contains "... and the command never ran (no id -G output)" "$out" "1000 0"

# -g -0: the same.
out=$(plain -u 1000:1000 -g -0 "$id" id -G)
if has_group0 "$out"; then ok "plain runc: -g -0 is group 0 (id -G: $out)"; else fail "plain runc: -g -0 gave '$out'"; fi
out=$(shim -u 1000:1000 -g -0 "$id" id -G); rc=$?
assert_status "secshim: -g -0 refused (exit 255)" "$rc" 255

# -u 0:-0: plain runc runs as root.
out=$(plain -u 0:-0 "$id" id -u)
assert_eq "plain runc: -u 0:-0 runs as uid 0" "$out" 0
out=$(plain -u 1000:-0 "$id" id -g)
assert_eq "plain runc: -u 1000:-0 runs with gid 0" "$out" 0
out=$(shim -u 1000:-0 "$id" id -g); rc=$?
assert_status "secshim: -u 1000:-0 refused (exit 255)" "$rc" 255
assert_contains "... saying runc reads gid -0 as 0" "$out" "runc reads gid -0 as 0"
out=$(shim -u -4294967296:1000 "$id" id -u); rc=$?
assert_status "secshim: -u -4294967296:1000 (uid 0 to runc) refused" "$rc" 255

# -u 4294968296: uid 1000 to runc; secshim lets it through, and it is 1000.
out=$(shim -u 4294968296:4294968296 "$id" /bin/sh -c 'id -u; id -g'); rc=$?
assert_status "secshim: -u 4294968296:4294968296 (1000:1000 to runc) allowed" "$rc" 0
assert_eq "... and the process runs as 1000:1000" "$(echo $out)" "1000 1000"
done_testing
