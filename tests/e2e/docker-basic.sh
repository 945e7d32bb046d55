#!/usr/bin/env bash
# dockerd with secshim registered as the "secure" runtime (private daemon,
# hack/dockerd.sh): a container runs and prints, no_new_privileges is forced,
# a /run/systemd bind mount is refused with secshim's message reaching the
# docker CLI, and exec/stop/rm work on a secure container.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/docker.sh"
docker_e2e_setup

# --- a plain container ------------------------------------------------------
out=$(secure_run "$IMAGE" echo hello-from-secure 2>&1); rc=$?
assert_status "docker run --runtime secure: exit status 0" "$rc" 0
assert_contains "docker run --runtime secure: output" "$out" hello-from-secure

secure_run "$IMAGE" sh -c 'exit 3' >/dev/null 2>&1; rc=$?
assert_status "docker run --runtime secure: container exit status 3 propagates" "$rc" 3

# --- no_new_privileges --------------------------------------------------------
nnp_line() { printf '%s' "$1" | grep -E '^NoNewPrivs:' | tr -s ' \t' ' '; }
# Control: without secshim docker leaves no_new_privileges off, so the next
# assertion really shows secshim at work.
out=$(dk_run --rm --network none "$IMAGE" grep NoNewPrivs /proc/self/status 2>&1)
assert_eq "control: default runtime leaves NoNewPrivs at 0" "$(nnp_line "$out")" "NoNewPrivs: 0"
out=$(secure_run "$IMAGE" grep NoNewPrivs /proc/self/status 2>&1); rc=$?
assert_status "nnp: secure container runs" "$rc" 0
assert_eq "nnp: NoNewPrivs is 1 inside a secure container" "$(nnp_line "$out")" "NoNewPrivs: 1"

# --- a denied host mount --------------------------------------------------------
out=$(secure_run -v /run/systemd:/run/systemd "$IMAGE" echo should-not-run 2>&1); rc=$?
if [ "$rc" -ne 0 ]; then ok "-v /run/systemd: refused (docker exit $rc)"; else fail "-v /run/systemd: the container ran"; fi
assert_not_contains "-v /run/systemd: the container never ran" "$out" should-not-run
assert_contains "-v /run/systemd: docker's error names secshim" "$out" secshim
diag "docker said: $(printf '%s' "$out" | tr '\n' ' ' | head -c 400)"

# --- exec, stop, rm on a secure container -------------------------------------
name=secshim-e2e-$$
out=$(dk_run -d --name "$name" --network none --runtime secure "$IMAGE" sleep 300 2>&1); rc=$?
assert_status "docker run -d --runtime secure: exit status 0" "$rc" 0
if wait_running "$name" 10; then ok "detached secure container is running"; else fail "detached secure container is not running: $out"; fi

out=$(dk exec "$name" echo exec-output 2>&1); rc=$?
assert_status "docker exec: exit status 0" "$rc" 0
assert_contains "docker exec: output" "$out" exec-output
dk exec "$name" sh -c 'exit 5' >/dev/null 2>&1; rc=$?
assert_status "docker exec: exit status 5 propagates" "$rc" 5
out=$(dk exec "$name" grep NoNewPrivs /proc/self/status 2>&1)
assert_eq "docker exec: NoNewPrivs is 1 in an exec'd process" "$(nnp_line "$out")" "NoNewPrivs: 1"

dk stop -t 2 "$name" >/dev/null 2>&1; rc=$?
assert_status "docker stop: exit status 0" "$rc" 0
assert_eq "docker stop: container no longer running" "$(dk inspect -f '{{.State.Running}}' "$name" 2>&1)" false
dk rm "$name" >/dev/null 2>&1; rc=$?
assert_status "docker rm: exit status 0" "$rc" 0
if dk inspect "$name" >/dev/null 2>&1; then fail "docker rm: container still exists"; else ok "docker rm: container gone"; fi

done_testing
