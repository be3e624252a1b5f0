#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-host.sh RAW_DIR: the host side of `make bench`, after the guest
# finished. Copies the raw results bench.sh left in the job directory to
# $BENCH_RESULTS_DIR/bench-<UTC date and time>/ (default build/results;
# build/results/latest points at the newest), prints the table with the
# ratios (bench_report.py; also saved as table.txt) and plots bench.png
# with gnuplot; likewise the YCSB-A part (ycsb.jsonl: its table, ycsb.png
# from ycsb.gp). Fails only when there are no results to read; a missing
# plot is a warning.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
raw=${1:?usage: bench-host.sh RAW_DIR}
base=${BENCH_RESULTS_DIR:-$top/build/results}

[ -s "$raw/raw.jsonl" ] || [ -s "$raw/ycsb.jsonl" ] || [ -s "$raw/profile.txt" ] ||
	{ echo "bench: no results in $raw" >&2; exit 1; }
dest=$base/bench-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$dest" && cp -r "$raw"/. "$dest"/ || exit 1
ln -sfn "$(basename "$dest")" "$base/latest"
if [ ! -s "$raw/raw.jsonl" ] && [ ! -s "$raw/ycsb.jsonl" ]; then
	# BENCH_ONLY=profile: the guest printed it already
	echo "results: $dest/profile.txt"
	exit 0
fi

echo
python3 "$here/bench_report.py" --summary --plot-data "$dest" | tee "$dest/table.txt"
[ "${PIPESTATUS[0]}" = 0 ] || exit 1
if [ -s "$dest/memory.txt" ]; then
	echo
	sed 's/^/bench: /' "$dest/memory.txt" | tee -a "$dest/table.txt"
fi

if command -v gnuplot > /dev/null; then
	title="bertha bench: $(python3 -c 'import json, sys; m = json.load(open(sys.argv[1]))["meta"]; print("kernel %s, %s, medians of %s rounds, one guest boot (TCG)" % (m.get("kernel"), m.get("date"), m.get("rounds")))' "$dest/summary.json" 2>/dev/null)"
	if [ ! -s "$dest/raw.jsonl" ]; then
		:
	elif gnuplot -e "dir='$dest'; title='$title'" "$here/bench.gp" 2> "$dest/gnuplot.log"; then
		echo "plot: $dest/bench.png"
	else
		echo "bench: warning: gnuplot failed, no plot (see $dest/gnuplot.log)" >&2
	fi
	if [ ! -s "$dest/ycsb.dat" ]; then
		:
	elif gnuplot -e "dir='$dest'" "$here/ycsb.gp" 2>> "$dest/gnuplot.log"; then
		echo "plot: $dest/ycsb.png"
	else
		echo "bench: warning: gnuplot failed on ycsb.gp (see $dest/gnuplot.log)" >&2
	fi
else
	echo "bench: warning: gnuplot is not installed (make deps), no plot" >&2
fi
echo "results: $dest (summary.json, raw.jsonl, table.txt)"
