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
	shell-debug shell-debug-run checkpatch clean \
	install install-module install-userspace uninstall uninstall-module \
	uninstall-userspace install-dkms install-dkms-src uninstall-dkms check-install

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
	@echo "make install    bertha.ko for KVER (default: running kernel), berthactl, libbertha,"
	@echo "                man pages, service (DESTDIR, PREFIX); make uninstall undoes it"
	@echo "make install-dkms  bertha.ko through DKMS, rebuilt for every kernel (root)"
	@echo "make check-install  man pages, make install/uninstall, dkms, Debian packages"

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
ifeq ($(T),)
	@$(SUBMAKE) check-install
endif
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

# selftests/packages.sh installs the packages check-install builds (make
# check runs it first; alone, make check-debug does) and the 6.12 module
# check-dkms.sh keeps.
check-debug-run: debug-prepare
ifeq ($(T),)
	@ls $(BUILD)/packages/*.deb > /dev/null 2>&1 || $(TOP)/scripts/check-install.sh
	@BERTHA_DKMS_KEEP=$(BUILD)/packages/modules $(TOP)/scripts/check-dkms.sh $(DEBUG_KDIR)
endif
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

# Installing, as Debian and kernel users expect: GNU directory variables
# under PREFIX, DESTDIR for staging (then depmod and dkms are left to the
# package), the module for kernel KVER in /lib/modules/KVER/updates/.
# debian/rules installs the userspace part; the module goes through DKMS.
VERSION := 0.1.0
PREFIX ?= /usr
DESTDIR ?=
KVER ?= $(shell uname -r)
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= /lib/systemd/system
MODULESLOADDIR ?= $(SYSCONFDIR)/modules-load.d
# the kernel build tree of KVER, and where its bertha.ko is built
INSTALL_KDIR ?= /lib/modules/$(KVER)/build
KVER_OUT := $(BUILD)/kver/$(KVER)
MODDIR := /lib/modules/$(KVER)/updates
DKMS_SRC := /usr/src/bertha-$(VERSION)
INSTALL ?= install

# What install-userspace puts where: "source destination mode" (the
# destination relative to DESTDIR); uninstall removes exactly these.
USERSPACE_FILES := \
	$(BUILD)/bin/berthactl:$(SBINDIR)/berthactl:755 \
	$(BUILD)/bin/libbertha.a:$(LIBDIR)/libbertha.a:644 \
	userspace/libbertha.h:$(INCLUDEDIR)/bertha/libbertha.h:644 \
	uapi/linux/bertha.h:$(INCLUDEDIR)/bertha/linux/bertha.h:644 \
	$(BUILD)/install/bertha.pc:$(PKGCONFIGDIR)/bertha.pc:644 \
	Documentation/netlink/specs/bertha.yaml:$(DATADIR)/bertha/bertha.yaml:644 \
	Documentation/berthactl.8:$(MANDIR)/man8/berthactl.8:644 \
	Documentation/bertha.7:$(MANDIR)/man7/bertha.7:644 \
	Documentation/libbertha.3:$(MANDIR)/man3/libbertha.3:644 \
	dist/berthactl.service:$(SYSTEMDUNITDIR)/berthactl.service:644 \
	dist/berthactl.bash-completion:$(DATADIR)/bash-completion/completions/berthactl:644
# Configuration: installed only where absent, removed only if unchanged.
CONFIG_FILES := \
	dist/daemon.conf:$(SYSCONFDIR)/bertha/daemon.conf:644 \
	dist/modules-load.d/bertha.conf:$(MODULESLOADDIR)/bertha.conf:644
# Directories of bertha's own, removed by uninstall when empty.
OWN_DIRS := $(SYSCONFDIR)/bertha $(DATADIR)/bertha $(INCLUDEDIR)/bertha/linux \
	$(INCLUDEDIR)/bertha

install: install-module install-userspace

uninstall: uninstall-module uninstall-userspace

$(BUILD)/install/bertha.pc: dist/bertha.pc.in Makefile
	@mkdir -p $(@D)
	@sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	     -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

# The .pc file depends on PREFIX and LIBDIR: remake it on every install.
install-userspace: userspace
	@rm -f $(BUILD)/install/bertha.pc
	@$(MAKE) -s --no-print-directory $(BUILD)/install/bertha.pc
	@set -e; for f in $(USERSPACE_FILES); do \
		src=$${f%%:*}; rest=$${f#*:}; dst=$${rest%:*}; mode=$${rest##*:}; \
		$(INSTALL) -D -m $$mode $$src $(DESTDIR)$$dst; \
		echo "  INSTALL $(DESTDIR)$$dst"; \
	done
	@set -e; for f in $(CONFIG_FILES); do \
		src=$${f%%:*}; rest=$${f#*:}; dst=$${rest%:*}; mode=$${rest##*:}; \
		if [ -e $(DESTDIR)$$dst ]; then \
			echo "  KEEP    $(DESTDIR)$$dst (exists)"; \
		else \
			$(INSTALL) -D -m $$mode $$src $(DESTDIR)$$dst; \
			echo "  INSTALL $(DESTDIR)$$dst"; \
		fi; \
	done
	@echo "berthactl.service is installed, not enabled: systemctl enable --now berthactl"

uninstall-userspace:
	@set -e; for f in $(USERSPACE_FILES); do \
		rest=$${f#*:}; dst=$${rest%:*}; \
		if [ -e $(DESTDIR)$$dst ]; then rm -f $(DESTDIR)$$dst; echo "  RM      $(DESTDIR)$$dst"; fi; \
	done
	@set -e; for f in $(CONFIG_FILES); do \
		src=$${f%%:*}; rest=$${f#*:}; dst=$${rest%:*}; \
		if [ ! -e $(DESTDIR)$$dst ]; then :; \
		elif cmp -s $$src $(DESTDIR)$$dst; then \
			rm -f $(DESTDIR)$$dst; echo "  RM      $(DESTDIR)$$dst"; \
		else \
			echo "  KEEP    $(DESTDIR)$$dst (changed locally)"; \
		fi; \
	done
	@for d in $(OWN_DIRS); do rmdir $(DESTDIR)$$d 2>/dev/null || true; done

# bertha.ko for KVER, built against its headers (linux-headers-KVER).
install-module:
	@[ -f $(INSTALL_KDIR)/Makefile ] || { \
		echo "install: no kernel build tree for $(KVER) at $(INSTALL_KDIR);" \
		     "install linux-headers-$(KVER), or set KVER= or INSTALL_KDIR=" >&2; exit 1; }
	@$(TOP)/scripts/build-module.sh $(INSTALL_KDIR) $(KVER_OUT)
	@$(INSTALL) -D -m 644 $(KVER_OUT)/bertha.ko $(DESTDIR)$(MODDIR)/bertha.ko
	@echo "  INSTALL $(DESTDIR)$(MODDIR)/bertha.ko"
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
endif

uninstall-module:
	@if [ -e $(DESTDIR)$(MODDIR)/bertha.ko ]; then \
		rm -f $(DESTDIR)$(MODDIR)/bertha.ko; echo "  RM      $(DESTDIR)$(MODDIR)/bertha.ko"; fi
	@rmdir $(DESTDIR)$(MODDIR) 2>/dev/null || true
ifeq ($(DESTDIR),)
	@[ ! -d /lib/modules/$(KVER)/kernel ] || depmod -a $(KVER)
endif

# The module's sources as DKMS wants them in /usr/src/bertha-VERSION: no
# git, no build outputs; dkms.conf builds through scripts/build-module.sh.
DKMS_FILES := dkms.conf Kbuild scripts/build-module.sh \
	$(shell find kmod uapi -type f \( -name '*.[ch]' -o -name Kbuild \) | sort)
install-dkms-src:
	@rm -rf $(DESTDIR)$(DKMS_SRC)
	@set -e; for f in $(DKMS_FILES); do \
		m=644; [ -x $$f ] && m=755; \
		$(INSTALL) -D -m $$m $$f $(DESTDIR)$(DKMS_SRC)/$$f; \
	done
	@echo "  INSTALL $(DESTDIR)$(DKMS_SRC) ($(words $(DKMS_FILES)) files)"

install-dkms: install-dkms-src
ifeq ($(DESTDIR),)
	@dkms status -m bertha -v $(VERSION) | grep -q . || dkms add -m bertha -v $(VERSION)
	dkms build -m bertha -v $(VERSION)
	dkms install -m bertha -v $(VERSION)
endif

uninstall-dkms:
	-dkms remove -m bertha -v $(VERSION) --all
	rm -rf $(DESTDIR)$(DKMS_SRC)

# The install, packaging and man-page checks (scripts/check-install.sh).
check-install:
	@$(TOP)/scripts/check-install.sh
