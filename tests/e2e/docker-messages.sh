#!/usr/bin/env bash
# What a docker user reads when secshim refuses a container (private dockerd
# of hack/dockerd.sh, runtime "secure" = policy/default.json): one short
# message per refusal, in docker's words (--privileged, -v SRC:DST, --pid
# host, --device), naming the host path and the policy key or exemption
# that would allow it, the most important reason first and "and N more";
# no JSON path (mounts[7]) and no per-device clause for --privileged; the
# whole line under 1 KiB.  The exact text is asserted: a change of wording
# is a change users see.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/docker.sh"
docker_e2e_setup

P=$SECSHIM_TOP/policy/default.json
TAIL="(policy $P; details: secshim check / audit log)"

# message DOCKER-RUN-ARGS...: MSG is what docker printed between "OCI
# runtime create failed: " and its own ": unknown"; RUN_OUT the whole output.
message() {
  RUN_OUT=$(secure_run "$@" "$IMAGE" echo should-not-run 2>&1)
  RUN_RC=$?
  MSG=$(printf '%s\n' "$RUN_OUT" | sed -n 's/.*OCI runtime create failed: \(secshim: .*\): unknown$/\1/p' | head -n 1)
}
# expect NAME EXACT DOCKER-RUN-ARGS...
expect() {
  local name=$1 want=$2 got
  shift 2
  message "$@"
  got=$MSG
  if [ "$RUN_RC" -ne 0 ]; then ok "$name: refused (docker exit $RUN_RC)"; else fail "$name: the container ran"; fi
  assert_eq "$name: the exact message" "$got" "$want"
  if [ "${#got}" -gt 0 ] && [ "$(printf '%s' "$got" | wc -c)" -lt 1024 ]; then ok "$name: under 1 KiB ($(printf '%s' "$got" | wc -c) bytes)"
  else fail "$name: $(printf '%s' "$got" | wc -c) bytes: $(printf '%s' "$RUN_OUT" | head -c 300)"; fi
  if printf '%s' "$got" | grep -qE '\[[0-9]+\]'; then fail "$name: the message names a JSON index: $got"
  else ok "$name: no JSON index in the message"; fi
}

expect "--privileged" \
  "secshim: privileged: --privileged is refused: it gives every capability and host device and no seccomp filter; run without it and add only the --cap-add or --device it needs, or exempt the container from rule privileged $TAIL" \
  --privileged

mkdir -p /run/systemd
expect "-v /run/systemd" \
  "secshim: mounts: -v /run/systemd:/run/systemd is refused: host path /run/systemd is listed in rules.mounts (deny or denyExact); mount a narrower path or a volume, or exempt the container from rule mounts $TAIL" \
  -v /run/systemd:/run/systemd

expect "-v /:/host" \
  "secshim: mounts: -v /:/host is refused: it is the host's root filesystem (rules.mounts.denyExact); mount a narrower path or a volume, or exempt the container from rule mounts $TAIL" \
  -v /:/host

expect "--pid host" \
  "secshim: namespaces: --pid host is refused: the container would share the host's namespace; drop it, or exempt the container from rule namespaces $TAIL" \
  --pid host

# --ipc host: docker also binds the host's /dev/shm; that is part of the
# same choice, not a reason of its own.
expect "--pid host --ipc host --uts host" \
  "secshim: namespaces: --pid host, --ipc host, --uts host are refused: the container would share the host's namespaces; drop them, or exempt the container from rule namespaces $TAIL" \
  --pid host --ipc host --uts host

expect "--device /dev/kmsg" \
  "secshim: devices: --device /dev/kmsg is refused: c 1:11 is not in rules.devices.allow; drop it, or add \"c 1:11\" there $TAIL" \
  --device /dev/kmsg

# Two unrelated reasons: the most important first, then the count.
expect "--pid host with --device /dev/kmsg" \
  "secshim: namespaces: --pid host is refused: the container would share the host's namespace; drop it, or exempt the container from rule namespaces (policy $P); and 1 more (secshim check / audit log)" \
  --pid host --device /dev/kmsg

# Many reasons at once still make one short line.
message --privileged --pid host --ipc host --uts host -v /:/host -v /run/systemd:/run/systemd \
  --cap-add ALL --security-opt seccomp=unconfined --device /dev/kmsg --device /dev/fuse
got=$MSG
assert_contains "everything at once: --privileged leads" "$got" "secshim: privileged: --privileged is refused"
assert_contains "everything at once: the others are counted" "$got" "; and 3 more (secshim check / audit log)"
n=$(printf '%s' "$got" | wc -c)
if [ "$n" -gt 0 ] && [ "$n" -lt 1024 ]; then ok "everything at once: $n bytes"; else fail "everything at once: $n bytes"; fi

# secshim explain: by name and by the id prefix docker shows, the rewrite
# in the same words, from the audit log the runtime wrote.
name=secshim-e2e-explain-$$
dk_run -d --name "$name" --network none --runtime secure "$IMAGE" sleep 60 >/dev/null 2>&1
assert_status "explain: a root container runs (rewritten)" "$?" 0
out=$("$SECSHIM_BIN" explain "$name" 2>&1); rc=$?
assert_status "explain NAME: exit 0" "$rc" 0
assert_contains "explain NAME: the uid rewrite and its fix" "$out" \
  "rewritten: the container runs as uid 65534 instead of root (rules.user.uid): files root owns in the image are not writable for it (touch: Permission denied); run it with -u UID:GID of the files' owner (or chown them in the image)"
assert_contains "explain NAME: ping after the NET_RAW drop" "$out" "e.g. ping needs NET_RAW"
short=$(dk inspect -f '{{.Id}}' "$name" 2>/dev/null | cut -c1-12)
out=$("$SECSHIM_BIN" explain "$short" 2>&1); rc=$?
assert_status "explain ${short:-ID}: by the id docker ps shows" "$rc" 0
assert_contains "explain ID: the create decision" "$out" "create $short: rewritten"
dk rm -f "$name" >/dev/null 2>&1
done_testing
