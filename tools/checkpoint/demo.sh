#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - checkpoint/restart in a few steps, with ckpt-counter.
#
# Runs as root on a kernel with checkpoint/restart, with ckpt, rstr,
# ckptinfo and ckpt-counter on PATH and /tmp writable:
#
#   1. start ckpt-counter, which appends "count N" to a log every 0.5 s;
#   2. checkpoint it with --kill: the process is gone;
#   3. look inside the image with ckptinfo;
#   4. restart it: same pid, and the count goes on where it stopped;
#   5. time machine: checkpoint it again without --kill, let it count on,
#      kill it and restart the second image: the count goes back.
#
# Exits with 0 if every step did what it should, 1 otherwise.

set -u

DIR=/tmp/demo
LOG=$DIR/count.log
IMG=$DIR/image
IMG2=$DIR/image2
pid=
rstr_pid=

step() {
	echo
	echo "== $*"
}

fail() {
	echo "demo: FAILED: $*" >&2
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "$rstr_pid" ] && kill -9 "$rstr_pid" 2>/dev/null
	exit 1
}

nlines() {
	if [ -f "$LOG" ]; then
		wc -l < "$LOG" | tr -d ' '
	else
		echo 0
	fi
}

# count_at N - the number on line N of the log
count_at() {
	sed -n "$1s/^count \([0-9][0-9]*\)\$/\1/p" "$LOG"
}

last_count() {
	count_at '$'
}

# wait_lines N - wait (10 s at most) until the log has N lines
wait_lines() {
	i=0
	while [ "$(nlines)" -lt "$1" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "the log did not reach $1 lines"
		sleep 0.1
	done
}

# wait_gone PID - wait (5 s at most) until PID no longer exists
wait_gone() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 50 ] || fail "pid $1 is still there"
		sleep 0.1
	done
}

# check_sequence FROM TO - lines FROM..TO of the log count on by one
check_sequence() {
	awk -v from="$1" -v to="$2" '
		NR < from || NR > to { next }
		NR > from && $0 != ("count " (prev + 1)) {
			print "line " NR ": \"" $0 "\" after count " prev
			exit 1
		}
		{ prev = substr($0, 7) }' "$LOG" || fail "the count skipped or repeated"
}

cmdline() {
	tr '\0' ' ' < "/proc/$1/cmdline"
}

for tool in ckpt rstr ckptinfo ckpt-counter; do
	command -v "$tool" >/dev/null || fail "$tool is not on PATH"
done
rm -rf "$DIR"
mkdir -p "$DIR" || fail "cannot create $DIR"

step "Start ckpt-counter: it appends \"count N\" to $LOG every 0.5 s"
(cd / && exec ckpt-counter "$LOG" </dev/null >/dev/null 2>&1) &
pid=$!
wait_lines 3
orig_cmdline=$(cmdline "$pid")
echo "pid $pid, /proc/$pid/cmdline: $orig_cmdline"
cat "$LOG"

step "Checkpoint it into $IMG and kill it: ckpt --kill -o $IMG $pid"
ckpt --kill -o "$IMG" "$pid" || fail "ckpt --kill failed"
wait "$pid"
status=$?
[ "$status" -eq 137 ] || fail "ckpt-counter exited with status $status, not killed by SIGKILL"
kill -0 "$pid" 2>/dev/null && fail "pid $pid is still alive"
echo "kill -0 $pid: no such process (it exited with status $status: SIGKILL)"
before=$(last_count)
n_before=$(nlines)
echo "the log stopped at: $(tail -n 1 "$LOG")"
ls -l "$IMG"

step "What the image holds: ckptinfo $IMG (abridged)"
ckptinfo "$IMG" > "$DIR/image.txt" || fail "ckptinfo finds the image invalid"
awk '
	$2 == "VMA" && ++vmas > 6 { if (vmas == 7) print "       ..."; next }
	$2 == "PAGES" && $5 != 0 { next }
	$2 ~ /^(CREDS|SIGNAL|XSTATE)$/ { next }
	{ print substr($0, 1, 150) }' "$DIR/image.txt"
echo "   ($(wc -l < "$DIR/image.txt") records; ckptinfo --json gives them all as JSON)"

step "Restart it: rstr -i $IMG"
new=$(rstr -i "$IMG") || fail "rstr failed"
echo "rstr printed the restored pid: $new"
[ "$new" = "$pid" ] || fail "restored as pid $new, not $pid"
now_cmdline=$(cmdline "$pid")
echo "/proc/$pid/cmdline: $now_cmdline"
[ "$now_cmdline" = "$orig_cmdline" ] || fail "not the same command line"
sleep 2
wait_lines $((n_before + 3))
echo "the log around the restart (the line after count $before is new):"
sed -n "$((n_before - 1)),\$p" "$LOG"
first=$(count_at $((n_before + 1)))
[ "$first" = $((before + 1)) ] ||
	fail "after the restart the count went on with ${first:-?}, expected $((before + 1))"
check_sequence 1 "$(nlines)"
echo "OK: it went on with count $first, not from 1: its memory came back"

step "Time machine, 1: checkpoint it again, without --kill: ckpt -o $IMG2 $pid"
pre=$(last_count)
ckpt -o "$IMG2" "$pid" || fail "ckpt failed"
at=$(last_count)
n_at=$(nlines)
kill -0 "$pid" 2>/dev/null || fail "pid $pid did not survive the checkpoint"
if [ "$pre" = "$at" ]; then
	echo "image taken at count $at; the counter keeps running:"
else
	echo "image taken between count $pre and count $at; the counter keeps running:"
fi
sleep 2
wait_lines $((n_at + 3))
tail -n 3 "$LOG"

step "Time machine, 2: kill it (kill -9 $pid)"
kill -9 "$pid"
wait_gone "$pid"
late=$(last_count)
n_late=$(nlines)
echo "killed at count $late"

step "Time machine, 3: restart the second image: rstr --wait -i $IMG2 &"
rstr --wait -i "$IMG2" > "$DIR/rstr.out" 2> "$DIR/rstr.err" &
rstr_pid=$!
i=0
until [ -s "$DIR/rstr.out" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$rstr_pid" 2>/dev/null; then
		cat "$DIR/rstr.err" >&2
		fail "rstr did not restart the second image"
	fi
	sleep 0.1
done
new=$(head -n 1 "$DIR/rstr.out")
echo "rstr printed the restored pid: $new"
[ "$new" = "$pid" ] || fail "restored as pid $new, not $pid"
sleep 2
wait_lines $((n_late + 3))
echo "the log around the restart (the line after count $late is new):"
sed -n "$((n_late - 1)),\$p" "$LOG"
first=$(count_at $((n_late + 1)))
# The image was taken between the lines $pre and $at.
if [ -z "$first" ] || [ "$first" -le "$pre" ] ||
   [ "$first" -gt $((at + 1)) ]; then
	fail "after the restart the count went on with ${first:-?}, expected $((pre + 1))..$((at + 1))"
fi
[ "$first" -le "$late" ] || fail "the count did not go back"
check_sequence $((n_late + 1)) "$(nlines)"
echo "OK: back from count $late to count $first"

step "Done: kill it; rstr --wait exits with 128 + SIGKILL"
kill -9 "$pid"
wait "$rstr_pid"
status=$?
rstr_pid=
echo "rstr exit status: $status"
[ "$status" -eq 137 ] || fail "rstr --wait exited with $status, expected 137"
echo
echo "demo: all steps passed"
