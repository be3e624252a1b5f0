#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the debug-lane kernel: Debian's linux-source-6.12 plus the
# config fragment in selftests/runner/debug-kernel.config. The build lives in
# the cache outside the repository, keyed by the fragment and the source
# package version, so it is rebuilt only when one of them changes.
# Prints the build directory (usable as KDIR) on stdout.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
fragment=$top/selftests/runner/debug-kernel.config
cache=${BERTHA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bertha}
src=$("$top/scripts/linux-source.sh")
key=$( (cat "$fragment"; echo "${src##*/linux-source-6.12-}") | sha256sum | cut -c1-16)
out=$cache/kernel-6.12-$key

if [ -f "$out/.bertha-complete" ]; then
	echo "$out"
	exit 0
fi

# Only one debug kernel is kept: older builds (other fragments) go.
for old in "$cache"/kernel-6.12-*; do
	[ "$old" = "$out" ] || rm -rf "$old"
done

echo "build-debug-kernel: building into $out (first build takes a while)" >&2
rm -rf "$out"
mkdir -p "$out"
make -s -C "$src" O="$out" tinyconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$fragment" >"$out/merge_config.log" 2>&1
make -s -C "$src" O="$out" olddefconfig >&2

# merge_config only warns when Kconfig drops a request; the lane must not
# silently lose an instrument, so every =y line of the fragment is checked.
missing=0
while IFS= read -r line; do
	case $line in CONFIG_*=y) ;; *) continue ;; esac
	if ! grep -qx "$line" "$out/.config"; then
		echo "build-debug-kernel: $line did not survive olddefconfig" >&2
		missing=1
	fi
done < "$fragment"
[ $missing -eq 0 ] || exit 1

# KASAN's frame-size warnings in core code are expected; keep them in a log.
if ! make -s -C "$src" O="$out" -j"$(nproc)" bzImage modules > "$out/build.log" 2>&1; then
	tail -n 60 "$out/build.log" >&2
	echo "build-debug-kernel: build failed; full log in $out/build.log" >&2
	exit 1
fi
touch "$out/.bertha-complete"
echo "$out"
