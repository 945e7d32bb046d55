#!/bin/sh
# Inside the VM: the kernel is Debian's and AppArmor is on.
. /vm/tests/lib.sh
t "AppArmor is enabled (/sys/module/apparmor/parameters/enabled = Y)" grep -qx Y /sys/module/apparmor/parameters/enabled
t "securityfs has /sys/kernel/security/apparmor/profiles" test -e /sys/kernel/security/apparmor/profiles
t "apparmor is in the active LSM list" grep -q apparmor /sys/kernel/security/lsm
t "runc runs (runc --version)" runc --version
t "apparmor_parser runs (apparmor_parser --version)" apparmor_parser --version
t "secshim runs (secshim --version)" secshim --version
