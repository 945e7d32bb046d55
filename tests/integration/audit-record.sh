#!/usr/bin/env bash
# The audit record for log pipelines (docs/audit.md): schema version,
# RFC 3339 time with microseconds, host, engine and image where the document
# tells them, string values cut at 512 bytes with a marker, every line at
# most 8 KiB (findings past that counted, not written).
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/stubrunc.sh"
stub_setup
ID1=4dfcb02645b9e6f2e6aa65f22127a2f606ed8b4391a007fd44efdc756b2a9aee
mkb() { # dir fixture [jq filter]
  mkdir -p "$WORK/$1/rootfs"
  jq "del(.hooks) | .root.path = \"rootfs\" | .mounts |= map(select((.source // \"\") | startswith(\"/var/lib/docker\") | not)) | ${3:-.}" \
    "$FIXTURES/docker-20.10/$2.config.json" >"$WORK/$1/config.json"
}
last() { tail -n 1 "$AUDIT_LOG"; }

mkb "moby/$ID1" default
shim create --bundle "$WORK/moby/$ID1" "$ID1" >/dev/null 2>&1
assert_status "a docker container is created" "$?" 0
rec=$(last)
assert_eq "schemaVersion" "$(jq -r .schemaVersion <<<"$rec")" 2
check "time: RFC 3339, UTC, microseconds" grep -qE '"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"' <<<"$rec"
assert_eq "host" "$(jq -r .host <<<"$rec")" "$(hostname)"
assert_eq "engine from the bundle's place (dockerd)" "$(jq -r .engine <<<"$rec")" docker
assert_eq "no image: docker does not say it" "$(jq -r 'has("image")' <<<"$rec")" false
assert_eq "the rest of the record is still there" "$(jq -r '[.verb, .id, .outcome] | join(" ")' <<<"$rec")" "create $ID1 rewritten"

# A pod through containerd's CRI names its image.
mkb cri default '.annotations = {"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.image-name": "docker.io/library/busybox:1.36"}'
shim create --bundle "$WORK/cri" cri1 >/dev/null 2>&1
rec=$(last)
assert_eq "engine from the CRI annotations" "$(jq -r .engine <<<"$rec")" cri
assert_eq "image from io.kubernetes.cri.image-name" "$(jq -r .image <<<"$rec")" docker.io/library/busybox:1.36

# A 3000-byte host path: every value is cut at 512 bytes, with a marker.
long=/run/systemd/$(head -c 2987 /dev/zero | tr '\0' a)
mkdir -p /run/systemd
mkb big default ".mounts += [{\"destination\": \"/x\", \"type\": \"bind\", \"source\": \"$long\", \"options\": [\"rbind\"]}]"
shim create --bundle "$WORK/big" big1 >/dev/null 2>&1
assert_status "the long bind is refused" "$?" 1
rec=$(last)
assert_eq "refused record" "$(jq -r .outcome <<<"$rec")" refused
maxlen=$(jq '[.. | strings | length] | max' <<<"$rec")
if [ "$maxlen" -le 530 ]; then ok "no value longer than 512 bytes + marker ($maxlen)"; else fail "a value of $maxlen bytes"; fi
check "the cut value says how much is missing" grep -qE 'a\.\.\.\[\+[0-9]+ bytes\]' <<<"$rec"

# --privileged with every host device: the line stays under 8 KiB.
mkb priv privileged
shim create --bundle "$WORK/priv" priv1 >/dev/null 2>&1
rec=$(last)
n=$(printf '%s' "$rec" | wc -c)
if [ "$n" -le 8192 ]; then ok "the --privileged record is $n bytes (<= 8192)"; else fail "the --privileged record is $n bytes"; fi
assert_eq "it is one valid JSON object" "$(jq -r .outcome <<<"$rec")" refused
total=$("$SECSHIM_BIN" check --format json --policy "$POLICY" "$WORK/priv/config.json" 2>/dev/null | jq '.findings | length')
kept=$(jq '.findings | length' <<<"$rec"); omitted=$(jq '.findingsOmitted // 0' <<<"$rec")
diag "privileged: $total findings in check, $kept written, $omitted omitted"
assert_eq "written + omitted = what secshim check reports" "$((kept + omitted))" "$total"
done_testing
