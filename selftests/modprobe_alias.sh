#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MODULE_ALIAS_NETPROTO: socket(25, ...) makes the kernel modprobe
# "net-pf-25", which loads bertha.ko. The module is installed into a scratch
# module tree and the kernel's modprobe hook points at it, so the system's
# /lib/modules stays untouched.
. "$(dirname "$0")/lib.sh"

command -v depmod >/dev/null || skip "kmod (depmod) is not installed"
kver=$(uname -r)
check "modinfo lists the net-pf-25 alias" eval 'modinfo -F alias "$BERTHA_KO" | grep -qx net-pf-25'

root=$(mktemp -d)
mkdir -p "$root/lib/modules/$kver/extra"
cp "$BERTHA_KO" "$root/lib/modules/$kver/extra/"
touch "$root/lib/modules/$kver/"{modules.order,modules.builtin,modules.builtin.modinfo}
depmod -b "$root" "$kver"
cat > "$root/modprobe" <<EOT
#!/bin/sh
exec /sbin/modprobe -d "$root" "\$@"
EOT
chmod +x "$root/modprobe"
old=$(cat /proc/sys/kernel/modprobe)
echo "$root/modprobe" > /proc/sys/kernel/modprobe

bertha_unload
check "socket(25) autoloads bertha" "$BERTHA_SELFTEST_BIN/bertha_sock" -f 25
check "bertha is loaded" bertha_loaded

echo "$old" > /proc/sys/kernel/modprobe
rm -rf "$root"
finish
