#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runner canary: a test that never ends. The per-test timeout (or the
# whole-boot timeout) must turn the run red.
exec sleep infinity
