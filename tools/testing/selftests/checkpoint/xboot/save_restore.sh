#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# save_restore.sh - checkpoint a process in one boot, restart it in the
# next one (possibly of another kernel build).
#
#   sh save_restore.sh save DIR      (first boot)
#   sh save_restore.sh restore DIR   (second boot, DIR kept in between)
#
# save starts helper_xboot (from $CKPT_SELFTESTS, the directory of the
# built selftests, or else from PATH) with its working directory at / and
# its standard fds on /dev/null.  The helper fills memory and registers
# with patterns and waits in pause(); it is checkpointed with
# "ckpt --kill -o DIR/xboot.img" and its pid kept in DIR/xboot.pid.
# restore runs "rstr --wait -i DIR/xboot.img" in the background, checks
# that the pid rstr prints is the saved one and that the helper is back in
# pause(), then sends it SIGUSR1: the helper checks its memory and
# registers and exits 0 if they are intact, which rstr --wait passes on.
# Both print TAP; the exit status is 0 on success.

mode=$1
dir=$2
__NR_pause=34

ok() {
	echo "ok 1 xboot $mode"
	exit 0
}

fail() {
	for f in "$dir"/ckpt.log "$dir"/rstr.err; do
		[ -s "$f" ] || continue
		echo "# --- $f"
		sed 's/^/# /' "$f"
	done
	echo "not ok 1 xboot $mode # $*"
	exit 1
}

# proc_state PID - the state letter of /proc/PID/stat
proc_state() {
	sed -n 's/^.*) \([A-Za-z]\) .*$/\1/p' "/proc/$1/stat" 2>/dev/null
}

# in_pause PID - is PID sleeping in pause()?
in_pause() {
	[ "$(proc_state "$1")" = S ] &&
		[ "$(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null)" = $__NR_pause ]
}

# wait_for TENTHS CMD... - run CMD every 0.1 s until it succeeds
wait_for() {
	n=$1
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

echo "1..1"
case $mode in
save|restore) ;;
*)
	echo "usage: sh save_restore.sh save|restore DIR" >&2
	exit 2
	;;
esac
[ -n "$dir" ] && mkdir -p "$dir" && dir=$(cd "$dir" && pwd) ||
	fail "no directory '$dir'"

save() {
	if [ -n "$CKPT_SELFTESTS" ]; then
		helper=$CKPT_SELFTESTS/helper_xboot
	else
		helper=$(command -v helper_xboot)
	fi
	[ -x "$helper" ] || fail "helper_xboot not found (set CKPT_SELFTESTS)"
	command -v ckpt >/dev/null || fail "ckpt not on PATH"
	rm -f "$dir"/xboot.img "$dir"/xboot.pid "$dir"/xboot.ready \
		"$dir"/ckpt.log

	# A high pid, unlikely to be taken early in the next boot
	max=$(cat /proc/sys/kernel/pid_max 2>/dev/null)
	[ "${max:-0}" -gt 2000 ] &&
		echo $((max - 1000)) 2>/dev/null >/proc/sys/kernel/ns_last_pid
	(cd / && exec "$helper" "$dir/xboot.ready") \
		</dev/null >/dev/null 2>&1 &
	pid=$!
	echo "# helper pid $pid"
	if ! wait_for 600 test -s "$dir/xboot.ready" ||
	   ! wait_for 300 in_pause "$pid"; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		fail "helper not ready (exit status $?)"
	fi
	[ "$(cat "$dir/xboot.ready")" = "$pid" ] ||
		fail "helper reports pid $(cat "$dir/xboot.ready")"

	if ! ckpt --kill -o "$dir/xboot.img" -l "$dir/ckpt.log" "$pid"; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		fail "ckpt failed"
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	[ $rc -eq 137 ] || fail "helper exit status $rc, expected 137 (SIGKILL)"
	[ "$(od -An -c -j 8 -N 7 "$dir/xboot.img" | tr -d ' ')" = LNXCKPT ] ||
		fail "no image magic in xboot.img"
	echo "$pid" > "$dir/xboot.pid"
	echo "# image $(wc -c < "$dir/xboot.img") bytes, kernel $(uname -r)"
	ok
}

restore() {
	[ -s "$dir/xboot.img" ] && [ -s "$dir/xboot.pid" ] ||
		fail "no saved image in $dir"
	command -v rstr >/dev/null || fail "rstr not on PATH"
	saved=$(cat "$dir/xboot.pid")
	echo "# kernel $(uname -r), saved pid $saved"
	rm -f "$dir/rstr.out" "$dir/rstr.err" "$dir/rstr.rc"

	(
		rstr --wait -i "$dir/xboot.img" >"$dir/rstr.out" \
			2>"$dir/rstr.err"
		echo $? > "$dir/rstr.rc"
	) &
	# rstr prints the restored pid, or exits on failure
	wait_for 600 eval 'test -s "$dir/rstr.out" || test -s "$dir/rstr.rc"'
	pid=$(head -n 1 "$dir/rstr.out" 2>/dev/null)
	[ -n "$pid" ] || fail "rstr failed (exit status $(cat "$dir/rstr.rc"))"
	echo "# restored pid $pid"
	if [ "$pid" != "$saved" ]; then
		kill -9 "$pid" 2>/dev/null
		fail "restored pid $pid, saved $saved"
	fi
	if ! wait_for 300 in_pause "$pid"; then
		echo "# state $(proc_state "$pid")," \
			"syscall $(cat "/proc/$pid/syscall" 2>/dev/null)"
		kill -9 "$pid" 2>/dev/null
		wait
		fail "restored helper not in pause()"
	fi
	# Restarted in an earlier boot time than it was saved: a time namespace
	echo "# time namespace offsets:" \
		$(cat "/proc/$pid/timens_offsets" 2>/dev/null)
	kill -USR1 "$pid" || fail "cannot signal pid $pid"
	if ! wait_for 600 test -s "$dir/rstr.rc"; then
		kill -9 "$pid" 2>/dev/null
		wait
		fail "helper did not exit after SIGUSR1"
	fi
	wait
	rc=$(cat "$dir/rstr.rc")
	[ "$rc" = 0 ] || fail "helper exit status $rc (see helper_xboot.c)"
	ok
}

$mode
