#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runner canary: a failing test. Must turn red.
exit 1
