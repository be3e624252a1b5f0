#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh check|install: the Debian packages bertha needs to build, to boot
# its test guests and to run its tests. `check` exits 1 (listing them) if
# any is missing; `install` installs the missing ones (idempotent, as root).
set -euo pipefail

packages=(
	# build: module, userspace, BPF
	make gcc libc6-dev bc flex bison libelf-dev libssl-dev dwarves rsync
	kmod cpio xz-utils zstd pkg-config clang llvm libbpf-dev bpftool
	libnl-3-dev libnl-genl-3-dev liburing-dev
	# kernels: the stock lane's image + headers, the debug lane's source
	linux-image-amd64 linux-headers-amd64 linux-source-6.12
	# the guests and what the tests run in them
	qemu-system-x86 busybox-static iproute2 python3 python3-yaml
	python3-jsonschema procps
	# wire_dissector.sh: a capture, decoded with scripts/bertha.lua
	tcpdump tshark
	# make bench: its plot; BENCH_ONLY=profile: perf
	gnuplot-nox linux-perf
	# make install, install-dkms and check-install: DKMS, the Debian
	# packages (debian/control's Build-Depends), the man-page lint and
	# the bash completion's check
	dkms dpkg-dev debhelper dh-dkms fakeroot lintian mandoc git bash-completion
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done

case ${1:-check} in
check)
	[ ${#missing[@]} -eq 0 ] && exit 0
	echo "missing packages: ${missing[*]}" >&2
	exit 1
	;;
install)
	[ ${#missing[@]} -eq 0 ] && { echo "deps: all packages present"; exit 0; }
	[ "$(id -u)" = 0 ] || { echo "deps: run as root to install ${missing[*]}" >&2; exit 1; }
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
	;;
*)
	echo "usage: $0 check|install" >&2
	exit 2
	;;
esac
