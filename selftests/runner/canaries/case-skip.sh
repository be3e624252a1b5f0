#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runner canary: a program that exits 0 after skipping one of its cases, as
# kselftest_harness does (it counts a skipped case as passed). The runner
# must see the case in the program's KTAP and treat it as a skip.
echo "TAP version 13"
echo "1..2"
echo "ok 1 canary.runs"
echo "ok 2 canary.skips # SKIP a canary case that skips"
exit 0
