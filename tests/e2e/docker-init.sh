#!/usr/bin/env bash
# docker run --init (compose `init: true`) through secshim with the shipped
# default and restricted policies (issue 10, class 8): dockerd binds its
# init (docker-init: Debian's docker.io ships /usr/bin/docker-init -> tini)
# read-only at /sbin/docker-init, from /usr, which the policies deny.  It
# passes because it is the very file of rules.mounts.engineInit, compared
# by (st_dev, st_ino), not by its name; another binary bound there, or the
# init bound writable, is refused.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/docker.sh"
docker_e2e_setup

init=$(command -v docker-init || true)
[ -n "$init" ] || { fail "docker-init is not installed (Debian's docker.io ships /usr/bin/docker-init)"; done_testing; exit; }
diag "docker-init: $init -> $(readlink -f "$init")"

# --- the engine's own init ---------------------------------------------------
out=$(secure_run --init "$IMAGE" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo init-ok' 2>&1); rc=$?
assert_status "docker run --init: exit status 0" "$rc" 0
assert_contains "docker run --init: the container ran" "$out" init-ok
assert_contains "docker run --init: pid 1 is docker's init" "$out" /sbin/docker-init
out=$(dk_run --rm --network none --runtime secure-restricted --init --read-only -u 1000:1000 --memory 64m \
  --pids-limit 50 --cpu-shares 512 "$IMAGE" echo restricted-init-ok 2>&1); rc=$?
assert_status "docker run --init under restricted.json: exit status 0" "$rc" 0
assert_contains "docker run --init under restricted.json: the container ran" "$out" restricted-init-ok

# --- look-alikes -------------------------------------------------------------
# Another binary at docker-init's place: judged as an ordinary bind of /usr.
out=$(secure_run -v /usr/bin/env:/sbin/docker-init:ro "$IMAGE" echo should-not-run 2>&1); rc=$?
assert_not_contains "another binary bound at /sbin/docker-init: the container never ran" "$out" should-not-run
assert_contains "another binary bound at /sbin/docker-init: refused for /usr" "$out" "/usr/bin/env"
# The init itself, writable: no longer what dockerd binds.
out=$(secure_run -v "$init:/sbin/docker-init" "$IMAGE" echo should-not-run 2>&1); rc=$?
assert_not_contains "docker-init bound writable: the container never ran" "$out" should-not-run
assert_contains "docker-init bound writable: refused by secshim" "$out" secshim
# The init at another place (a shell the image would run): not the init.
out=$(secure_run -v "$init:/bin/true:ro" "$IMAGE" echo should-not-run 2>&1); rc=$?
assert_not_contains "docker-init bound at /bin/true: the container never ran" "$out" should-not-run
assert_contains "docker-init bound at /bin/true: refused by secshim" "$out" secshim
done_testing
