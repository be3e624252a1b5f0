#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runner canary: a skipped test (lib.sh's skip). Reported as a skip, never as
# a pass, and red unless the lane's allow list names it.
echo "SKIP: a canary that skips"
exit 4
