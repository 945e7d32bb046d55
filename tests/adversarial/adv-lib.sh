# Helpers for the adversarial suite (sourced; not a test itself).
#
# Each case runs secshim in runtime mode against a stub runc:
#
#   $SECSHIM_BIN --secshim-policy=$POLICY --secshim-runtime=$STUB create --bundle B id
#
# The stub (written by adv_setup) picks the bundle from its argv the way
# runc 1.1's urfave/cli does (last --bundle/-b/-bundle wins, flags after the id
# count, "--" ends flags, default is the cwd), records its argv, and copies
# the config.json (or exec's --process file) it would read, following
# symlinks as runc's os.Open does.
#
# adv_expect then asserts one of two outcomes:
#  refused  exit 1 (255 for exec, like runc), a message matching the case's pattern on stderr, nothing on
#           stdout, the stub never ran, config.json byte for byte, inode and
#           mtime unchanged;
#  accepted the stub ran, and what it read, decoded by the Go oracle (runc's
#           own decoder, tests/oracle), satisfies the policy (uid != 0,
#           noNewPrivileges, no /run/systemd mount) and equals secshim's own
#           view: the document `secshim check --output` produces for the same
#           input, decoded by the same oracle.
# shellcheck shell=bash
. "$SECSHIM_TOP/tests/lib/lib.sh" 2>/dev/null || . "$(dirname "${BASH_SOURCE[0]}")/../lib/lib.sh"

POLICY=${POLICY:-$SECSHIM_TOP/policy/default.json}
ORACLE=$SECSHIM_BUILD/oracle
ADV_DATA=$SECSHIM_TOP/tests/adversarial/data

# Prints a reason and returns 1 when the suite cannot run at all.
adv_missing() {
  [ -x "$SECSHIM_BIN" ] || { echo "secshim binary $SECSHIM_BIN not built"; return 0; }
  [ -f "$POLICY" ] || { echo "policy $POLICY missing"; return 0; }
  command -v jq >/dev/null || { echo "jq not installed"; return 0; }
  "$SECSHIM_TOP/tests/oracle/build.sh" "$ORACLE" >/dev/null 2>&1 || { echo "Go oracle does not build (golang-go, golang-github-opencontainers-specs-dev)"; return 0; }
  return 1
}

adv_setup() {
  local why
  if why=$(adv_missing); then
    skip "adversarial suite: $why"
    done_testing
    exit $?
  fi
  # Not under /tmp: bundles live below a root-owned, not world-writable tree
  # like /run/containerd, so only the property under test can cause a refusal.
  mkdir -p "$SECSHIM_BUILD"
  WORK=$(mktemp -d "$SECSHIM_BUILD/adv.XXXXXX")
  chmod 0755 "$WORK"
  trap 'rm -rf "$WORK"' EXIT
  STUB=$WORK/runc-stub
  STUB_OUT=$WORK/stub-out
  cat >"$STUB" <<'STUB_EOF'
#!/bin/bash
# Stub runc: record argv and the document runc would read, then succeed.
out=@STUB_OUT@
mkdir -p "$out"
printf '%s\n' "$@" >"$out/argv"
pwd >"$out/cwd"
bundle= process= verb= id= seen_verb=0 dashdash=0
set -- "$@"
while [ $# -gt 0 ]; do
  a=$1; shift
  if [ $seen_verb = 0 ]; then
    case $a in
      --root|--log|--log-format|--criu|--rootless) shift ;;
      -*) ;;
      *) verb=$a; seen_verb=1 ;;
    esac
    continue
  fi
  [ $dashdash = 1 ] && continue
  # runc exec sets SkipArgReorder: everything after the id is the command.
  if [ "$verb" = exec ] && [ -n "$id" ]; then continue; fi
  case $a in
    --) dashdash=1 ;;
    --bundle|-bundle|-b|--process|-process|-p)
      v=${1-}; shift
      case $a in *b*) bundle=$v ;; *) process=$v ;; esac ;;
    --bundle=*|-bundle=*|-b=*) bundle=${a#*=} ;;
    --process=*|-process=*|-p=*) process=${a#*=} ;;
    --console-socket|--pid-file|--preserve-fds|--image-path|--work-path|--parent-path|--page-server|--manage-cgroups-mode|--empty-ns|--lsm-profile|--lsm-mount-context|--cwd|--env|-e|--user|-u|--additional-gids|-g|--cap|-c|--apparmor|--process-label|--cgroup|--resources|-r)
      shift ;;
    -*) ;;
    *) [ -n "$id" ] || id=$a ;;
  esac
done
echo "$verb" >"$out/verb"
if [ "$verb" = exec ]; then
  # Without --process, runc builds the process from the container's config
  # (checked at create) and its own flags: nothing to copy.
  if [ -n "$process" ]; then cp -L -- "$process" "$out/seen.json"; else echo inline >"$out/inline"; fi
else
  [ -n "$bundle" ] || bundle=$PWD
  echo "$bundle" >"$out/bundle"
  cp -L -- "$bundle/config.json" "$out/seen.json"
fi
exit 0
STUB_EOF
  sed -i "s|@STUB_OUT@|$STUB_OUT|" "$STUB"
  chmod 0755 "$STUB"
  CASE_N=0
}

# adv_bundle DOCFILE: a fresh bundle directory holding DOCFILE as config.json,
# named after CASE_N (callers increment it: this runs in a subshell).
adv_bundle() {
  local b=$WORK/b$CASE_N
  mkdir -p "$b/rootfs"
  chmod 0755 "$b" "$b/rootfs"
  cp -- "$1" "$b/config.json"
  chmod 0644 "$b/config.json"
  echo "$b"
}

# Fingerprint of a file: sha256, inode, mtime with nanoseconds, size.
# Only regular files are hashed (reading a FIFO would block).
fingerprint() {
  if [ -f "$1" ] && [ ! -L "$1" ]; then echo "$(sha_of "$1") $(stat -c '%i %.9Y %s' "$1")"
  elif [ -e "$1" ] || [ -L "$1" ]; then stat -c '%F %i %.9Y %s' "$1"
  else echo absent; fi
}

# adv_run ARGS...: run secshim (policy and runtime prepended), set RC, ERR, OUT.
adv_run() {
  rm -rf "$STUB_OUT"
  ERR=$WORK/stderr OUTF=$WORK/stdout
  "$SECSHIM_BIN" "--secshim-policy=$POLICY" "--secshim-runtime=$STUB" "$@" >"$OUTF" 2>"$ERR" </dev/null
  RC=$?
  # runc exits 255 when exec fails, 1 otherwise; secshim refuses the same way.
  REFUSE_RC=1
  case " $* " in *" exec "*) REFUSE_RC=255 ;; esac
}

# A refusal by a policy rule rather than by the parser names the rule:
#   secshim: namespaces: no pid namespace ...
POLICY_REFUSAL='secshim: [A-Za-z]+: '


# The policy's promises, checked on an oracle projection (file): prints the
# violations, one per line; empty when the document complies.
# policy_violations PROJECTION [CONFIG]: what the policy forbids in runc's
# view.  With CONFIG (a config.json as runc read it), whether the process
# runs as root is the oracle's word (`oracle users`: the host ids, mappings
# ignored for a joined user namespace, applied for a new one); without it
# (exec's process.json), uid 0 in the projection.  The /run/systemd promise
# is about the host's: a mount whose source is there (rules.mounts.deny
# lists host paths).  A destination is a path in the container's rootfs,
# resolved there by runc; since Go-folded duplicate keys are read as Go
# reads them, a document can name one at /run/systemd and be accepted.
policy_violations() {
  local hostroot=
  if [ -n "${2:-}" ]; then
    hostroot=$("$ORACLE" users "$2" 2>&1 | jq -r 'if (.error // "") != "" then "user ids: " + .error
      elif .hostRoot then "runs as host root (uid \(.hostUid), gid \(.hostGid), userns \(.userns))" else empty end' 2>&1)
    [ -n "$hostroot" ] && echo "$hostroot"
  fi
  jq -r --arg config "${2:-}" '
    (if .process == null then "no process" else empty end),
    (if $config == "" and (.process.uid // 0) == 0 then "runs as uid 0" else empty end),
    (if .process.noNewPrivileges != true then "noNewPrivileges is not true" else empty end),
    ((.mounts // [])[] | select((.source // "") | test("^/+(var/+)?run/+systemd(/|$)"))
       | "mounts /run/systemd (\(.source) on \(.destination))")' "$1" 2>&1
}

# adv_expect NAME PATTERN INPUT_DOC CONFIG_PATH [--process]
#   After adv_run: judge the outcome as described at the top.  INPUT_DOC is the
#   document as given (for `secshim check`), CONFIG_PATH the file secshim was
#   pointed at (fingerprinted by the caller in BEFORE).
adv_expect() {
  local name=$1 pattern=$2 input=$3 config=$4 mode=${5:-}
  local why=
  # Under the ASan build a leak report would otherwise pass as "exit 1".
  if grep -qE 'ERROR: (Leak|Address)Sanitizer|runtime error:' "$ERR"; then
    fail "$name: sanitizer report: $(grep -m1 -E 'SUMMARY|runtime error' "$ERR" | cut -c1-200)"
    return
  fi
  if [ "$RC" -ne 0 ]; then
    [ "$RC" -eq "$REFUSE_RC" ] || why="exit status $RC (expected 0, or $REFUSE_RC for a refusal)"
    [ -z "$why" ] && [ -e "$STUB_OUT/argv" ] && why="refused but runc ran"
    [ -z "$why" ] && [ -s "$OUTF" ] && why="wrote to stdout: $(head -c 200 "$OUTF")"
    [ -z "$why" ] && [ ! -s "$ERR" ] && why="refused without a message"
    [ -z "$why" ] && ! grep -qEi -- "$pattern|$POLICY_REFUSAL" "$ERR" && why="message does not name the problem (/$pattern/): $(head -c 300 "$ERR")"
    [ -z "$why" ] && [ "$(fingerprint "$config")" != "$BEFORE" ] && why="refused document was modified"
    if [ -z "$why" ]; then ok "$name: refused: $(head -n 1 "$ERR" | cut -c1-160)"; else fail "$name: $why"; fi
    return
  fi
  adv_accepted "$name" "$input" "$mode"
}

adv_accepted() {
  local name=$1 input=$2 mode=$3 why= viol
  local seen=$STUB_OUT/seen.json proj=$WORK/proj-seen.json view=$WORK/view.json vproj=$WORK/proj-view.json
  if [ ! -e "$STUB_OUT/argv" ]; then fail "$name: exit 0 but runc never ran"; return; fi
  if [ ! -f "$seen" ]; then fail "$name: runc ran but could not read its document"; return; fi
  if [ -s "$OUTF" ]; then fail "$name: wrote to stdout in runtime mode: $(head -c 200 "$OUTF")"; return; fi
  if ! "$ORACLE" $mode "$seen" >"$proj" 2>&1; then
    # runc refusing a document it was given as is, is runc's business (no
    # container starts); refusing one secshim rewrote means we broke it.
    if cmp -s "$seen" "$input" || ! "$ORACLE" $mode "$input" >/dev/null 2>&1; then
      ok "$name: accepted; runc refuses it itself: $(head -c 120 "$proj")"
    else
      fail "$name: secshim's rewrite made a document runc refuses: $(head -c 300 "$proj")"
    fi
    return
  fi
  if [ -n "$mode" ]; then viol=$(policy_violations "$proj")
  else viol=$(policy_violations "$proj" "$seen"); fi
  if [ -n "$viol" ]; then fail "$name: BYPASS: runc would read a document that $(echo "$viol" | paste -sd';')"; return; fi
  # secshim's own view: the offline check of the same input.
  rm -f "$view"
  local ckind=--config; [ -n "$mode" ] && ckind=--process
  if ! "$SECSHIM_BIN" check --policy "$POLICY" --output "$view" $ckind "$input" >/dev/null 2>"$WORK/check.err"; then
    fail "$name: create accepted but \`secshim check\` disagrees: $(head -c 300 "$WORK/check.err")"; return
  fi
  [ -f "$view" ] || cp -- "$input" "$view"   # no --output written: nothing was rewritten
  if ! "$ORACLE" $mode "$view" >"$vproj" 2>&1; then
    fail "$name: secshim's view does not decode in Go: $(head -c 300 "$vproj")"; return
  fi
  if ! cmp -s "$proj" "$vproj"; then
    fail "$name: runc's view differs from secshim's: $(diff <(jq -S . "$vproj") <(jq -S . "$proj") | head -n 8 | paste -sd' ')"
    return
  fi
  ok "$name: accepted; runc's view complies (uid $(jq .process.uid "$proj"), nnp) and equals secshim's"
}

# adv_case NAME PATTERN DOCFILE: the whole cycle for one config document.
adv_case() {
  local name=$1 pattern=$2 doc=$3 b
  CASE_N=$((CASE_N + 1))
  b=$(adv_bundle "$doc")
  BEFORE=$(fingerprint "$b/config.json")
  adv_run create --bundle "$b" "adv$CASE_N"
  adv_expect "$name" "$pattern" "$doc" "$b/config.json"
}

# adv_process_case NAME PATTERN DOCFILE: exec --process with DOCFILE.
adv_process_case() {
  local name=$1 pattern=$2 doc=$3 p
  CASE_N=$((CASE_N + 1))
  p=$WORK/process$CASE_N.json
  cp -- "$doc" "$p"
  BEFORE=$(fingerprint "$p")
  adv_run exec --process "$p" "adv$CASE_N"
  adv_expect "$name" "$pattern" "$doc" "$p" --process
}

# adv_control: the unmodified base document must be accepted, or every
# "refused" verdict of the suite would prove nothing.
adv_control() {
  local b
  CASE_N=$((CASE_N + 1))
  b=$(adv_bundle "$ADV_DATA/base.json")
  adv_run create --bundle "$b" "adv$CASE_N"
  if [ "$RC" -ne 0 ]; then
    fail "control: the compliant base document is refused (exit $RC): $(head -c 300 "$ERR")"
    return
  fi
  adv_accepted "control: the compliant base document" "$ADV_DATA/base.json" ""
}
