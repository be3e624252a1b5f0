# SPDX-License-Identifier: GPL-2.0
#
# The YCSB-A plot of `make bench`: gnuplot -e "dir='RESULTS'" ycsb.gp
# writes RESULTS/ycsb.png from ycsb.dat and ycsb_p99.dat (bench_report.py
# --plot-data): throughput and p99 per shard count and implementation.
if (!exists("dir")) dir = "."
if (!exists("title")) title = "bertha bench: YCSB-A, sharded key-value example"

set terminal pngcairo noenhanced size 1400,550 font ",10"
set output dir."/ycsb.png"
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set key top left
set multiplot layout 1,2 title title

set title "throughput, 2 clients (ops/s; higher is better)"
set xlabel "shards"
set yrange [0:*]
plot for [i=2:5] dir."/ycsb.dat" using i:xtic(1) title columnheader(i)

set title "p99 latency, worse client (us; lower is better)"
plot for [i=2:5] dir."/ycsb_p99.dat" using i:xtic(1) title columnheader(i)
unset multiplot
