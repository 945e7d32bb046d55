#!/usr/bin/env bash
# secshim install/uninstall --containerd against a fake root.  The edited
# config.toml is read back by containerd itself (`containerd config dump`)
# when containerd is installed: the other CRI settings must survive, and
# uninstall must give back the original bytes.
. "$(dirname "$0")/../lib/lib.sh"
ADMIN=$SECSHIM_TOP/hack/secshim-admin
command -v jq >/dev/null || { skip "jq not installed"; done_testing; exit; }
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/containerd" "$root/etc/secshim"
echo '{"version": 1, "rules": {}}' >"$root/etc/secshim/default.json"
ct=$root/etc/containerd/config.toml
admin() { "$ADMIN" "$@" --root "$root"; }
CTD=$(command -v containerd || true)
# value KEY in [TABLE] of containerd's own reading of FILE
dumped() { "$CTD" -c "$1" config dump 2>/dev/null | awk -v t="$2" -v k="$3" '
  /^[[:space:]]*\[/ { h=$0; gsub(/[[:space:]]/, "", h); cur=substr(h, 2, length(h)-2); next }
  cur==t { l=$0; sub(/^[[:space:]]*/, "", l); if (index(l, k " = ")==1) { v=substr(l, length(k)+4); gsub(/^"|"$/, "", v); print v; exit } }'; }
CRI='plugins."io.containerd.grpc.v1.cri"'

# 1. Debian's shipped config.toml (a CRI section with cni settings).
cat >"$ct" <<'T'
version = 2

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "registry.example/pause:3.9"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "/etc/cni/net.d"
  [plugins."io.containerd.internal.v1.opt"]
    path = "/var/lib/containerd/opt"
T
h0=$(sha_of "$ct")
out=$(admin install --containerd --default --dry-run 2>&1); rc=$?
assert_status "dry-run succeeds" "$rc" 0
assert_eq "dry-run changes nothing" "$(sha_of "$ct")" "$h0"
assert_contains "dry-run shows BinaryName" "$out" '+    BinaryName = "/usr/bin/secshim"'
out=$(admin install --containerd --default 2>&1); rc=$?
assert_status "install --containerd --default" "$rc" 0
assert_contains "runtime table added" "$(cat "$ct")" "[$CRI.containerd.runtimes.secure.options]"
if [ -n "$CTD" ]; then
  assert_eq "containerd reads BinaryName" "$(dumped "$ct" "$CRI.containerd.runtimes.secure.options" BinaryName)" /usr/bin/secshim
  assert_eq "containerd reads runtime_type" "$(dumped "$ct" "$CRI.containerd.runtimes.secure" runtime_type)" io.containerd.runc.v2
  assert_eq "containerd reads default_runtime_name" "$(dumped "$ct" "$CRI.containerd" default_runtime_name)" secure
  assert_eq "cni bin_dir survives" "$(dumped "$ct" "$CRI.cni" bin_dir)" /usr/lib/cni
  assert_eq "sandbox_image survives" "$(dumped "$ct" "$CRI" sandbox_image)" registry.example/pause:3.9
else
  skip "containerd not installed: cannot read the result back"
fi
admin install --containerd --default >/dev/null 2>&1
assert_eq "install twice: one block" "$(grep -c 'BEGIN secshim' "$ct")" 1
out=$(admin uninstall --containerd --dry-run 2>&1)
assert_contains "uninstall dry-run shows the removal" "$out" '-    BinaryName = "/usr/bin/secshim"'
admin uninstall --containerd >/dev/null 2>&1
assert_eq "uninstall restores the original bytes" "$(sha_of "$ct")" "$h0"

# 2. An existing containerd table with its own default and SystemdCgroup.
cat >"$ct" <<'T'
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      SystemdCgroup = true
T
h0=$(sha_of "$ct")
out=$(admin install --containerd --default 2>&1); rc=$?
assert_status "install into an existing containerd table" "$rc" 0
assert_contains "old default disabled, not deleted" "$(cat "$ct")" '# secshim-disabled: default_runtime_name = "runc"'
assert_contains "SystemdCgroup copied from runc" "$(sed -n '/BEGIN secshim/,/END secshim/p' "$ct")" "SystemdCgroup = true"
if [ -n "$CTD" ]; then
  assert_eq "containerd reads default secure" "$(dumped "$ct" "$CRI.containerd" default_runtime_name)" secure
  assert_eq "snapshotter survives" "$(dumped "$ct" "$CRI.containerd" snapshotter)" overlayfs
  assert_eq "secure gets SystemdCgroup" "$(dumped "$ct" "$CRI.containerd.runtimes.secure.options" SystemdCgroup)" true
fi
admin uninstall --containerd >/dev/null 2>&1
assert_eq "uninstall restores the original bytes (case 2)" "$(sha_of "$ct")" "$h0"

# 3. Without --default the default handler is left alone.
admin install --containerd >/dev/null 2>&1
assert_not_contains "no default without --default" "$(cat "$ct")" 'default_runtime_name = "secure"'
admin uninstall --containerd >/dev/null 2>&1
assert_eq "restored (case 3)" "$(sha_of "$ct")" "$h0"

# 4. Refusals leave the file untouched.
printf '%s\n' 'version = 2' "[$CRI.containerd.runtimes.secure]" '  runtime_type = "io.containerd.kata.v2"' >"$ct"; h=$(sha_of "$ct")
out=$(admin install --containerd 2>&1); rc=$?
assert_status "foreign 'secure' runtime refused" "$rc" 1
assert_eq "foreign runtime untouched" "$(sha_of "$ct")" "$h"
printf '%s\n' '[plugins.cri]' '  sandbox_image = "x"' >"$ct"; h=$(sha_of "$ct")
out=$(admin install --containerd 2>&1); rc=$?
assert_status "version 1 config refused" "$rc" 1
assert_contains "says to migrate" "$out" "config migrate"
assert_eq "version 1 config untouched" "$(sha_of "$ct")" "$h"
if [ -n "$CTD" ]; then
  printf '%s\n' 'version = 2' "[$CRI]" '  containerd.default_runtime_name = "runc"' >"$ct"; h=$(sha_of "$ct")
  out=$(admin install --containerd --default 2>&1); rc=$?
  assert_status "edit containerd cannot read is refused" "$rc" 1
  assert_contains "containerd's reason is shown" "$out" "defined twice"
  assert_eq "file untouched when containerd refuses" "$(sha_of "$ct")" "$h"
fi
out=$(admin install --containerd --policy /etc/secshim/other.json 2>&1); rc=$?
assert_status "--policy refused for containerd (no runtime args)" "$rc" 1

# 5. No config.toml: created with version 2, removed by uninstall.
rm -f "$ct"
SECSHIM_CONTAINERD=/nonexistent admin install --containerd --default >/dev/null 2>&1
assert_eq "created file starts with version = 2" "$(head -n 1 "$ct")" "version = 2"
admin uninstall --containerd >/dev/null 2>&1
check "uninstall removes the file it created" test ! -e "$ct"

# 6. Version 3 (containerd 2.x) uses the io.containerd.cri.v1.runtime plugin.
printf '%s\n' 'version = 3' >"$ct"
SECSHIM_CONTAINERD=/nonexistent admin install --containerd --default >/dev/null 2>&1
assert_contains "version 3 plugin name" "$(cat "$ct")" '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.secure]'
done_testing
