#!/usr/bin/env bash
# Mounts and cwd judged by what runc 1.1.5 would reach (issue 10, classes 1
# and 2).  Each case builds a bundle (rootfs, symlinks, host directories
# under the suite's work tree, a fake block device node), runs secshim
# create against the stub runc with the default policy, and asks the Go
# oracle (`oracle reach`: runc's own calls, filepath.Join, os.Stat,
# filepath.EvalSymlinks, securejoin.SecureJoin) what runc would mount.  The
# verdict is the oracle's, never secshim's message:
#   forbidden   the oracle says runc reaches a forbidden host resource:
#               secshim must refuse (and runc never runs);
#   fails       runc itself would fail on the path (ENOENT, EACCES, ELOOP,
#               unknown type): secshim must refuse too (fail closed, nothing
#               legitimate lost);
#   benign      secshim must accept, and the oracle must agree it is benign.
. "$(dirname "$0")/adv-lib.sh"
adv_setup

deny_args=()
while IFS= read -r p; do deny_args+=(--deny "$p"); done < <(jq -r '.rules.mounts.deny[]' "$POLICY")
while IFS= read -r p; do deny_args+=(--deny-exact "$p"); done < <(jq -r '.rules.mounts.denyExact[]' "$POLICY")

H=$WORK/host
mkdir -p "$H/safe" "$H/a/b" "$H/a/etc" "$H/l1" "$H/l2" "$H/u" "$H/w" "$H/vol2"
ln -s /etc "$H/to-etc"
ln -s "$H/safe" "$H/to-safe"
ln -s "$H/loop" "$H/loop"
ln -s /proc/1/ns/pid "$H/ns"
ln -s /proc/self "$H/vol2/lnk"
mkdir -p "$H/ovl-low/d" "$H/ovl-up"
ln -s /proc/self "$H/ovl-low/lnk"
ln -s /tmp "$H/ovl-up/lnk2"
have_blk=0
if mknod "$H/sda" b 7 250 2>/dev/null; then have_blk=1; fi

# mcase NAME EXPECT JQ [SETUP]: EXPECT is forbidden, fails or benign; SETUP
# is shell run with B (bundle) and R (rootfs) set, before secshim.
mcase() {
  local name=$1 expect=$2 filter=$3 setup=${4:-} B R verdict
  CASE_N=$((CASE_N + 1))
  B=$WORK/b$CASE_N R=$B/rootfs
  mkdir -p "$R/proc" "$R/sys" "$R/tmp" "$B/vol"
  if ! jq --arg H "$H" --arg B "$B" "$filter" "$ADV_DATA/base.json" >"$B/config.json"; then
    fail "$name: jq filter failed"; return
  fi
  [ -n "$setup" ] && (cd "$B" && eval "$setup")
  cp "$B/config.json" "$WORK/input.json"
  "$ORACLE" reach "${deny_args[@]}" "$B" >"$WORK/reach.json" 2>"$WORK/reach.err" || {
    fail "$name: oracle reach failed: $(head -c 200 "$WORK/reach.err")"; return; }
  if jq -e .forbidden "$WORK/reach.json" >/dev/null; then verdict=forbidden
  elif jq -e .fails "$WORK/reach.json" >/dev/null; then verdict=fails
  else verdict=benign; fi
  if [ "$verdict" != "$expect" ]; then
    fail "$name: the oracle says $verdict, the case was built as $expect: $(jq -c '[.mounts[] | select(.forbidden or .fails)] + [.cwd]' "$WORK/reach.json" | head -c 300)"
    return
  fi
  adv_run create --bundle "$B" "reach$CASE_N"
  case $verdict in
    forbidden | fails)
      if [ "$RC" -eq 1 ] && [ ! -e "$STUB_OUT/argv" ] && grep -q 'secshim' "$ERR"; then
        ok "$name: runc would $( [ $verdict = fails ] && echo fail || echo reach "$(jq -r '[.mounts[] | select(.forbidden) | .why] + [.cwd.why // empty] | first' "$WORK/reach.json")"); refused: $(grep -o 'secshim: [a-z]*: [^"]*' "$ERR" | head -n 1 | cut -c1-120)"
      else
        fail "$name: runc would $verdict ($(jq -c '[.mounts[] | select(.forbidden or .fails) | .why // .fails] + [.cwd.why // empty]' "$WORK/reach.json" | head -c 200)) but secshim exit $RC, runc ran: $( [ -e "$STUB_OUT/argv" ] && echo yes || echo no)"
      fi ;;
    benign)
      if [ "$RC" -eq 0 ] && [ -e "$STUB_OUT/argv" ]; then ok "$name: benign for runc, accepted"
      else fail "$name: benign for runc but refused (exit $RC): $(head -c 300 "$ERR")"; fi ;;
  esac
}

bind() { # DEST SOURCE -> a jq expression appending a bind mount
  printf '.mounts += [{"destination":"%s","type":"bind","source":"%s","options":["rbind","ro"]}]' "$1" "$2"
}

# -- class 1: host paths resolved as runc resolves them
mcase "relative source ../../.. escaping the bundle to /etc" forbidden "$(bind /x ../../../../../../../../../../../../etc)"
mcase "twin: relative source inside the bundle" benign "$(bind /x vol)"
mcase "lnk/../etc: lexical join reaches bundle/etc -> /etc (physical walk said a harmless dir)" forbidden \
  "$(bind /x lnk/../etc)" 'ln -s "$H/a/b" lnk; ln -s /etc etc'
mcase "twin: lnk/../etc2 with bundle/etc2 -> a harmless dir" benign \
  "$(bind /x lnk/../etc2)" 'ln -s "$H/a/b" lnk; ln -s "$H/safe" etc2'
mcase "lnk/.. is the bundle itself, not lnk's parent /etc/ssl" benign \
  "$(bind /x lnk/..)" 'ln -s /etc/ssl/certs lnk'
mcase "absolute source through a symlink to /etc" forbidden "$(bind /x "$H/to-etc")"
mcase "twin: absolute source through a symlink to a harmless dir" benign "$(bind /x "$H/to-safe")"
mcase "absolute source with .. climbing to /etc" forbidden "$(bind /x "$H/safe/../../../../../../../../../../../etc")"
mcase "bind via options with type none, source /etc" forbidden \
  '.mounts += [{"destination":"/x","type":"none","source":"/etc","options":["rbind"]}]'
mcase "twin: type none with rbind, harmless source" benign \
  ".mounts += [{\"destination\":\"/x\",\"type\":\"none\",\"source\":\"$H/safe\",\"options\":[\"rbind\"]}]"
mcase "destination through a rootfs symlink lands on /proc/sys/kernel" forbidden \
  "$(bind /ps/kernel "$H/safe")" 'ln -s /proc/sys rootfs/ps'
mcase "twin: destination through a rootfs symlink to /tmp" benign "$(bind /tt/x "$H/safe")" 'ln -s /tmp rootfs/tt'
mcase "missing bind source (ENOENT): runc fails, refused" fails "$(bind /x "$H/missing")"
mcase "bind source through /proc/1/ns/pid (EACCES here)" fails "$(bind /x "$H/ns")"
mcase "bind source symlink loop (ELOOP)" fails "$(bind /x "$H/loop")"

# -- class 2: every mount type judged
mcase "proc mounted at /x (no masks there)" forbidden \
  '.mounts += [{"destination":"/x","type":"proc","source":"proc"}]'
mcase "twin: proc at /proc only" benign '.'
mcase "sysfs mounted at /y (ro)" forbidden \
  '.mounts += [{"destination":"/y","type":"sysfs","source":"sysfs","options":["ro","nosuid"]}]'
mcase "twin: sysfs at /a/../sys (runc cleans it to /sys)" benign \
  '.mounts += [{"destination":"/a/../sys","type":"sysfs","source":"sysfs","options":["ro","nosuid"]}]'
mcase "overlay lowerdir=/etc" forbidden \
  ".mounts += [{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\",\"options\":[\"lowerdir=/etc,upperdir=$H/u,workdir=$H/w\"]}]"
mcase "overlay: /etc as the second lowerdir layer" forbidden \
  ".mounts += [{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\",\"options\":[\"lowerdir=$H/l1:/etc\",\"upperdir=$H/u\",\"workdir=$H/w\"]}]"
mcase "overlay: relative lowerdir from the rootfs climbing to /etc" forbidden \
  ".mounts += [{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\",\"options\":[\"lowerdir=../../../../../../../../../../../etc\",\"upperdir=$H/u\",\"workdir=$H/w\"]}]"
mcase "twin: overlay of harmless layers" benign \
  ".mounts += [{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\",\"options\":[\"lowerdir=$H/l1:$H/l2\",\"upperdir=$H/u\",\"workdir=$H/w\"]}]"
mcase "debugfs at /dbg (host kernel state)" forbidden \
  '.mounts += [{"destination":"/dbg","type":"debugfs","source":"debugfs"}]'
mcase "type none without bind (unknown type, the kernel refuses it)" fails \
  '.mounts += [{"destination":"/x","type":"none","source":"/etc"}]'
if [ $have_blk = 1 ]; then
  mcase "ext4 from a host block device node" forbidden \
    ".mounts += [{\"destination\":\"/disk\",\"type\":\"ext4\",\"source\":\"$H/sda\"}]"
  mcase "bind of a host block device node" forbidden "$(bind /disk "$H/sda")"
else
  skip "no mknod here: block device cases"; skip "no mknod here: block device bind"
fi

# -- process.cwd judged by where it lands
mcase "cwd through a rootfs symlink to /proc/self (lands in procfs)" forbidden \
  '.process.cwd = "/ap/cwd"' 'ln -s /proc/self rootfs/ap'
mcase "twin: cwd through a rootfs symlink to /tmp" benign '.process.cwd = "/ok"' 'ln -s /tmp rootfs/ok'
mcase "cwd through a host symlink inside a bind mount to /proc/self" forbidden \
  "$(bind /v "$H/vol2") | .process.cwd = \"/v/lnk/root\""
mcase "twin: cwd inside the same bind mount, a plain directory" benign \
  "$(bind /v "$H/safe") | .process.cwd = \"/v\""
mcase "cwd through a symlink in an overlay's lower layer to /proc/self" forbidden \
  ".mounts += [{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\",\"options\":[\"lowerdir=$H/l1:$H/ovl-low\",\"upperdir=$H/ovl-up\",\"workdir=$H/w\"]}] | .process.cwd = \"/o/lnk/root\""
mcase "twin: cwd through an overlay's upper-layer symlink to /tmp" benign \
  ".mounts += [{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\",\"options\":[\"lowerdir=$H/l1:$H/ovl-low\",\"upperdir=$H/ovl-up\",\"workdir=$H/w\"]}] | .process.cwd = \"/o/lnk2\""
done_testing
