# SPDX-License-Identifier: GPL-2.0
#
# The plot of `make bench`: gnuplot -e "dir='RESULTS'" bench.gp writes
# RESULTS/bench.png from the *.dat files of bench_report.py --plot-data.
if (!exists("dir")) dir = "."
if (!exists("title")) title = "bertha bench"

set terminal pngcairo noenhanced size 2000,900 font ",10"
set output dir."/bench.png"
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set key top left
set multiplot layout 2,4 title title

set title "ping-pong RTT p50 (us, log; lower is better)"
set xlabel "message size (B)"
set logscale y
plot for [i=2:8] dir."/rtt_p50.dat" using i:xtic(1) title columnheader(i)

set title "ping-pong RTT p99 (us, log; lower is better)"
plot for [i=2:8] dir."/rtt_p99.dat" using i:xtic(1) title columnheader(i)
unset logscale y

set xlabel "local, remote: AF_BERTHA with berthactl local on, off"
set key off
set yrange [0:*]
set style histogram clustered gap 1
set title "one-way throughput, 64000 B messages (MB/s delivered)"
plot dir."/rates.dat" using 2:xtic(1) lc rgb "#4477aa"

set title "message rate, 64 B messages (msgs/s delivered)"
plot dir."/rates.dat" using 3:xtic(1) lc rgb "#228833"

set title "connections/s (connect, negotiate, 1 request/reply, close)"
plot dir."/rates.dat" using 4:xtic(1) lc rgb "#aa3377"

set xlabel ""
set title "bertha-local / reference (targets: RTT <=1 unix, <=0.5 tcp;\nthroughput >=1 unix, >=2 tcp; connections >=1 tcp)"
set key top left
set yrange [0:*]
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "black"
plot for [i=2:3] dir."/ratios.dat" using i:xtic(1) title columnheader(i)
unset arrow 1

# the reliable set: reliable and TCP side by side, Rel/tcp under each cluster
set title "reliable (DAG at both ends, local off) vs TCP over veth, netem loss\non both veth ends: one-way throughput (MB/s; goal Rel/tcp >=0.8 without loss)"
set xlabel ""
set bmargin 4
plot dir."/reliable.dat" using 2:xtic(stringcolumn(1)."\nRel/tcp ".stringcolumn(4)) title columnheader(2) lc rgb "#ee7733", \
     "" using 3 title columnheader(3) lc rgb "#4477aa"

unset multiplot
