#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runner canary: a test that "passes" while the kernel WARNs. Must turn red.
insmod "$BERTHA_TEST_MODULES/bertha_test_splat.ko" what=warn
exit 0
