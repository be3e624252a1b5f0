#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT [KVER]
#
# The guest's initramfs: busybox-static, the runner's /init and, when KVER
# names an installed modular kernel (the stock lane), the modules /init needs
# to mount the host's root over virtio-9p with a tmpfs overlay on top. The
# tools the tests use (bash, iproute2, bpftool, python3, the project's build)
# are not copied: the guest runs them from the host's root.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=$1
kver=${2:-}
busybox=/bin/busybox	# from busybox-static: the guest has no host libraries yet
[ -x "$busybox" ] || { echo "mkinitramfs: busybox-static is not installed (run make deps)" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,mnt,modules}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/init" "$root/init"
chmod 755 "$root/init"

: > "$root/modules/order"
if [ -n "$kver" ]; then
	modprobe -a --show-depends -S "$kver" virtio_pci 9pnet_virtio 9p overlay |
	awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
	while read -r ko; do
		name=$(basename "$ko")
		case $name in
		*.ko.xz) xz -dc "$ko" > "$root/modules/${name%.xz}"; name=${name%.xz} ;;
		*.ko.zst) zstd -qdc "$ko" > "$root/modules/${name%.zst}"; name=${name%.zst} ;;
		*) cp "$ko" "$root/modules/$name" ;;
		esac
		echo "$name" >> "$root/modules/order"
	done
fi

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
