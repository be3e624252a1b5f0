#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract Debian's linux-source-6.12 once into the cache (outside the repo)
# and print the tree's path. The debug-lane kernel, the kselftest harness
# header, checkpatch.pl and the ynl CLI all come from this tree.
set -euo pipefail

cache=${BERTHA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bertha}
tarball=/usr/src/linux-source-6.12.tar.xz
[ -f $tarball ] || {
	echo "linux-source.sh: $tarball missing (run make deps)" >&2
	exit 1
}
version=$(dpkg-query -W -f '${Version}' linux-source-6.12)
src=$cache/linux-source-6.12-$version
if [ ! -f "$src/.bertha-extracted" ]; then
	echo "linux-source.sh: extracting $tarball into $cache" >&2
	mkdir -p "$cache"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" --strip-components=1 -xf $tarball
	mv "$src.tmp" "$src"
	touch "$src/.bertha-extracted"
fi
echo "$src"
