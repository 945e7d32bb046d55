#!/usr/bin/env bash
# make demo: install what is missing, build, start a private dockerd with
# secshim registered as the "secure" runtime, and show the policy at work on
# a few containers: allowed, rewritten, refused.  The daemon is left running;
# nothing else on the host changes (tests/e2e/demo.sh checks it).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bold=; dim=; green=; red=; reset=
if [ -t 1 ]; then bold=$'\e[1m'; dim=$'\e[2m'; green=$'\e[32m'; red=$'\e[31m'; reset=$'\e[0m'; fi
say() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }
note() { printf '    %s\n' "$*"; }
die() { printf '%sdemo: %s%s\n' "$red" "$*" "$reset" >&2; exit 1; }

IMAGE=secshim-test/busybox:latest
shown=0 shown_ok=0
# The demo leaves the daemon running, with all its state under
# /run/secshim-test and /var/lib/secshim-test, and nothing anywhere else:
# the policies it registers are copies whose audit logs are in
# /run/secshim-test too (the shipped ones write the host's /var/log/secshim).
RUNDIR=/run/secshim-test
POLICY_DIR=$RUNDIR/policy
POLICY=$POLICY_DIR/default.json

demo_policies() {
  local p name
  rm -rf "$POLICY_DIR" && mkdir -p "$POLICY_DIR" && chmod 0700 "$RUNDIR" && cp -R "$top/policy/." "$POLICY_DIR/" || return 1
  for p in "$POLICY_DIR"/*.json; do
    name=$(basename "$p" .json)
    jq --arg log "$RUNDIR/audit-$name.jsonl" 'if .audit.log then .audit.log = $log else . end' "$p" >"$p.tmp" &&
      mv "$p.tmp" "$p" || return 1
  done
  chmod -R go-w "$POLICY_DIR"
}

# show runs|refused "what this shows" docker-args...: run docker, print the
# command, its output, and whether it ended as the policy says it should.
show() {
  local expect=$1 what=$2; shift 2
  printf '\n%s%s%s\n' "$bold" "$what" "$reset"
  printf '  %s$ docker %s%s\n' "$dim" "$*" "$reset"
  local out rc
  out=$(timeout 60 docker "$@" 2>&1); rc=$?
  printf '%s\n' "$out" | sed -e '/^$/d' -e "/docker run --help/d" -e 's/^/    /'
  case $expect:$rc in
    runs:0 | refused:[1-9]*) shown_ok=$((shown_ok + 1)) ;;
  esac
  shown=$((shown + 1))
  case $expect:$rc in
    runs:0) printf '  %s-> ran (exit 0), as expected%s\n' "$green" "$reset" ;;
    refused:0) printf '  %s-> UNEXPECTED: it ran (exit 0)%s\n' "$red" "$reset" ;;
    runs:*) printf '  %s-> UNEXPECTED: failed (exit %s)%s\n' "$red" "$rc" "$reset" ;;
    refused:*) printf '  %s-> refused (docker exit %s), as expected%s\n' "$green" "$rc" "$reset" ;;
  esac
}

say "1/4 dependencies (hack/install-deps.sh)"
hack/install-deps.sh || die "installing dependencies failed"

say "2/4 build (make)"
if [ -n "${SECSHIM_BIN:-}" ]; then
  note "using SECSHIM_BIN=$SECSHIM_BIN (not building)"
else
  make -s -j"$(nproc)" build/secshim || die "build failed"
  SECSHIM_BIN=$top/build/secshim
  note "built $SECSHIM_BIN"
fi
export SECSHIM_BIN

say "3/4 private dockerd (hack/dockerd.sh start)"
note "data root /var/lib/secshim-test/docker, socket /run/secshim-test/docker.sock;"
note "a dockerd you run yourself is not touched."
demo_policies || die "cannot write the demo's policies to $POLICY_DIR"
export SECSHIM_POLICY_DIR=$POLICY_DIR SECSHIM_POLICY=$POLICY
hack/dockerd.sh start || die "the private dockerd did not start; see /run/secshim-test/dockerd.log"
eval "$(hack/dockerd.sh env)"
export DOCKER_HOST
hack/dockerd.sh image || die "importing the busybox test image failed"
note "runtimes: $(docker info --format '{{range $k, $v := .Runtimes}}{{$k}} {{end}}' 2>/dev/null)"
note "'secure' = $SECSHIM_BIN --secshim-policy=$POLICY"

say "4/4 the policy at work (containers use --network none: this daemon has no bridge)"

show runs "Allowed: an ordinary container runs as usual" \
  run --rm --network none --runtime secure "$IMAGE" echo "hello from a secure container"

show runs "Rewritten: no_new_privileges.  Plain runc (docker's default) leaves it off ..." \
  run --rm --network none "$IMAGE" grep NoNewPrivs /proc/self/status
show runs "... and secshim turns it on before runc starts the container" \
  run --rm --network none --runtime secure "$IMAGE" grep NoNewPrivs /proc/self/status

show runs "Rewritten: the user.  Docker runs this image as root ..." \
  run --rm --network none "$IMAGE" id
show runs "... secshim's policy forbids uid 0 and picks an unprivileged user" \
  run --rm --network none --runtime secure "$IMAGE" id

# dockerd creates a missing bind source as a directory before the runtime
# is asked: only paths that exist are shown.
if [ -d /run/systemd ]; then
  show refused "Refused: a bind mount of the host's /run/systemd (systemd's control sockets)" \
    run --rm --network none --runtime secure -v /run/systemd:/run/systemd "$IMAGE" echo "should not run"
else
  note "(no /run/systemd on this host: the /run/systemd example is left out)"
fi
if [ -S /var/run/docker.sock ]; then
  show refused "Refused: the Docker socket, i.e. root on the host" \
    run --rm --network none --runtime secure -v /var/run/docker.sock:/var/run/docker.sock "$IMAGE" echo "should not run"
else
  show refused "Refused: the host's /etc (its passwords, its engines' configuration)" \
    run --rm --network none --runtime secure -v /etc:/host-etc:ro "$IMAGE" echo "should not run"
fi
show refused "Refused: the host's root filesystem" \
  run --rm --network none --runtime secure -v /:/host "$IMAGE" echo "should not run"
show refused "Refused: --privileged (every sign is listed)" \
  run --rm --network none --runtime secure --privileged "$IMAGE" echo "should not run"
show refused "Refused: the host's process namespace" \
  run --rm --network none --runtime secure --pid host "$IMAGE" echo "should not run"
show runs "Neutralised: --cap-add ALL keeps only the allowlist (CapBnd), so ping has no raw socket" \
  run --rm --network none --runtime secure --cap-add ALL "$IMAGE" sh -c 'grep CapBnd /proc/self/status; ping -c1 127.0.0.1 2>&1 | tail -n1; true'
show runs "Rewritten: seccomp=unconfined gets secshim's filter anyway (unshare is refused)" \
  run --rm --network none --runtime secure --security-opt seccomp=unconfined "$IMAGE" sh -c 'grep Seccomp: /proc/self/status; unshare -U true 2>&1; true'
show runs "The same mount without --runtime secure is not checked (docker's reserved 'runc' runtime)" \
  run --rm --network none -v /etc:/host-etc:ro "$IMAGE" echo "ran without secshim"

audit=$(jq -r '.audit.log // empty' "$POLICY" 2>/dev/null)
if [ -n "$audit" ] && [ -s "$audit" ]; then
  say "Decisions recorded in $audit (last 8, summarised; full records are JSON lines)"
  tail -n 8 "$audit" | jq -r '"\(.time) \(.verb) \(.outcome // "?"): " +
      (.error // ("by " + ([.findings[]? | select(.action == "rewrite") | .rule] | unique | join(", "))))' \
    2>/dev/null | cut -c1-160 | sed 's/^/    /'
fi

say "$shown_ok of $shown outcomes as the policy says"
say "The daemon is still running"
cat <<EOF
    Use it:
      export DOCKER_HOST=unix:///run/secshim-test/docker.sock
      docker run --rm --network none --runtime secure $IMAGE id
    Other policies are registered as secure-<name> (copies of policy/<name>.json in $POLICY_DIR).
    Log:   /run/secshim-test/dockerd.log; decisions: /run/secshim-test/audit-<policy>.jsonl
    Left on this host: the daemon, /run/secshim-test and /var/lib/secshim-test (its data root).
    Stop:  hack/dockerd.sh stop
EOF
exit 0
