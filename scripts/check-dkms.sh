#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-dkms.sh KDIR [KVER]: dkms add and build bertha from a copy of its sources
# (what bertha-dkms and make install-dkms install, no git) against the
# kernel build tree KDIR, in throwaway source, dkms and install trees, so
# that the host's dkms state is left alone. check-install.sh runs it for
# the stock 6.1 headers, make check-debug for the 6.12 debug tree. KVER
# defaults to the tree's kernel.release (Debian's header packages name
# their kernel differently: linux-headers-KVER). With BERTHA_DKMS_KEEP=DIR
# the bertha.ko dkms built is kept as DIR/KVER/bertha.ko, for the guest test
# of the installed packages (selftests/packages.sh).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${1:?usage: check-dkms.sh KDIR [KVER]}
kver=${2:-$(cat "$kdir/include/config/kernel.release" 2> /dev/null || true)}
[ -n "$kver" ] && [ -f "$kdir/Makefile" ] ||
	{ echo "check-dkms: $kdir is no configured kernel build tree" >&2; exit 1; }
version=$(sed -n 's/^VERSION := //p' "$top/Makefile")
work=$(mktemp -d "${TMPDIR:-/tmp}/bertha-dkms.XXXXXX")
trap 'rm -rf "$work"' EXIT
args=(-m bertha -v "$version" --sourcetree "$work/src" --dkmstree "$work/tree"
      --installtree "$work/install")

mkdir -p "$work/tree" "$work/install"
make -s -C "$top" install-dkms-src DESTDIR="$work/src" DKMS_SRC="/bertha-$version"
if [ -e "$work/src/bertha-$version/.git" ]; then
	echo "check-dkms: the dkms sources hold .git" >&2
	exit 1
fi
dkms add "${args[@]}"
dkms build "${args[@]}" -k "$kver" --kernelsourcedir "$kdir" ||
	{ cat "$work/tree/bertha/$version/build/make.log" 2> /dev/null; exit 1; }
dkms status "${args[@]}"
ko=$(find "$work/tree/bertha/$version/$kver" -name bertha.ko | head -1)
[ -n "$ko" ] || { echo "check-dkms: dkms built no bertha.ko for $kver" >&2; exit 1; }
vermagic=$(modinfo -F vermagic "$ko")
case $vermagic in
"$kver "*) ;;
*) echo "check-dkms: bertha.ko has vermagic '$vermagic', not $kver" >&2; exit 1 ;;
esac
if [ -n "${BERTHA_DKMS_KEEP:-}" ]; then
	mkdir -p "$BERTHA_DKMS_KEEP/$kver"
	cp "$ko" "$BERTHA_DKMS_KEEP/$kver/bertha.ko"
fi
echo "check-dkms: ok: dkms built bertha/$version for $kver ($kdir)"
