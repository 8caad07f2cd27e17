#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-tests.sh - the guest side of "make check" (runs inside the VM).
#
#   run-tests.sh phase1 SELFTESTS XBOOT OUT   (debug kernel)
#     1. every executable SELFTESTS/*_test, each from a fresh scratch
#        directory in /tmp, under "timeout $CKPT_TEST_TIMEOUT" (300 s);
#     2. every XBOOT/*.sh as "sh FILE save OUT/xboot/NAME";
#     3. a kmemleak scan (twice, with a pause) -> OUT/kmemleak.txt.
#   run-tests.sh phase2 SELFTESTS XBOOT OUT   (second boot, fast kernel)
#     every XBOOT/*.sh whose save phase exited 0, as
#     "sh FILE restore OUT/xboot/NAME".
#
# $CKPT_TESTS, if set, is a list of shell patterns: only the programs and
# cross-boot tests (by the name of their file without .sh) matching one of
# them run.
# OUT is shared read-write with the host.  Each program's output (TAP) is
# passed through to the console and saved as OUT/results/KEY.tap, its
# exit status as OUT/results/KEY.rc (124: timed out); the host parses
# them (scripts/checkpoint/parse-results.py).  The KUnit results are in
# the kernel log printed at boot.

mode=$1 selftests=$2 xboot=$3 out=$4
tmo=${CKPT_TEST_TIMEOUT:-300}
res=$out/results
mkdir -p "$res" "$out/xboot"

# selected NAME - is NAME selected by $CKPT_TESTS?
selected() {
	[ -z "${CKPT_TESTS:-}" ] && return 0
	set -f
	for p in $CKPT_TESTS; do
		case $1 in
		$p) set +f; return 0 ;;
		esac
	done
	set +f
	return 1
}

# run_prog KEY CMD... - run CMD from a scratch directory, with a timeout.
run_prog() {
	key=$1; shift
	scratch=$(mktemp -d "/tmp/$key.XXXXXX")
	echo "CKPT-PROG-BEGIN: $key"
	{
		(cd "$scratch" && exec timeout -k 10 "$tmo" "$@" </dev/null 2>&1)
		echo $? > "$res/$key.rc"
	} | tee "$res/$key.tap"
	echo "CKPT-PROG-END: $key exit=$(cat "$res/$key.rc")"
	rm -rf "$scratch"
}

case $mode in
phase1)
	echo "CKPT-CHECK: phase 1 on $(uname -r)"
	if [ -d /sys/kernel/debug/kunit ]; then
		echo "CKPT-CHECK: KUnit suites: $(ls /sys/kernel/debug/kunit | tr '\n' ' ')"
	fi
	for t in "$selftests"/*_test; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		selected "$(basename "$t")" || continue
		run_prog "$(basename "$t")" "$t"
	done
	for x in "$xboot"/*.sh; do
		[ -f "$x" ] || continue
		name=$(basename "$x" .sh)
		selected "$name" || continue
		rm -rf "$out/xboot/$name"
		mkdir -p "$out/xboot/$name"
		run_prog "xboot-save-$name" sh "$x" save "$out/xboot/$name"
	done
	if [ -w /sys/kernel/debug/kmemleak ]; then
		echo "CKPT-CHECK: kmemleak scan"
		echo scan > /sys/kernel/debug/kmemleak
		sleep 5
		echo scan > /sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak > "$out/kmemleak.txt"
		cat "$out/kmemleak.txt"
	else
		echo "CKPT-CHECK: no kmemleak"
	fi
	;;
phase2)
	echo "CKPT-CHECK: phase 2 on $(uname -r)"
	for x in "$xboot"/*.sh; do
		[ -f "$x" ] || continue
		name=$(basename "$x" .sh)
		[ -f "$res/xboot-save-$name.rc" ] || continue
		if [ "$(cat "$res/xboot-save-$name.rc" 2>/dev/null)" != 0 ]; then
			echo "CKPT-CHECK: xboot $name: save phase failed, restore not run"
			continue
		fi
		run_prog "xboot-restore-$name" sh "$x" restore "$out/xboot/$name"
	done
	;;
*)
	echo "usage: run-tests.sh phase1|phase2 SELFTESTS XBOOT OUT" >&2
	exit 2
	;;
esac
echo "CKPT-CHECK: $mode done"
