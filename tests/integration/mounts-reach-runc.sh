#!/usr/bin/env bash
# Issue 10, classes 1 and 2, with real runc 1.1.5 (private --root, bundles
# under a scratch dir): for each class a config that makes plain runc reach
# a forbidden host resource (the control shows the container reading it),
# and the same config through secshim, refused before runc runs (the
# container never exists, so it cannot read it).  A benign twin runs.
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/bundle.sh"

missing=
[ -x "$SECSHIM_BIN" ] || missing+=" secshim binary $SECSHIM_BIN (run make);"
[ -x "$RUNC" ] || missing+=" runc ($RUNC);"
command -v jq >/dev/null || missing+=" jq;"
[ "$(id -u)" -eq 0 ] || missing+=" root;"
if [ -n "$missing" ]; then skip "mounts reach: missing${missing%;}"; done_testing; exit; fi
if ! bundle_setup; then fail "could not build the busybox image (hack/mkimage.sh)"; done_testing; exit; fi

# A private copy of the image: the cases add directories and symlinks to it.
ROOTFS=$WORK/rootfs
cp -a "$TEST_ROOTFS" "$ROOTFS"
mkdir -p "$ROOTFS/x" "$ROOTFS/o" "$ROOTFS/data"
ln -s /proc/self "$ROOTFS/ap"
host_hostname=$(cat /etc/hostname 2>/dev/null || true)
[ -n "$host_hostname" ] || host_hostname=$(hostname)
mkdir -p "$WORK/empty" "$WORK/a/b" "$WORK/a/etc"
echo decoy >"$WORK/a/etc/hostname"

# case_bundle NAME JQ: a bundle whose rootfs is the private copy.
case_bundle() {
  local b=$WORK/$1
  mkdir -p "$b"
  jq --arg r "$ROOTFS" ".root.path = \$r | .root.readonly = true | $2" "$IMAGE_DIR/bundle/config.json" >"$b/config.json"
  echo "$b"
}

# both NAME B PATTERN: plain runc's output must match PATTERN (it reaches the
# resource); secshim must refuse (exit 1) with nothing run.
both() {
  local name=$1 b=$2 pattern=$3 out rc
  cp "$b/config.json" "$b/config.orig"
  out=$("$RUNC" --root "$RUNC_ROOT" run --bundle "$b" "plain-$name" 2>&1 </dev/null); rc=$?
  "$RUNC" --root "$RUNC_ROOT" delete --force "plain-$name" >/dev/null 2>&1
  if [ "$rc" -eq 0 ] && printf '%s' "$out" | grep -qE -- "$pattern"; then
    ok "$name: control: plain runc reaches it (container printed: $(printf '%s' "$out" | head -n 1 | cut -c1-60))"
  else
    fail "$name: control: plain runc did not reach it (exit $rc): $(printf '%s' "$out" | head -c 300)"
  fi
  cp "$b/config.orig" "$b/config.json"
  out=$(secshim_rt run --bundle "$b" "secshim-$name" 2>&1 </dev/null); rc=$?
  if [ "$rc" -eq 1 ] && printf '%s' "$out" | grep -q 'secshim: ' && ! printf '%s' "$out" | grep -qE -- "$pattern"; then
    ok "$name: through secshim: refused, the container never read it: $(printf '%s' "$out" | grep -o 'secshim: [a-z]*: [^"]*' | head -n 1 | cut -c1-110)"
  else
    fail "$name: through secshim: exit $rc: $(printf '%s' "$out" | head -c 300)"
  fi
  [ "$(rt_status "secshim-$name")" = absent ] && ok "$name: no container exists after the refusal" ||
    fail "$name: a container exists after the refusal"
}

# -- class 1: lnk/../etc is bundle/etc for runc (lexical Join), a decoy for a physical walk
b=$(case_bundle class1 "$(jq_args /bin/cat /x/hostname) | .mounts += [{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"lnk/../etc\",\"options\":[\"rbind\",\"ro\"]}]")
ln -s "$WORK/a/b" "$b/lnk"
ln -s /etc "$b/etc"
both class1-relative-join "$b" "^$host_hostname\$"

# -- class 2: proc at /x, where maskedPaths do not apply (/proc/timer_list is masked, /x/timer_list is not)
b=$(case_bundle class2-proc "$(jq_args /bin/sh -c 'head -c 18 /x/timer_list; echo; echo masked:$(head -c 18 /proc/timer_list)') | .mounts += [{\"destination\":\"/x\",\"type\":\"proc\",\"source\":\"proc\"}]")
both class2-proc-at-x "$b" "^Timer List Version"

# -- class 2: overlay with the host's /etc as a lower layer
b=$(case_bundle class2-overlay "$(jq_args /bin/cat /o/hostname) | .mounts += [{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\",\"options\":[\"lowerdir=/etc:$WORK/empty\"]}]")
both class2-overlay-etc "$b" "^$host_hostname\$"

# -- cwd: a symlink in the image to /proc/self: runc's chdir lands in procfs
b=$(case_bundle cwd-proc "$(jq_args /bin/stat -f -c %T .) | .process.cwd = \"/ap/root/proc\"")
both cwd-lands-in-proc "$b" "^proc$"

# -- exec's process.json cwd, landed in the running container (runc's state.json):
# a symlink the container's image gained after create
b=$(case_bundle exec-cwd "$(jq_args /bin/sleep 300)")
if secshim_rt create --bundle "$b" exec-cwd </dev/null >/dev/null 2>"$WORK/exec-cwd.err" && secshim_rt start exec-cwd; then
  ln -s /proc/self "$ROOTFS/ap2"
  jq '.process | .args = ["/bin/stat", "-f", "-c", "%T", "."] | .cwd = "/ap2/root/proc"' "$b/config.json" >"$WORK/exec-process.json"
  cp "$WORK/exec-process.json" "$WORK/exec-process.orig"
  out=$("$RUNC" --root "$RUNC_ROOT" exec --process "$WORK/exec-process.json" exec-cwd 2>&1 </dev/null); rc=$?
  if [ "$rc" -eq 0 ] && [ "$out" = proc ]; then ok "exec cwd: control: plain runc exec lands in procfs (stat -f: $out)"
  else fail "exec cwd: control: plain runc exec did not land in procfs (exit $rc): $(printf '%s' "$out" | head -c 200)"; fi
  cp "$WORK/exec-process.orig" "$WORK/exec-process.json"
  out=$(secshim_rt exec --process "$WORK/exec-process.json" exec-cwd 2>&1 </dev/null); rc=$?
  if [ "$rc" -eq 255 ] && printf '%s' "$out" | grep -q 'lands on' && [ "$out" != proc ]; then
    ok "exec cwd: through secshim: refused: $(printf '%s' "$out" | grep -o 'secshim: [a-z]*: [^"]*' | head -n 1 | cut -c1-110)"
  else
    fail "exec cwd: through secshim: exit $rc: $(printf '%s' "$out" | head -c 300)"
  fi
  jq '.cwd = "/tmp"' "$WORK/exec-process.orig" >"$WORK/exec-process.json"
  out=$(secshim_rt exec --process "$WORK/exec-process.json" exec-cwd 2>&1 </dev/null); rc=$?
  assert_status "exec cwd: twin: cwd /tmp runs through secshim" "$rc" 0
  secshim_rt delete --force exec-cwd >/dev/null 2>&1
else
  fail "exec cwd: could not create the container: $(head -c 300 "$WORK/exec-cwd.err")"; skip "exec cwd: secshim"; skip "exec cwd: twin"
fi

# -- the benign twin: a bundle-relative source inside the bundle runs through secshim
b=$(case_bundle twin "$(jq_args /bin/cat /data/hello) | .mounts += [{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"vol\",\"options\":[\"rbind\",\"ro\"]}]")
mkdir -p "$b/vol" && echo hello-volume >"$b/vol/hello"
out=$(secshim_rt run --bundle "$b" twin 2>&1 </dev/null); rc=$?
assert_status "twin: a relative bind source inside the bundle runs through secshim" "$rc" 0
assert_contains "twin: the container reads the volume" "$out" hello-volume
done_testing
