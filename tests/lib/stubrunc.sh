# A stub runc and a private copy of the policy, for tests that drive secshim
# in runtime mode without a real runtime (source after lib.sh).
#
#   stub_setup            make WORK (a scratch dir under $SECSHIM_BUILD, removed at
#                         exit, mounts below it unmounted first), POLICY (a copy of
#                         policy/ whose audit log is AUDIT_LOG inside WORK), STUB
#                         (the stub runc) and STUB_OUT (what it records)
#   shim ARGS...          $SECSHIM_BIN --secshim-policy=$POLICY --secshim-runtime=$STUB ARGS
#   stub_ran ID           true if the stub was exec'd for container ID
#   fixture_no_pid FILE [ID]  FILE without dockerd's setkey hook, or with ID
#                         the hook pointed at a live dockerd process and naming
#                         container ID (setkey_fixture, lib.sh)
#
# The stub picks the bundle from its argv the way secshim hands it over
# (--bundle=DIR, or the cwd), takes the container id from its last argument,
# and records in $STUB_OUT:
#   ID.json   a copy of the bundle's config.json as it found it
#   ID.argv   its argv, one per line
#   ID.env    LISTEN_FDS, LISTEN_PID and its own pid, one per line
#   ID.fds    "FD TARGET" for every fd it was given (read by a child from
#             /proc/<stub pid>/fd; the stub's own script fd is left out)
# Bundles live below $SECSHIM_BUILD, not /tmp: a root-owned tree that is
# not world-writable, like /run/containerd, so that only the property under
# test can cause a refusal.
stub_setup() {
  mkdir -p "$SECSHIM_BUILD"
  WORK=$(mktemp -d "$SECSHIM_BUILD/stubrunc.XXXXXX") && WORK=$(realpath "$WORK") || return 1
  chmod 0755 "$WORK"
  trap stub_teardown EXIT
  cp -a "$SECSHIM_TOP/policy" "$WORK/policy" || return 1
  AUDIT_LOG=$WORK/audit.jsonl
  POLICY=$WORK/policy/default.json
  jq --arg l "$AUDIT_LOG" '.audit.log = $l | .audit.syslog = false' "$SECSHIM_TOP/policy/default.json" \
    >"$POLICY" || return 1
  chmod 0644 "$POLICY"
  STUB=$WORK/runc-stub
  STUB_OUT=$WORK/stub-out
  mkdir -p "$STUB_OUT"
  cat >"$STUB" <<'STUB_EOF'
#!/bin/bash
out=@STUB_OUT@
bundle=$PWD id=${!#} skip=0
for a in "$@"; do
  if [ "$skip" = 1 ]; then bundle=$a; skip=0; continue; fi
  case $a in
    --bundle=*|-b=*) bundle=${a#*=} ;;
    --bundle|-b) skip=1 ;;
  esac
done
# No pipeline and no command substitution before this: either would give
# this shell extra fds for the child to see.
find /proc/$$/fd -mindepth 1 -maxdepth 1 -printf '%f %l\n' >"$out/$id.fds.raw"
grep -vxF "255 @STUB@" "$out/$id.fds.raw" | sort -n >"$out/$id.fds"
rm -f "$out/$id.fds.raw"
printf '%s\n' "${LISTEN_FDS-}" "${LISTEN_PID-}" "$$" >"$out/$id.env"
printf '%s\n' "$@" >"$out/$id.argv"
[ -e "$bundle/config.json" ] && cp "$bundle/config.json" "$out/$id.json"
exit 0
STUB_EOF
  sed -i -e "s|@STUB_OUT@|$STUB_OUT|" -e "s|@STUB@|$STUB|" "$STUB"
  chmod 0755 "$STUB"
}

stub_teardown() {
  local m
  [ -n "${WORK:-}" ] && [ -d "$WORK" ] || return 0
  awk -v d="$WORK" 'index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
  rm -rf "$WORK"
  return 0
}

shim() { "$SECSHIM_BIN" --secshim-policy="$POLICY" --secshim-runtime="$STUB" "$@"; }

stub_ran() { [ -e "$STUB_OUT/$1.argv" ]; }

# dockerd's setkey hook names /proc/<dockerd pid>/exe of the capture host,
# and the id of the captured container: secshim refuses it unless the pid
# runs this host's dockerd and the id is the one created.  Tests that create
# one config under many ids drop it; the hooks rule has its own tests.
fixture_no_pid() {
  if [ -n "${2:-}" ]; then setkey_fixture "$@"
  else jq '(.hooks.prestart // []) |= map(select(.path | test("^/proc/[0-9]+/exe$") | not))' "$1"; fi
}
# Likewise docker's own binds from /var/lib/docker/containers/<captured id>/
# pass only for that id (rules.mounts.ownContainerDirs): tests that create
# one config under ids of their own, and are not about mounts, drop them too.
fixture_any_id() {
  fixture_no_pid "$1" | jq '(.mounts // []) |= map(select((.source // "") | test("^/var/lib/docker/containers/") | not))'
}
