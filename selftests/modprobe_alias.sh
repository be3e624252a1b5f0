#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MODULE_ALIAS_NETPROTO: socket(25, ...) makes the kernel modprobe
# "net-pf-25", which loads bertha.ko. The module is installed into a scratch
# module tree and the kernel's modprobe hook points at it, so the system's
# /lib/modules stays untouched.
. "$(dirname "$0")/lib.sh"

# The guest has kmod: without it the runner is broken, which is a failure.
command -v depmod >/dev/null || { echo "kmod (depmod) is not installed in the guest"; exit $KSFT_FAIL; }
kver=$(uname -r)
check "modinfo lists the net-pf-25 alias" eval 'modinfo -F alias "$BERTHA_KO" | grep -qx net-pf-25'

root=$(mktemp -d)
old=$(cat /proc/sys/kernel/modprobe)
cleanup() {
	echo "$old" > /proc/sys/kernel/modprobe
	rm -rf "$root"
}
trap cleanup EXIT
mkdir -p "$root/lib/modules/$kver/extra"
cp "$BERTHA_KO" "$root/lib/modules/$kver/extra/"
touch "$root/lib/modules/$kver/"{modules.order,modules.builtin,modules.builtin.modinfo}
check "depmod indexes the scratch tree" depmod -b "$root" "$kver"
cat > "$root/modprobe" <<EOT
#!/bin/sh
exec /sbin/modprobe -d "$root" "\$@"
EOT
chmod +x "$root/modprobe"
echo "$root/modprobe" > /proc/sys/kernel/modprobe

# Only an unloaded module can prove an autoload.
check "bertha unloads first" bertha_unload
check "bertha is not loaded before the socket" eval '! bertha_loaded'
check "socket(25) autoloads bertha" "$BERTHA_SELFTEST_BIN/bertha_sock" -f 25
check "bertha is loaded" bertha_loaded
finish
