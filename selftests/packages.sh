#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# packages: bertha as a Debian user installs it. The packages that
# scripts/check-install.sh built (make check runs it before the guests;
# it keeps them in build/packages) are installed in the guest with dpkg:
# berthactl and libbertha-dev as they are, bertha-dkms unpacked (its
# postinst would make dkms compile the module here, under emulation; the
# host's dkms built it from the same sources, for this kernel, and that
# bertha.ko goes where dkms installs it). Then `modprobe bertha` loads
# the installed module, /usr/sbin/berthactl from the package sets the
# policy and shows the connection, and the echo service, built on the host
# against nothing but libbertha-dev's contents, connects across two
# namespaces over the network path with `reliable`. Last, everything is
# removed again and the build's bertha.ko is back for the tests after.
# (dpkg runs without its triggers: man-db's index is of no use here, and
# rebuilding it under emulation is slow.)
set -u
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/.." && pwd)
kept=$top/build/packages
kver=$(uname -r)
ko=$kept/modules/$kver/bertha.ko
ctl=/usr/sbin/berthactl
demo=$kept/bertha_demo
srv=pkg-srv-$$
cli=pkg-cli-$$
tmp=$(mktemp -d)
dest=/lib/modules/$kver/updates/dkms/bertha.ko

server_pid=
cleanup() {
	[ -z "$server_pid" ] || kill "$server_pid" 2> /dev/null
	wait 2> /dev/null
	ip netns del "$srv" 2> /dev/null
	ip netns del "$cli" 2> /dev/null
	rmmod bertha 2> /dev/null
	dpkg --purge --no-triggers berthactl libbertha-dev bertha-dkms > /dev/null 2>&1
	rm -f "$dest"
	depmod -a
	rm -rf "$tmp"
	insmod "$BERTHA_KO"
}

for f in "$ko" "$demo" "$kept"/berthactl_*.deb "$kept"/libbertha-dev_*.deb \
	 "$kept"/bertha-dkms_*.deb; do
	[ -f "$f" ] || {
		echo "FAIL: no $f: scripts/check-install.sh builds it (make check" \
		     "and make check-install run it; make check-debug keeps the" \
		     "6.12 module)"
		exit $KSFT_FAIL
	}
done
[ -x "$ctl" ] && { echo "FAIL: $ctl exists before the install"; exit $KSFT_FAIL; }
bertha_unload || { echo "FAIL: cannot unload the build's bertha.ko"; exit $KSFT_FAIL; }
trap cleanup EXIT

# The guest's root is an overlay whose upper layer takes no xattrs on the
# debug kernel (so no redirect_dir): renaming a directory there fails with
# EXDEV, and dpkg puts each new directory in place by renaming it. A
# directory that exists already, dpkg only enters.
for deb in "$kept"/*.deb; do
	dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -n 's|^\./\(.*[^/]\)/$|/\1|p'
done | sort -u | while read -r d; do
	[ -d "$d" ] || mkdir -p "$d"
done
check "dpkg -i berthactl libbertha-dev" \
	dpkg -i --no-triggers "$kept"/berthactl_*.deb "$kept"/libbertha-dev_*.deb
check "dpkg --unpack bertha-dkms" dpkg --unpack "$kept"/bertha-dkms_*.deb
version=$(dpkg-query -W -f '${Version}' bertha-dkms)
check "bertha-dkms put the module's sources and dkms.conf in /usr/src/bertha-$version" \
	test -f "/usr/src/bertha-$version/dkms.conf"
check "berthactl.service installed, not enabled" \
	eval '[ -f /lib/systemd/system/berthactl.service ] &&
	      [ ! -e /etc/systemd/system/multi-user.target.wants/berthactl.service ]'
check "the modules-load.d entry is commented out" \
	eval '! grep -Eq "^[^#]*[a-z]" /etc/modules-load.d/bertha.conf'

mkdir -p "$(dirname "$dest")"
cp "$ko" "$dest"
depmod -a
check "modprobe bertha loads the dkms-built module" modprobe bertha
check "the loaded bertha is the installed one (srcversion)" \
	test "$(cat /sys/module/bertha/srcversion 2> /dev/null)" = \
	     "$(modinfo -F srcversion "$dest")"
check "the installed berthactl talks to it" eval '"$ctl" info | grep -q family'

ip netns add "$srv" && ip netns add "$cli" || exit $KSFT_FAIL
ip link add pkg0 netns "$srv" type veth peer name pkg0 netns "$cli"
ip -n "$srv" addr add 10.88.0.1/24 dev pkg0
ip -n "$cli" addr add 10.88.0.2/24 dev pkg0
for ns in "$srv" "$cli"; do
	ip -n "$ns" link set lo up
	ip -n "$ns" link set pkg0 up
	ip netns exec "$ns" "$ctl" local off
done
wait_for 10 eval '[ "$(ip netns exec "$cli" cat /sys/class/net/pkg0/operstate)" = up ]'

ip netns exec "$srv" timeout 60 "$demo" serve 10.88.0.1:7400 reliable \
	> "$tmp/server.out" 2>&1 &
server_pid=$!
check "the echo service (built against libbertha-dev) listens" \
	wait_for 10 grep -q 'listening on' "$tmp/server.out"
check "its client connects over the network and is echoed" \
	eval 'ip netns exec "$cli" timeout 60 "$demo" connect 10.88.0.1:7400 \
		> "$tmp/client.out" 2>&1'
sed 's/^/# /' "$tmp/client.out"
check "the client's binding: reliable in the kernel at both ends, network path" \
	grep -q 'binding: reliable=kernel@both (path: network)' "$tmp/client.out"
wait "$server_pid"
server_pid=
check "the server echoed the client's 3 messages" \
	grep -q 'echoed 3 messages' "$tmp/server.out"
check "berthactl stats counts the negotiation in the server's namespace" \
	eval '[ "$(ip netns exec "$srv" "$ctl" stats |
		  awk "\$1 == \"accepted\" { print \$2 }")" -ge 1 ] 2> /dev/null'
finish
