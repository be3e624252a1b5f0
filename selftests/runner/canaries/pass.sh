#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runner canary: a passing test, so the runner selftest also shows green.
[ -d /sys/module/bertha ]
