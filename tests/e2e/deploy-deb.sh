#!/usr/bin/env bash
# The Debian package on this machine: `make deb` builds it, dpkg installs it
# (binary, secshim-admin, conffiles, man page, docs), `secshim doctor` and
# `secshim install` work through the installed binary, removal undoes runc
# mode (prerm) and keeps the conffiles, purge removes everything.
. "$(dirname "$0")/../lib/lib.sh"
. "$SECSHIM_TOP/tests/lib/deploy.sh"
deploy_need dpkg dpkg-deb go-md2man jq dpkg-divert
if dpkg-query -W -f='${Status}' secshim 2>/dev/null | grep -q 'ok installed'; then
  _deploy_give_up "deploy-deb: a secshim package is already installed on this host; not replacing it"
fi
if [ -e /etc/secshim ]; then
  # Not the package's: install and purge against an /etc without it (a
  # private view of this test's namespace), so the host's copy is neither
  # overwritten nor removed.
  [ "${SECSHIM_TEST_NS:-}" = 1 ] && [ -n "${PRIVATE_DIR_SAVE:-}" ] ||
    _deploy_give_up "deploy-deb: /etc/secshim exists outside the package; run through tests/run-all.sh to hide it"
  . "$SECSHIM_TOP/tests/lib/overlay.sh"
  overlay_dir /etc "$PRIVATE_DIR_SAVE" secshim && rmdir /etc/secshim ||
    _deploy_give_up "deploy-deb: cannot hide the host's /etc/secshim"
  deploy_on_exit "umount -R /etc"
  diag "the host's /etc/secshim is hidden from this test"
fi
[ "$(dpkg-divert --truename /usr/sbin/runc)" = /usr/sbin/runc ] || _deploy_give_up "deploy-deb: /usr/sbin/runc is diverted already"

deb=$("$SECSHIM_TOP/hack/build-deb.sh" 2>"$SECSHIM_BUILD/build-deb.log" | tail -n 1); rc=$?
assert_status "hack/build-deb.sh" "$rc" 0
[ -f "$deb" ] || { fail "no .deb produced: $(tail -n 5 "$SECSHIM_BUILD/build-deb.log")"; done_testing; exit; }
deb=$(readlink -f "$deb")
assert_eq "Depends" "$(dpkg-deb -f "$deb" Depends)" "libc6, libyajl2, libseccomp2, libaudit1, libcap-ng0, libapparmor1, runc, jq"
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/secshim ./usr/lib/secshim/secshim-admin ./usr/lib/secshim/secshim-landlock ./etc/secshim/default.json \
         ./usr/share/man/man1/secshim.1.gz ./usr/share/doc/secshim/copyright ./usr/share/doc/secshim/SECURITY.md; do
  assert_contains "package holds $f" "$contents" "$f"
done

runc_sha=$(sha_of /usr/sbin/runc)
cleanup_pkg() {
  if dpkg-query -W -f='${Status}' secshim 2>/dev/null | grep -q installed; then dpkg -P secshim >/dev/null 2>&1; fi
  if [ "$(dpkg-divert --truename /usr/sbin/runc)" = /usr/sbin/runc.real ]; then
    [ -L /usr/sbin/runc ] && rm -f /usr/sbin/runc
    dpkg-divert --local --rename --remove /usr/sbin/runc >/dev/null 2>&1
  fi
}
deploy_on_exit cleanup_pkg

out=$(DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" 2>&1); rc=$?
assert_status "dpkg -i" "$rc" 0
assert_eq "package state" "$(dpkg-query -W -f='${Status}' secshim)" "install ok installed"
assert_contains "policies are conffiles" "$(dpkg-query -W -f='${Conffiles}' secshim)" " /etc/secshim/default.json "
check "man page found by man" test "$(man -w secshim 2>/dev/null)" = /usr/share/man/man1/secshim.1.gz
assert_contains "man page renders" "$(MANWIDTH=80 man secshim 2>/dev/null)" "secshim - OCI runtime wrapper"
check "postinst made the audit log directory" test -d /var/log/secshim

out=$(/usr/bin/secshim doctor 2>&1); rc=$?
assert_contains "installed doctor runs through secshim-admin" "$out" "OK    policy /etc/secshim/default.json loads"
assert_status "doctor fails while no engine uses secshim" "$rc" 1
assert_contains "doctor says what to do" "$out" "fix: secshim install --all --default"
out=$(/usr/bin/secshim install --docker --default --dry-run 2>&1); rc=$?
assert_status "installed secshim install --docker --dry-run" "$rc" 0
assert_contains "dry-run diff names the installed binary" "$out" '"path": "/usr/bin/secshim"'

out=$(/usr/bin/secshim install --runc-mode 2>&1); rc=$?
assert_status "installed secshim install --runc-mode" "$rc" 0
assert_eq "runc is the packaged secshim" "$(readlink /usr/sbin/runc)" /usr/bin/secshim
assert_contains "runc --version passes through to the real runc" "$(/usr/sbin/runc --version 2>&1)" "runc version"

out=$(dpkg -r secshim 2>&1); rc=$?
assert_status "dpkg -r" "$rc" 0
assert_eq "prerm undid runc mode: real runc back" "$(sha_of /usr/sbin/runc)" "$runc_sha"
assert_eq "prerm undid runc mode: no diversion" "$(dpkg-divert --truename /usr/sbin/runc)" /usr/sbin/runc
check "binary removed" test ! -e /usr/bin/secshim
check "conffiles kept after remove" test -f /etc/secshim/default.json
assert_eq "policy runtime key restored by prerm" "$(jq -r '.runtime // "absent"' /etc/secshim/default.json)" absent

out=$(dpkg -P secshim 2>&1); rc=$?
assert_status "dpkg -P" "$rc" 0
check "purge removes /etc/secshim" test ! -e /etc/secshim
check "purge removes /var/lib/secshim" test ! -e /var/lib/secshim
# (/var/log/secshim is not asserted: any secshim run elsewhere on the host,
# e.g. another test suite, recreates it with its audit log.)
assert_eq "package gone" "$(dpkg-query -W -f='${Status}' secshim 2>/dev/null || echo absent)" absent
done_testing
