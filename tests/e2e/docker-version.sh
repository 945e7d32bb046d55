#!/usr/bin/env bash
# `secshim --version` prints secshim's line and then runc's lines unchanged,
# so a dockerd whose default runtime is secshim still reports runc's version
# and commit (`docker info`, `docker version`: moby's parseRuntimeVersion
# takes the last line that names a version, and the "commit:" line).
source "$(dirname "$0")/../lib/lib.sh"
source "$SECSHIM_TOP/tests/lib/docker.sh"
export SECSHIM_DEFAULT_RUNTIME=secure
docker_e2e_setup

runc_out=$(/usr/sbin/runc --version)
ours=$("$SECSHIM_BIN" --version)
assert_eq "--version: secshim's line first" "$(printf '%s\n' "$ours" | head -n 1)" "secshim version $(cat "$SECSHIM_TOP/VERSION")"
assert_eq "--version: then runc's lines, byte for byte" "$(printf '%s\n' "$ours" | tail -n +2)" "$runc_out"
assert_eq "version (the verb) says the same" "$("$SECSHIM_BIN" version)" "$ours"

runc_commit=$(printf '%s\n' "$runc_out" | sed -n 's/^commit: *//p')
runc_version=$(printf '%s\n' "$runc_out" | sed -n 's/^runc version *//p')
assert_eq "docker info: the default runtime is secshim" "$(dk info --format '{{.DefaultRuntime}}')" secure
assert_eq "docker info: runc's commit, read through secshim" "$(dk info --format '{{.RuncCommit.ID}}')" "$runc_commit"
components=$(dk version --format '{{range .Server.Components}}{{.Name}}={{.Version}} {{end}}')
assert_contains "docker version: the default runtime's version is runc's, read through secshim" "$components" "secure=$runc_version "

help=$("$SECSHIM_BIN" --help); rc=$?
assert_status "--help: exit 0" "$rc" 0
assert_contains "--help: secshim's own text" "$help" "secshim $(cat "$SECSHIM_TOP/VERSION"): an OCI runtime wrapper"
assert_eq "help (the verb) says the same" "$("$SECSHIM_BIN" help)" "$help"
done_testing
