#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runner canary: a module leaks memory; kmemleak (debug lane) must turn the
# run red.
insmod "$BERTHA_TEST_MODULES/bertha_test_splat.ko" what=leak && rmmod bertha_test_splat
exit 0
