# SPDX-License-Identifier: GPL-2.0
#
# Checkpoint/restart for Linux 6.1: build, VM and test driver.
#
# The repository holds the new files at their kernel paths and the edits
# to existing kernel files as patches/*.patch; everything is built below
# build/.  "make help" lists the targets; see README.md.

SHELL := /bin/bash
.NOTPARALLEL:
.DEFAULT_GOAL := all

S := scripts/checkpoint
Q := tools/testing/selftests/checkpoint
FAST_FRAGMENTS := $(Q)/config $(Q)/qemu/kernel.config
DEBUG_FRAGMENTS := $(FAST_FRAGMENTS) $(Q)/qemu/debug.config

# Variables for run-vm / check, exported so that recipes can quote them.
CMD ?=
RWDIR ?=
DEBUG ?=
TIMEOUT ?=
TESTS ?=
export CMD RWDIR TIMEOUT TESTS

is_debug := $(filter 1 y yes true,$(DEBUG))
VM_KERNEL := $(if $(is_debug),debug,fast)

.PHONY: all help deps tree config fast debug kernels headers tools selftests \
	userspace run-vm demo check bench series series-check clean distclean

all: fast userspace

help:
	@echo 'make demo          build, boot the fast kernel, run tools/checkpoint/demo.sh'
	@echo 'make check         build everything, run KUnit + selftests + cross-boot tests'
	@echo 'make bench         checkpoint/restart a tree of 200 processes x 4 threads'
	@echo '                   in the fast kernel (BENCH_ARGS="PROCS THREADS KIB")'
	@echo '                   in the debug kernel; last line: "N passed, M failed"'
	@echo "                   [TESTS='memory_test save_restore'] runs only these (shell patterns)"
	@echo 'make run-vm CMD=.. [DEBUG=1] [RWDIR=dir] [TIMEOUT=secs]'
	@echo '                   run CMD as root in a VM (fast kernel, debug one with DEBUG=1)'
	@echo 'make all           fast kernel + tools + selftests (default)'
	@echo 'make fast|debug    one kernel: build/{fast,debug}/arch/x86/boot/bzImage'
	@echo 'make tree          prepare build/linux (tarball + patches/ + new files)'
	@echo 'make headers|tools|selftests   userspace parts (build/hdr, build/tools, build/selftests)'
	@echo 'make series        export build/series/*.patch (+ checkpatch); series-check builds each'
	@echo 'make deps          install the Debian packages needed (as root)'
	@echo 'make clean         remove build outputs, keep build/linux; distclean removes build/'

deps:
	@$(S)/deps.sh

tree: deps
	@$(S)/prepare-tree.sh

config: tree
	@$(S)/kconfig.sh fast $(FAST_FRAGMENTS)
	@$(S)/kconfig.sh debug $(DEBUG_FRAGMENTS)

fast: tree
	@$(S)/kconfig.sh fast $(FAST_FRAGMENTS)
	@$(S)/build-kernel.sh fast

debug: tree
	@$(S)/kconfig.sh debug $(DEBUG_FRAGMENTS)
	@$(S)/build-kernel.sh debug

kernels: fast debug

headers: tree
	@$(S)/build-user.sh headers

tools: headers
	@$(S)/build-user.sh tools

selftests: headers
	@$(S)/build-user.sh selftests

userspace: tools selftests

run-vm: $(VM_KERNEL) userspace
	@if [ -z "$$CMD" ]; then echo "usage: make run-vm CMD='command' [DEBUG=1] [RWDIR=dir] [TIMEOUT=secs]" >&2; exit 2; fi
	@rc=0; $(S)/run-vm.sh $(if $(is_debug),--debug) $(if $(RWDIR),--rwdir "$$RWDIR") \
		$(if $(TIMEOUT),--timeout "$$TIMEOUT") -- "$$CMD" || rc=$$?; \
	 if [ $$rc -ne 0 ]; then echo "run-vm: exit status $$rc" >&2; fi; exit $$rc

demo: fast userspace
	@if [ ! -f tools/checkpoint/demo.sh ]; then \
		echo "error: tools/checkpoint/demo.sh does not exist yet: nothing to demonstrate" >&2; exit 1; fi
	@$(S)/run-vm.sh $(if $(TIMEOUT),--timeout "$$TIMEOUT") -- "sh tools/checkpoint/demo.sh"

check: debug fast userspace
	@$(S)/check.sh

# Benchmarks print numbers, never pass or fail on time: the fast kernel
bench: fast userspace
	@$(S)/run-vm.sh $(if $(TIMEOUT),--timeout "$$TIMEOUT") -- \
		"$(CURDIR)/build/selftests/bench_tree $(BENCH_ARGS)"

series: tree
	@$(S)/series.sh export

series-check: series fast
	@$(S)/series.sh check

clean:
	rm -rf build/fast build/debug build/kconfig-tmp build/hdr build/hdr-obj \
		build/tools build/selftests build/vm build/check build/series \
		build/series-check build/stamps/config-* build/stamps/headers

distclean:
	rm -rf build
