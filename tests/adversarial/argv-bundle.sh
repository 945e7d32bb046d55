#!/usr/bin/env bash
# argv and filesystem confusion (security.md §2.2, §2.3; T6, T7): make
# secshim check one document while runc reads another.  Every case has a
# compliant bundle G (data/base.json) and a hostile bundle E (data/evil.json:
# uid 0, no NNP, /run/systemd mounted), fresh each time.  The stub runc picks
# its bundle from argv exactly as runc 1.1 does (last --bundle/-b/-bundle wins,
# flags after the id count, "--bundle=" means the cwd, default the cwd).
# Each case is refused (G and E byte for byte unchanged, message naming the
# problem) or what runc then reads complies with the policy and equals what
# `secshim check` makes of the same bundle's original config.
. "$(dirname "$0")/adv-lib.sh"
adv_setup
adv_control

fresh() { # make G and E for case CASE_N; set G, E and their fingerprints
  CASE_N=$((CASE_N + 1))
  G=$(adv_bundle "$ADV_DATA/base.json"); mv "$G" "$WORK/G$CASE_N"; G=$WORK/G$CASE_N
  E=$(adv_bundle "$ADV_DATA/evil.json"); mv "$E" "$WORK/E$CASE_N"; E=$WORK/E$CASE_N
  cp "$ADV_DATA/base.json" "$WORK/orig-G$CASE_N.json"
  cp "$ADV_DATA/evil.json" "$WORK/orig-E$CASE_N.json"
}
snap() { FP_G=$(fingerprint "$G/config.json"); FP_E=$(fingerprint "$E/config.json"); }

# argv_case NAME PATTERN CWD ARGS...: run with the given cwd and argv.
argv_case() {
  local name=$1 pattern=$2 cwd=$3; shift 3
  snap
  pushd "$cwd" >/dev/null || return
  adv_run "$@"
  popd >/dev/null || return
  if [ "$RC" -ne 0 ]; then
    # Judge against E's fingerprint; G must be untouched as well.
    BEFORE=$FP_E
    if [ "$(fingerprint "$G/config.json")" != "$FP_G" ]; then
      fail "$name: refused but the compliant bundle's config.json changed"; return
    fi
    adv_expect "$name" "$pattern" /dev/null "$E/config.json"
    return
  fi
  # Accepted: the original of the bundle runc actually read is the input.
  local used orig
  used=$(cat "$STUB_OUT/bundle" 2>/dev/null)
  orig=$WORK/orig-$(basename "$(realpath -m "$used")").json
  [ -f "$orig" ] || orig=$ADV_DATA/base.json
  adv_accepted "$name" "$orig" ""
}

# ---- repeated, misplaced and oddly spelled --bundle (runc 1.1 verified rows) ----
fresh; argv_case "repeated --bundle, hostile last (runc: last wins)" 'bundle' "$WORK" create --bundle "$G" --bundle "$E" "c$CASE_N"
fresh; argv_case "repeated --bundle, hostile first" 'bundle' "$WORK" create --bundle "$E" --bundle "$G" "c$CASE_N"
fresh; argv_case "--bundle after the id (urfave reorders), cwd compliant" 'bundle|argument' "$G" create "c$CASE_N" --bundle "$E"
fresh; argv_case "-b=E" 'bundle|violat' "$WORK" create -b="$E" "c$CASE_N"
fresh; argv_case "-bundle E (single-dash long flag)" 'bundle|violat' "$WORK" create -bundle "$E" "c$CASE_N"
fresh; argv_case "-bundle=E after -b G" 'bundle' "$WORK" create -b "$G" -bundle="$E" "c$CASE_N"
fresh; argv_case "-- --bundle E (runc: too many arguments)" 'argument|--|bundle' "$G" create -- --bundle "$E" "c$CASE_N"
fresh; argv_case "--bundle before the verb (global position)" 'bundle|flag|global' "$WORK" --bundle "$E" create "c$CASE_N"
fresh; argv_case "--bundle G and an extra positional" 'argument|positional' "$WORK" create --bundle "$G" "c$CASE_N" extra
fresh; argv_case "no --bundle: the cwd is the hostile bundle" 'uid|mount|systemd|violat' "$E" create "c$CASE_N"
fresh; argv_case "--bundle= (empty: runc uses the cwd), cwd hostile" 'bundle|empty|uid|mount|systemd' "$E" create --bundle= "c$CASE_N"
fresh; argv_case "--bundle G then --bundle= with a hostile cwd" 'bundle|empty|mount|systemd' "$E" create --bundle "$G" --bundle= "c$CASE_N"
fresh; argv_case "relative --bundle" 'bundle|mount|systemd' "$WORK" create --bundle "$(basename "$E")" "c$CASE_N"
fresh; argv_case "--bundle G/../E" 'mount|systemd|bundle' "$WORK" create --bundle "$G/../$(basename "$E")" "c$CASE_N"
fresh; argv_case "run --bundle G -b E" 'bundle' "$WORK" run --detach --bundle "$G" -b "$E" "c$CASE_N"
fresh; argv_case "--bundle G --bundle=E" 'bundle' "$WORK" create --bundle "$G" --bundle="$E" "c$CASE_N"
fresh; argv_case "unknown flag next to --bundle" 'flag|unknown' "$WORK" create --bogus --bundle "$G" "c$CASE_N"
fresh; argv_case "-td style bundling before --bundle" 'flag|-td|unknown' "$WORK" run -td --bundle "$G" "c$CASE_N"
fresh; argv_case "boolean followed by the id then --bundle E" 'bundle|argument|flag' "$WORK" create --no-pivot "c$CASE_N" --bundle "$E"

# ---- the filesystem under the bundle ----
fresh; ln -s "$E" "$WORK/L$CASE_N"
argv_case "bundle is a symlink to the hostile bundle" 'symlink|mount|systemd|bundle|directory' "$WORK" create --bundle "$WORK/L$CASE_N" "c$CASE_N"
fresh; rm "$G/config.json"; ln -s "$E/config.json" "$G/config.json"
argv_case "config.json is a symlink to a hostile config" 'symlink|config.json|link' "$WORK" create --bundle "$G" "c$CASE_N"
fresh; cp "$ADV_DATA/base.json" "$WORK/outside$CASE_N.json"; rm "$G/config.json"; ln -s "$WORK/outside$CASE_N.json" "$G/config.json"
argv_case "config.json is a symlink to a compliant file" 'symlink|config.json|link' "$WORK" create --bundle "$G" "c$CASE_N"
fresh; rm "$E/config.json"
argv_case "missing config.json" 'config.json' "$WORK" create --bundle "$E" "c$CASE_N"
fresh; argv_case "missing bundle directory" 'bundle|no such|nx' "$WORK" create --bundle "$WORK/nx-$CASE_N" "c$CASE_N"
fresh; rm "$E/config.json"; mkdir "$E/config.json"
argv_case "config.json is a directory" 'config.json|regular|directory' "$WORK" create --bundle "$E" "c$CASE_N"
fresh; rm "$E/config.json"; mkfifo "$E/config.json"
snap; pushd "$WORK" >/dev/null; rm -rf "$STUB_OUT"
timeout 10 "$SECSHIM_BIN" "--secshim-policy=$POLICY" "--secshim-runtime=$STUB" create --bundle "$E" "c$CASE_N" >"$WORK/stdout" 2>"$WORK/stderr"
RC=$? ERR=$WORK/stderr OUTF=$WORK/stdout REFUSE_RC=1; popd >/dev/null
if [ "$RC" -eq 124 ]; then fail "config.json is a FIFO: secshim hung"; else BEFORE=$FP_E; adv_expect "config.json is a FIFO" 'config.json|regular|fifo' /dev/null "$E/config.json"; fi
fresh; ln "$E/config.json" "$WORK/hardlink$CASE_N"
argv_case "config.json has a second hard link" 'link|mount|systemd' "$WORK" create --bundle "$E" "c$CASE_N"
fresh; chmod 0666 "$G/config.json"
argv_case "config.json is world-writable (compliant content)" 'writable|mode|permission' "$WORK" create --bundle "$G" "c$CASE_N"
fresh; truncate -s 40M "$E/config.json"
argv_case "config.json of 40 MB (sparse)" 'large|size|limit|bytes|big' "$WORK" create --bundle "$E" "c$CASE_N"

# ---- exec --process ----
exec_case() { # NAME PATTERN ARGS...
  local name=$1 pattern=$2; shift 2
  FP_P=$(fingerprint "$P"); FP_EP=$(fingerprint "$EP")
  adv_run "$@"
  if [ "$RC" -ne 0 ]; then
    if [ "$(fingerprint "$P")" != "$FP_P" ]; then fail "$name: refused but the compliant process.json changed"; return; fi
    BEFORE=$FP_EP; adv_expect "$name" "$pattern" /dev/null "$EP" --process; return
  fi
  if [ -e "$STUB_OUT/inline" ]; then
    ok "$name: accepted; runc runs an inline exec (no --process flag it would read): $(paste -sd' ' "$STUB_OUT/argv" | cut -c1-120)"
    return
  fi
  local orig=$ADV_DATA/process.json
  cmp -s "$STUB_OUT/seen.json" "$EP" && orig=$ADV_DATA/evil-process.json
  adv_accepted "$name" "$orig" --process
}
fresh_p() { CASE_N=$((CASE_N + 1)); P=$WORK/p$CASE_N.json EP=$WORK/ep$CASE_N.json
  cp "$ADV_DATA/process.json" "$P"; cp "$ADV_DATA/evil-process.json" "$EP"; }
fresh_p; exec_case "exec --process compliant" 'process' exec --process "$P" "c$CASE_N"
fresh_p; exec_case "exec --process hostile" 'uid|privileges|cap' exec --process "$EP" "c$CASE_N"
fresh_p; exec_case "exec --process twice, hostile last" 'process' exec --process "$P" --process "$EP" "c$CASE_N"
fresh_p; exec_case "exec -p=hostile after --process" 'process' exec --process "$P" -p="$EP" "c$CASE_N"
fresh_p; exec_case "exec --process after the id" 'process|argument' exec "c$CASE_N" --process "$EP"
fresh_p; ln -s "$EP" "$WORK/pl$CASE_N.json"
exec_case "exec --process is a symlink to a hostile file" 'symlink|link|process|uid' exec --process "$WORK/pl$CASE_N.json" "c$CASE_N"
fresh_p; exec_case "exec --process with --user 0 next to it" 'user|flag' exec --process "$P" --user 0 "c$CASE_N"
fresh_p; exec_case "exec --process missing file" 'no such|process' exec --process "$WORK/nx$CASE_N.json" "c$CASE_N"
done_testing
