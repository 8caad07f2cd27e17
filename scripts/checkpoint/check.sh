#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - the host side of "make check" (the kernels, tools and
# selftests are already built).
#
#  1. Boot the debug kernel once: KUnit runs at boot; the guest runs
#     tools/testing/selftests/checkpoint/qemu/run-tests.sh phase1 (every
#     build/selftests/*_test, the save phase of every xboot/*.sh, a
#     kmemleak scan).  Console: build/check/console-1.log.
#  2. If there are cross-boot tests (tools/testing/selftests/checkpoint/
#     xboot/*.sh), boot the fast kernel: run-tests.sh phase2 (restore
#     phases).  Console: build/check/console-2.log.
#  3. parse-results.py counts the results, looks for kernel splats and
#     prints the closing line "N passed, M failed".
#
# Environment: TIMEOUT (per boot, s; default 2400 for the debug boot,
# 600 for the fast one), CKPT_TEST_TIMEOUT (per test program, 300 s),
# TESTS (shell patterns: run only the matching test programs and
# cross-boot tests, e.g. TESTS='memory_test save_restore').

. "$(dirname "$0")/lib.sh"
cd "$TOP"

out=$BUILD/check
rm -rf "$out"
mkdir -p "$out/results" "$out/xboot"
guest="sh $TOP/$QEMU_DIR/run-tests.sh"
args="$BUILD/selftests $TOP/$SELFTEST_DIR/xboot $out"
envs="CKPT_TEST_TIMEOUT=${CKPT_TEST_TIMEOUT:-300} CKPT_TESTS=$(printf %q "${TESTS:-}")"

n=0
for t in "$BUILD"/selftests/*_test; do [ -x "$t" ] && n=$((n + 1)); done
msg CHECK "boot 1: debug kernel ($n selftest program(s)${TESTS:+, TESTS=$TESTS})"
rc=0
"$TOP/scripts/checkpoint/run-vm.sh" --debug --rwdir "$out" --loglevel 7 \
	--timeout "${TIMEOUT:-2400}" --log "$out/console-1.log" \
	-- "$envs $guest phase1 $args" || rc=$?
echo "$rc" > "$out/vm-1.rc"

if compgen -G "$out/results/xboot-save-*.rc" >/dev/null; then
	msg CHECK "boot 2: fast kernel (cross-boot restore phases)"
	rc=0
	"$TOP/scripts/checkpoint/run-vm.sh" --rwdir "$out" --loglevel 7 \
		--timeout "${TIMEOUT:-600}" --log "$out/console-2.log" \
		-- "$envs $guest phase2 $args" || rc=$?
	echo "$rc" > "$out/vm-2.rc"
fi

exec python3 "$TOP/scripts/checkpoint/parse-results.py" "$out"
