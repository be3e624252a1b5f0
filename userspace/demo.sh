#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job, run in a guest by `make demo` with bertha.ko loaded: AF_BERTHA
# sockets in use in two network namespaces, then a clean unload.
set -eu

echo "== bertha.ko loaded:"
lsmod | grep -E '^(Module|bertha)'
echo "== modinfo:"
modinfo -F description "$BERTHA_KO"
echo "   alias: $(modinfo -F alias "$BERTHA_KO")"

for ns in client server; do
	ip netns add "$ns"
	echo "== network namespace '$ns':"
	ip netns exec "$ns" "$BERTHA_BIN/bertha_demo"
done
ip netns del client
ip netns del server

echo "== sockets closed; unloading:"
rmmod bertha
echo "   bertha.ko unloaded cleanly"
