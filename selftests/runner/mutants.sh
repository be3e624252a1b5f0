#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mutants.sh: the suite catches planted faults. For each
# selftests/runner/mutants/NAME.patch, apply the patch with patch -p1 and
# no fuzz to a copy of the module's sources in build/mutants/src (never to
# the checkout), build that bertha.ko, boot a guest with it and run only
# the tests the patch names. The mutant is caught when the
# run is red for the reason the patch names; a mutant the tests miss, a
# patch that no longer applies and a mutant that does not build are each a
# failure. `make check-mutants` runs it on the stock lane.
#
# A patch starts with its description, before the diff (patch ignores it):
#   Mutant: what the fault does (may continue on the following lines)
#   Tests: the selftests to run, by file name (conn_data, chunnel_registry.sh)
#   Red: an extended regex the run's output must match (one or more lines)
#
# Environment: that of run.sh (KERNEL, INITRD, LANE, ...), plus
#   KDIR      the kernel build tree to build the mutants against
#   MUTANTS   the names to run (default: every patch)
# Prints KTAP, one result per mutant; exits 0 only if every one was caught.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
: "${KDIR:?}" "${KERNEL:?}" "${INITRD:?}"
dir=$top/selftests/runner/mutants
out=$top/build/mutants
max=$(nproc)

if [ -n "${MUTANTS:-}" ]; then
	read -ra names <<< "$MUTANTS"
else
	names=()
	for p in "$dir"/*.patch; do
		names+=("$(basename "$p" .patch)")
	done
fi
[ ${#names[@]} -gt 0 ] || { echo "mutants.sh: no mutants in $dir" >&2; exit 1; }

# Every selftest of the suite, by path; a patch names them by file name.
suite=$(make -s --no-print-directory -C "$top/selftests" list O="$top/build/selftests")

rm -rf "$out"
mkdir -p "$out/jobs"

# header NAME FIELD: the values of "FIELD: ..." lines of NAME's patch.
header() {
	sed -n "/^--- /q; s/^$2: //p" "$dir/$1.patch"
}

exec 3>&1

# One copy of the sources, in $out/src, built in $out/tree: each mutant's
# patch is applied to the copy, the build recompiles the patched file and
# links, and the patch is reversed again, so only the first build is a
# full one.
src=$out/src
mkdir -p "$src/selftests"
rsync -a "$top/Kbuild" "$top/kmod" "$top/uapi" "$top/scripts" "$src/"
rsync -a "$top/selftests/modules" "$src/selftests/"

# build NAME: NAME's bertha.ko and the test modules built against it, in
# $out/NAME/ko; 1 with the reason printed (a patch that no longer applies
# is one: the mutant must be rewritten, never silently dropped).
build() {
	local name=$1 ko=$out/$1/ko rc=0
	# all or nothing: a dry run first, so a hunk that fails leaves no other
	if ! patch -d "$src" -p1 --forward --batch --fuzz=0 --dry-run \
			< "$dir/$name.patch" > "$out/$name/patch.log" 2>&1; then
		echo "# $name: the patch no longer applies to kmod/; update $dir/$name.patch:"
		sed 's/^/#   /' "$out/$name/patch.log"
		return 1
	fi
	patch -d "$src" -p1 --forward --batch --fuzz=0 --no-backup-if-mismatch \
		< "$dir/$name.patch" > "$out/$name/patch.log" 2>&1 || return 1
	if "$src/scripts/build-module.sh" "$KDIR" "$out/tree" selftests/modules \
			> "$out/$name/build.log" 2>&1; then
		mkdir -p "$ko/modules"
		cp "$out/tree/bertha.ko" "$ko/"
		cp "$out/tree/modules/"*.ko "$ko/modules/"
	else
		echo "# $name: the mutant does not build (see $out/$name/build.log):"
		grep -E 'error|Error' "$out/$name/build.log" | head -n 10 | sed 's/^/#   /'
		rc=1
	fi
	if ! patch -d "$src" -p1 -R --batch --fuzz=0 --no-backup-if-mismatch \
			< "$dir/$name.patch" > /dev/null 2>&1; then
		echo "mutants.sh: $name's patch does not reverse: the copy in $src is spoiled" >&3
		exit 1
	fi
	return $rc
}

# tests NAME: the paths of the tests NAME's patch names; 1 if one is unknown.
tests() {
	local t path rc=0
	for t in $(header "$1" Tests); do
		path=$(grep -E "/$t\$" <<< "$suite")
		if [ -z "$path" ]; then
			echo "# $1: no selftest named $t" >&2
			rc=1
		fi
		echo "$path"
	done
	return $rc
}

# judge N NAME RC LOG: the verdict on mutant NAME, whose run exited RC.
judge() {
	local n=$1 name=$2 rc=$3 log=$4 pattern missing=()
	while IFS= read -r pattern; do
		grep -qE -- "$pattern" "$log" || missing+=("$pattern")
	done < <(header "$name" Red)
	if [ "$rc" -ne 0 ] && [ ${#missing[@]} -eq 0 ]; then
		echo "ok $n mutant $name: caught ($(header "$name" Red | paste -sd '|'))"
	else
		echo "not ok $n mutant $name: the suite did not catch it (exit $rc; no match for: ${missing[*]:-})"
		grep -E '^(not )?ok |^bertha: ' "$log" | sed 's/^/# /'
	fi
}

n=0
declare -A tests_of
for name in "${names[@]}"; do
	n=$((n + 1))
	mkdir -p "$out/$name"
	verdict=$out/$name/verdict
	if [ ! -f "$dir/$name.patch" ]; then
		echo "not ok $n mutant $name: no $dir/$name.patch" > "$verdict"
		continue
	fi
	start=$SECONDS
	if [ -z "$(header "$name" Red)" ]; then
		echo "not ok $n mutant $name: its patch names no Red: pattern" > "$verdict"
	elif ! list=$(tests "$name" 2>&1) || [ -z "$list" ]; then
		{ echo "not ok $n mutant $name: its Tests: are not selftests"; echo "$list"; } > "$verdict"
	elif ! build "$name" > "$out/$name/why" 2>&1; then
		{ echo "not ok $n mutant $name: not run"; cat "$out/$name/why"; } > "$verdict"
	else
		tests_of[$name]=$(echo $list)
		echo "# $name: built in $((SECONDS - start))s; runs $(header "$name" Tests)"
	fi
done

# The guests: one per mutant, as many at a time as the host has CPUs.
n=0
for name in "${names[@]}"; do
	n=$((n + 1))
	[ -n "${tests_of[$name]:-}" ] || continue
	while [ "$(jobs -rp | wc -l)" -ge "$max" ]; do
		wait -n
	done
	(
		# A guest that died before its suite began (no KTAP header: the
		# mutant was not even loaded) is the host's trouble, not a
		# verdict on the mutant: boot it once more.
		for try in 1 2; do
			env BERTHA_KO="$out/$name/ko/bertha.ko" \
				BERTHA_TEST_MODULES="$out/$name/ko/modules" \
				TESTS="${tests_of[$name]}" PARALLEL=1 JOBS_DIR="$out/jobs" \
				TIMEOUT="${MUTANT_TIMEOUT:-900}" TEST_TIMEOUT="${MUTANT_TEST_TIMEOUT:-300}" \
				"$top/selftests/runner/run.sh" > "$out/$name/run.log" 2>&1
			rc=$?
			grep -q '^KTAP version 1' "$out/$name/run.log" && break
			[ $try = 1 ] && cp "$out/$name/run.log" "$out/$name/run.log.boot-failed"
		done
		judge "$n" "$name" $rc "$out/$name/run.log" > "$out/$name/verdict"
	) &
done
wait

echo "KTAP version 1"
echo "1..${#names[@]}"
n=0
failed=0
for name in "${names[@]}"; do
	n=$((n + 1))
	if [ -s "$out/$name/verdict" ]; then
		cat "$out/$name/verdict"
	else
		echo "not ok $n mutant $name: left no verdict"
	fi
	grep -q '^ok ' "$out/$name/verdict" 2>/dev/null || failed=$((failed + 1))
done
echo "# mutants: ${#names[@]}, caught: $((${#names[@]} - failed)) (logs in $out)"
[ $failed -eq 0 ]
