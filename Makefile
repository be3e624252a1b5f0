# SPDX-License-Identifier: GPL-2.0
#
# bertha: top-level driver. See README.md; `make help` lists the targets.

TOP := $(CURDIR)
BUILD := $(TOP)/build
export BERTHA_CACHE ?= $(HOME)/.cache/bertha

# The stock lane: Debian's linux-image-amd64 / linux-headers-amd64 (what users
# run), not the host's running kernel.
STOCK_KVER := $(shell dpkg-query -W -f '$${Depends}' linux-headers-amd64 2>/dev/null | \
		sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
KDIR ?= /usr/src/linux-headers-$(STOCK_KVER)
STOCK_KERNEL := /boot/vmlinuz-$(STOCK_KVER)
STOCK_OUT := $(BUILD)/stock

DEBUG_OUT := $(BUILD)/debug

# T=name runs only the selftests whose file name contains "name".
T ?=
TIMEOUT ?= 3600
TEST_TIMEOUT ?= 1200

RUN := $(TOP)/selftests/runner/run.sh
SELFTEST_LIST = $(shell $(MAKE) -s --no-print-directory -C selftests list O=$(BUILD)/selftests | \
		  grep -F -- '$(T)')

.PHONY: all help deps deps-present module userspace bpf selftests \
	check check-stock check-runner check-mutants check-mutants-run demo demo-run bench bench-run shell shell-run \
	check-debug check-debug-run debug-kernel debug-prepare \
	shell-debug shell-debug-run checkpatch clean

all: module userspace bpf selftests

help:
	@echo "make            build bertha.ko (stock 6.1 headers), userspace, bpf, selftests"
	@echo "make deps       install the Debian packages bertha needs (root)"
	@echo "make demo       boot a stock 6.1 guest and show AF_BERTHA sockets in use"
	@echo "make check      stock 6.1 guest: every selftest, then the runner's own selftest"
	@echo "make check T=x  only the selftests whose name contains x (no runner selftest)"
	@echo "make check-debug  the same suite on the 6.12 KASAN/lockdep/kmemleak kernel"
	@echo "make check-mutants  stock 6.1 guests: bertha.ko with planted faults goes red"
	@echo "make bench      stock 6.1 guest: AF_BERTHA vs TCP, UDP, AF_UNIX (build/results/)"
	@echo "make shell      an interactive guest shell with bertha.ko loaded"
	@echo "make checkpatch checkpatch.pl --strict over the kernel sources"

# `make demo` and `make check` install missing packages on their own.
deps:
	@$(TOP)/scripts/deps.sh install

deps-present:
	@$(TOP)/scripts/deps.sh check 2>/dev/null || $(TOP)/scripts/deps.sh install

module:
	@$(TOP)/scripts/build-module.sh $(KDIR) $(STOCK_OUT) selftests/modules

# userspace embeds the BPF skeletons (shard_xdp.o)
userspace: bpf
	@$(MAKE) -s -C userspace O=$(BUILD)/bin BPF_O=$(BUILD)/bpf

bpf:
	@$(MAKE) -s -C bpf O=$(BUILD)/bpf

selftests: userspace
	@$(MAKE) -s -C selftests O=$(BUILD)/selftests LIBBERTHA=$(BUILD)/bin/libbertha.a \
		HARNESS_DIR=$$($(TOP)/scripts/linux-source.sh)/tools/testing/selftests

$(STOCK_OUT)/initramfs.gz: selftests/runner/init selftests/runner/mkinitramfs.sh $(STOCK_KERNEL)
	@mkdir -p $(STOCK_OUT)
	@$(TOP)/selftests/runner/mkinitramfs.sh $@ $(STOCK_KVER)

STOCK_ENV = LANE=stock KERNEL=$(STOCK_KERNEL) INITRD=$(STOCK_OUT)/initramfs.gz \
	BERTHA_KO=$(STOCK_OUT)/bertha.ko BERTHA_TEST_MODULES=$(STOCK_OUT)/modules \
	BERTHA_BIN=$(BUILD)/bin TIMEOUT=$(TIMEOUT) TEST_TIMEOUT=$(TEST_TIMEOUT)

# The user-facing targets install missing packages first, then re-enter make
# so that the kernel versions above are read from the installed packages.
SUBMAKE := $(MAKE) --no-print-directory

check: deps-present
	@$(SUBMAKE) check-stock
ifeq ($(T),)
	@$(SUBMAKE) check-runner
endif

demo: deps-present
	@$(SUBMAKE) demo-run

bench: deps-present
	@$(SUBMAKE) bench-run

shell: deps-present
	@$(SUBMAKE) shell-run

check-debug: deps-present
	@$(SUBMAKE) check-debug-run

check-stock: all $(STOCK_OUT)/initramfs.gz
	@$(STOCK_ENV) TESTS="$(SELFTEST_LIST)" $(RUN)

check-runner: all $(STOCK_OUT)/initramfs.gz
	@$(STOCK_ENV) $(TOP)/selftests/runner/selftest.sh

# The suite catches planted faults: each selftests/runner/mutants/*.patch
# builds a faulty bertha.ko from a copy of the sources in build/mutants/
# and runs the tests it names, which must go red (MUTANTS=name... picks).
check-mutants: deps-present
	@$(SUBMAKE) check-mutants-run

check-mutants-run: all $(STOCK_OUT)/initramfs.gz
	@$(STOCK_ENV) KDIR=$(KDIR) $(TOP)/selftests/runner/mutants.sh

demo-run: all $(STOCK_OUT)/initramfs.gz
	@$(STOCK_ENV) MODE=demo $(RUN)

# A benchmark, not a test: it fails only when it could not run. BENCH_*
# variables (counts, rounds) reach the guest; see userspace/bench/. Two
# vCPUs (BENCH_SMP) for the YCSB-A of the key-value example (ycsb.sh);
# the other figures run pinned to one of them. BENCH_ONLY=ycsb: only YCSB.
BENCH_SMP ?= 2
bench-run: all $(STOCK_OUT)/initramfs.gz
	@$(STOCK_ENV) SMP=$(BENCH_SMP) MODE=bench BENCH_RESULTS_DIR=$(BUILD)/results $(RUN)

shell-run: all $(STOCK_OUT)/initramfs.gz
	@$(STOCK_ENV) MODE=shell $(RUN)

# The debug lane: 6.12 from linux-source-6.12 + selftests/runner/debug-kernel.config,
# cached in $(BERTHA_CACHE) keyed by the fragment.
debug-kernel:
	@mkdir -p $(DEBUG_OUT)
	@$(TOP)/scripts/build-debug-kernel.sh > $(DEBUG_OUT)/kdir.tmp
	@mv $(DEBUG_OUT)/kdir.tmp $(DEBUG_OUT)/kdir

DEBUG_KDIR = $$(cat $(DEBUG_OUT)/kdir)
DEBUG_ENV = LANE=debug KERNEL=$(DEBUG_KDIR)/arch/x86/boot/bzImage \
	INITRD=$(DEBUG_OUT)/initramfs.gz \
	BERTHA_KO=$(DEBUG_OUT)/bertha.ko BERTHA_TEST_MODULES=$(DEBUG_OUT)/modules \
	BERTHA_BIN=$(BUILD)/bin TIMEOUT=$(TIMEOUT) TEST_TIMEOUT=$(TEST_TIMEOUT) MEM=1024

debug-prepare: debug-kernel userspace selftests
	@$(TOP)/scripts/build-module.sh $(DEBUG_KDIR) $(DEBUG_OUT) selftests/modules
	@$(TOP)/selftests/runner/mkinitramfs.sh $(DEBUG_OUT)/initramfs.gz

check-debug-run: debug-prepare
	@$(DEBUG_ENV) TESTS="$(SELFTEST_LIST)" $(RUN)
ifeq ($(T),)
	@$(DEBUG_ENV) $(TOP)/selftests/runner/selftest.sh
endif

shell-debug: deps-present
	@$(SUBMAKE) shell-debug-run

shell-debug-run: debug-prepare
	@$(DEBUG_ENV) MODE=shell $(RUN)

# Kernel style: checkpatch --strict and kernel-doc over every kernel-side
# file, the BPF programs included.
KERNEL_FILES := $(shell git ls-files --cached --others --exclude-standard 'kmod/*.[ch]' 'uapi/*.h' 'selftests/modules/*.c' 'bpf/*.[ch]')
checkpatch:
	@src=$$($(TOP)/scripts/linux-source.sh) && \
	$$src/scripts/checkpatch.pl --strict --no-tree -q -f $(KERNEL_FILES) && \
	$$src/scripts/kernel-doc -Wall -Werror -none $(KERNEL_FILES) && \
	echo "checkpatch --strict and kernel-doc: clean ($(words $(KERNEL_FILES)) files)"

clean:
	rm -rf $(BUILD)
