#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The user tools ckpt, rstr and ckptinfo (on PATH), driven like a user
# would: --help and usage errors (exit 2, a message on stderr), a
# nonexistent pid, ckpt -o / ckpt > file (with --kill, --stop, -v, -l),
# rstr -i / rstr < file / rstr --wait (the restored process's exit status,
# 128 + signal), ckptinfo on good images (text and --json) and on
# truncated ones (exit 1, "ckptinfo: FILE: offset N: reason").  The
# processes checkpointed are the ckpt-counter demo program, whose output
# file must go on counting without a gap or a repeat after a restart, and
# coreutils sleep.  A FIFO holding data comes back with it (ckptinfo
# shows its PIPE records); a FIFO also open in the test cannot be saved.
# rstr --shell-job needs a controlling terminal, which the test has not:
# it fails with a message, and the image restarts without it.
# Output is TAP.

# Redirecting the stdin of sleep is on purpose: a tty or a pipe would make
# it impossible to checkpoint.
# shellcheck disable=SC2217

PLAN=53
WAIT_TICKS=${WAIT_TICKS:-300}	# 0.1 s each

n=0
failed=0
pids=""
T=$(mktemp -d /tmp/ckpt-tools.XXXXXX) || exit 1

cleanup()
{
	for p in $pids; do
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

echo "TAP version 13"
echo "1..$PLAN"

ok()
{
	n=$((n + 1))
	echo "ok $n $1"
}

not_ok()
{
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n $1"
}

# result DESC CONDITION...: ok if the command CONDITION succeeds
result()
{
	desc=$1
	shift
	if "$@"; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
}

# show FILE...: the files as TAP diagnostics
show()
{
	for f in "$@"; do
		[ -e "$f" ] || continue
		echo "# --- $f"
		sed -n '1,40s/^/# /p' "$f"
	done
}

# wait_for COMMAND...: retry COMMAND every 0.1 s until it succeeds
wait_for()
{
	i=0
	while [ "$i" -lt "$WAIT_TICKS" ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# state PID: the state letter of /proc/PID/stat ("" if there is none)
state()
{
	sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null
}

is_state() { [ "$(state "$1")" = "$2" ]; }
# gone PID: the process does not exist or is a zombie
gone() { s=$(state "$1"); [ -z "$s" ] || [ "$s" = Z ]; }
alive() { s=$(state "$1"); [ -n "$s" ] && [ "$s" != Z ]; }

# reap PID: wait for our child PID to end, killing it after a while;
# its exit status in $rc ("timeout" if it had to be killed)
reap()
{
	if wait_for gone "$1"; then
		wait "$1" 2>/dev/null
		rc=$?
	else
		kill -9 "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		rc=timeout
	fi
}

# nr_lines FILE
nr_lines() { { wc -l < "$1"; } 2>/dev/null || echo 0; }
has_lines() { [ "$(nr_lines "$1")" -ge "$2" ]; }

# counts_ok FILE: "count 1" .. "count N", nothing else, N >= 1
counts_ok()
{
	awk '$0 != "count " NR { bad = 1 } END { exit bad || NR == 0 }' "$1"
}

# last_count FILE
last_count() { tail -n 1 "$1" | sed 's/count //'; }

# start_counter FILE: start ckpt-counter in the background -> $cpid
start_counter()
{
	ckpt-counter "$1" </dev/null >/dev/null 2>&1 &
	cpid=$!
	pids="$pids $cpid"
	wait_for has_lines "$1" 2
}

# run NAME CMD...: run CMD, stdout to $T/NAME.out, stderr to $T/NAME.err,
# exit status in $rc
run()
{
	name=$1
	shift
	"$@" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
}

# --- --help and usage errors ---

for tool in ckpt rstr ckptinfo; do
	run help "$tool" --help
	if [ "$rc" -eq 0 ] && grep -qi '^usage:' "$T/help.out"; then
		ok "$tool --help exits 0 and prints its usage"
	else
		not_ok "$tool --help exits 0 and prints its usage (exit $rc)"
		show "$T/help.out" "$T/help.err"
	fi
done

# usage_error DESC CMD...: exit status 2 and a message on stderr
usage_error()
{
	desc=$1
	shift
	run usage "$@" </dev/null
	if [ "$rc" -eq 2 ] && [ -s "$T/usage.err" ]; then
		ok "$desc: exit 2 with a message"
	else
		not_ok "$desc: exit 2 with a message (exit $rc)"
		show "$T/usage.err"
	fi
}

usage_error "ckpt --bogus" ckpt --bogus 1
usage_error "rstr --bogus" rstr --bogus
usage_error "ckptinfo --bogus" ckptinfo --bogus "$T/x"
usage_error "ckpt without a pid" ckpt
usage_error "ckpt abc" ckpt abc
usage_error "ckpt --kill --stop" ckpt --kill --stop 1
usage_error "rstr with an argument" rstr -i "$T/x" extra
usage_error "ckptinfo without a file" ckptinfo

# --- ckpt of a pid that does not exist ---

true &
nopid=$!
wait "$nopid"
run nopid ckpt -o "$T/nopid.img" "$nopid"
if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ] && grep -q "$nopid" "$T/nopid.err"; then
	ok "ckpt of nonexistent pid $nopid fails, naming it"
else
	not_ok "ckpt of nonexistent pid $nopid fails, naming it (exit $rc)"
	show "$T/nopid.err"
fi
result "ckpt removes the output file when it fails" \
	test ! -e "$T/nopid.img"

# --- ckpt -o --kill, ckptinfo, rstr -i ---

start_counter "$T/c1"
pid1=$cpid
result "ckpt-counter $pid1 counts" has_lines "$T/c1" 2

run ckpt1 ckpt -o "$T/c1.img" --kill -l "$T/c1.log" "$pid1"
if [ "$rc" -eq 0 ] && [ -s "$T/c1.img" ]; then
	ok "ckpt -o FILE --kill $pid1 exits 0 with an image"
else
	not_ok "ckpt -o FILE --kill $pid1 exits 0 with an image (exit $rc)"
	show "$T/ckpt1.err" "$T/c1.log"
fi
reap "$pid1"
result "the checkpointed process was killed by SIGKILL (status $rc)" \
	test "$rc" = 137
before=$(nr_lines "$T/c1")
result "ckpt wrote nothing to stdout with -o" test ! -s "$T/ckpt1.out"

run info1 ckptinfo "$T/c1.img"
missing=""
for type in HEADER TREE TASK CREDS FILE MM VMA PAGES FS FDTABLE FD SIGHAND \
	    SIGNAL CPU XSTATE TRAILER; do
	grep -q "^ *[0-9][0-9]* $type " "$T/info1.out" || missing="$missing $type"
done
if [ "$rc" -eq 0 ] && [ -z "$missing" ] && [ ! -s "$T/info1.err" ]; then
	ok "ckptinfo lists the records of the image"
else
	not_ok "ckptinfo lists the records of the image (exit $rc, missing:$missing)"
	show "$T/info1.out" "$T/info1.err"
fi
nvma=$(grep -c '^ *[0-9][0-9]* VMA ' "$T/info1.out")
result "ckptinfo shows several VMAs ($nvma)" test "$nvma" -ge 3

run json1 ckptinfo --json "$T/c1.img"
if [ "$rc" -eq 0 ] && command -v python3 >/dev/null &&
   python3 -m json.tool "$T/json1.out" >/dev/null 2>"$T/json.err" &&
   grep -q '"TRAILER"' "$T/json1.out"; then
	ok "ckptinfo --json prints valid JSON"
elif ! command -v python3 >/dev/null; then
	ok "ckptinfo --json prints valid JSON # SKIP no python3"
else
	not_ok "ckptinfo --json prints valid JSON (exit $rc)"
	show "$T/json1.err" "$T/json.err"
fi

run rstr1 rstr -i "$T/c1.img" -l "$T/r1.log"
if [ "$rc" -eq 0 ] && [ "$(cat "$T/rstr1.out")" = "$pid1" ]; then
	ok "rstr -i FILE exits 0 and prints the original pid $pid1"
else
	not_ok "rstr -i FILE exits 0 and prints the original pid $pid1 (exit $rc)"
	show "$T/rstr1.out" "$T/rstr1.err" "$T/r1.log"
fi
pids="$pids $pid1"
result "the restored counter goes on counting" \
	wait_for has_lines "$T/c1" $((before + 3))
if counts_ok "$T/c1"; then
	ok "its counts have no gap and no repeat ($(last_count "$T/c1") lines)"
else
	not_ok "its counts have no gap and no repeat"
	show "$T/c1"
fi
kill -9 "$pid1" 2>/dev/null
result "the restored counter can be killed" wait_for gone "$pid1"

# --- rstr of a truncated image ---

size=$({ wc -c < "$T/c1.img"; } 2>/dev/null || echo 0)
head -c 1000 "$T/c1.img" > "$T/trunc1.img" 2>/dev/null
head -c $((size - 1)) "$T/c1.img" > "$T/trunc2.img" 2>/dev/null

run rstrt rstr -i "$T/trunc1.img"
if [ "$rc" -eq 1 ] && [ -s "$T/rstrt.err" ] && [ ! -s "$T/rstrt.out" ] &&
   gone "$pid1"; then
	ok "rstr of a truncated image exits 1, restores nothing"
else
	not_ok "rstr of a truncated image exits 1, restores nothing (exit $rc)"
	show "$T/rstrt.out" "$T/rstrt.err"
fi

for t in trunc1 trunc2; do
	run "info_$t" ckptinfo "$T/$t.img"
	if [ "$rc" -eq 1 ] &&
	   grep -q "^ckptinfo: $T/$t.img: offset [0-9][0-9]*: ." "$T/info_$t.err"; then
		ok "ckptinfo of an image cut short ($t) exits 1 naming the offset"
	else
		not_ok "ckptinfo of an image cut short ($t) exits 1 naming the offset (exit $rc)"
		show "$T/info_$t.err"
	fi
done

# --- ckpt > stdout, rstr < stdin --wait, 128 + signal ---

start_counter "$T/c2"
pid2=$cpid
ckpt -v --kill "$pid2" >"$T/c2.img" 2>"$T/ckpt2.err"
rc=$?
if [ "$rc" -eq 0 ] && [ -s "$T/c2.img" ] &&
   grep -q '^checkpoint id [1-9][0-9]*$' "$T/ckpt2.err"; then
	ok "ckpt -v --kill $pid2 > FILE writes the image, prints the id"
else
	not_ok "ckpt -v --kill $pid2 > FILE writes the image, prints the id (exit $rc)"
	show "$T/ckpt2.err"
fi
reap "$pid2"
before=$(nr_lines "$T/c2")
run info2 ckptinfo - < "$T/c2.img"
result "ckptinfo - reads the image from stdin" test "$rc" -eq 0

rstr --wait <"$T/c2.img" >"$T/rstr2.out" 2>"$T/rstr2.err" &
rpid=$!
pids="$pids $rpid $pid2"
if wait_for test -s "$T/rstr2.out" &&
   [ "$(cat "$T/rstr2.out")" = "$pid2" ]; then
	ok "rstr --wait < FILE prints the original pid $pid2"
else
	not_ok "rstr --wait < FILE prints the original pid $pid2"
	show "$T/rstr2.out" "$T/rstr2.err"
fi
result "the process restored by rstr --wait goes on counting" \
	wait_for has_lines "$T/c2" $((before + 2))
result "rstr --wait is still waiting" alive "$rpid"
kill -TERM "$pid2" 2>/dev/null
reap "$rpid"
result "rstr --wait exits with 128 + SIGTERM when the root is killed ($rc)" \
	test "$rc" = 143
result "the counts have no gap and no repeat" counts_ok "$T/c2"

# --- rstr --wait: exit status 0 of a sleep ---

sleep 3 </dev/null >/dev/null 2>&1 &
spid=$!
pids="$pids $spid"
wait_for is_state "$spid" S
run ckpt3 ckpt --kill -o "$T/s.img" "$spid"
result "ckpt --kill of sleep $spid exits 0" test "$rc" -eq 0
reap "$spid"
rstr --wait -i "$T/s.img" >"$T/rstr3.out" 2>"$T/rstr3.err" &
rpid=$!
pids="$pids $rpid"
reap "$rpid"
if [ "$rc" = 0 ] && [ "$(cat "$T/rstr3.out")" = "$spid" ]; then
	ok "rstr --wait of a sleep exits 0 when it ends"
else
	not_ok "rstr --wait of a sleep exits 0 when it ends ($rc)"
	show "$T/rstr3.out" "$T/rstr3.err"
fi

# --- ckpt --stop ---

sleep 60 </dev/null >/dev/null 2>&1 &
spid=$!
pids="$pids $spid"
wait_for is_state "$spid" S
run ckpt4 ckpt --stop -o "$T/stop.img" "$spid"
result "ckpt --stop -o FILE exits 0" test "$rc" -eq 0
result "ckpt --stop leaves the process stopped" is_state "$spid" T
kill -CONT "$spid"
result "it runs again after SIGCONT" wait_for is_state "$spid" S
run info4 ckptinfo "$T/stop.img"
result "ckptinfo accepts the image of ckpt --stop" test "$rc" -eq 0
kill "$spid"
reap "$spid"

# --- a FIFO with data comes back; one also open outside cannot be saved ---

mkfifo "$T/fifo2"
sh -c 'exec 3<>"$1"; printf "fifo data" >&3; exec sleep 60' sh "$T/fifo2" \
	</dev/null >/dev/null 2>&1 &
fpid=$!
pids="$pids $fpid"
wait_for is_state "$fpid" S
run ckpt6 ckpt -o "$T/fifo.img" --kill "$fpid"
reap "$fpid"
run info6 ckptinfo "$T/fifo.img"
if [ "$rc" -eq 0 ] && grep -q "^ *[0-9][0-9]* PIPE " "$T/info6.out" &&
   grep -q "^ *[0-9][0-9]* PIPE_BUF " "$T/info6.out"; then
	ok "ckptinfo shows the FIFO's PIPE and PIPE_BUF records"
else
	not_ok "ckptinfo shows the FIFO's PIPE and PIPE_BUF records (exit $rc)"
	show "$T/ckpt6.err" "$T/info6.out" "$T/info6.err"
fi
run rstr6 rstr -i "$T/fifo.img"
result "rstr of the FIFO image prints the original pid $fpid" \
	test "$rc" -eq 0 -a "$(cat "$T/rstr6.out")" = "$fpid"
got=$(timeout 10 dd if="$T/fifo2" bs=9 count=1 iflag=nonblock 2>/dev/null)
result "the FIFO holds its data again ($got)" test "$got" = "fifo data"
kill "$fpid" 2>/dev/null
reap "$fpid"

mkfifo "$T/fifo"
sleep 60 <"$T/fifo" >/dev/null 2>&1 &
spid=$!
pids="$pids $spid"
# open the writing end: the background open() of the reading end completes
exec 9>"$T/fifo"
wait_for is_state "$spid" S
run ckpt5 ckpt -o "$T/pipe.img" --kill -l "$T/pipe.log" "$spid"
if [ "$rc" -eq 1 ] && grep -qi 'fifo.*outside the tree' "$T/pipe.log" &&
   grep -q "$spid" "$T/pipe.log" && grep -q "$spid" "$T/ckpt5.err"; then
	ok "ckpt of a FIFO also open outside the tree fails, the log says why"
else
	not_ok "ckpt of a FIFO also open outside the tree fails, the log says why (exit $rc)"
	show "$T/ckpt5.err" "$T/pipe.log"
fi
result "the failed checkpoint left no image file" test ! -e "$T/pipe.img"
result "the process was neither killed nor stopped" is_state "$spid" S
exec 9>&-
kill "$spid" 2>/dev/null
reap "$spid"

# --- --shell-job: a process without a terminal, a restarter without one ---

sleep 60 </dev/null >/dev/null 2>&1 &
spid=$!
pids="$pids $spid"
wait_for is_state "$spid" S
run ckpt6 ckpt --shell-job --kill -o "$T/job.img" "$spid"
result "ckpt --shell-job --kill of a process without a terminal exits 0" \
	test "$rc" -eq 0
reap "$spid"
run rstr6 rstr --shell-job -i "$T/job.img"
result "rstr --shell-job without a controlling terminal exits 1" \
	test "$rc" -eq 1
result "and the log says the caller has no controlling terminal" \
	grep -q "no controlling terminal" "$T/rstr6.err"
run rstr7 rstr -i "$T/job.img"
result "the same image restarts without --shell-job" \
	test "$rc" -eq 0 -a "$(cat "$T/rstr7.out")" = "$spid"
kill "$spid" 2>/dev/null

# --- files that cannot be opened ---

run badout ckpt -o "$T/no/such/dir/img" 1
result "ckpt -o into a missing directory exits 1 with a message" \
	test "$rc" -eq 1 -a -s "$T/badout.err"
run badin rstr -i "$T/no/such/img"
result "rstr -i of a missing file exits 1 with a message" \
	test "$rc" -eq 1 -a -s "$T/badin.err"
run badinfo ckptinfo "$T/no/such/img"
result "ckptinfo of a missing file exits 1 with a message" \
	test "$rc" -eq 1 -a -s "$T/badinfo.err"

if [ "$n" -ne "$PLAN" ]; then
	echo "# $n tests run, $PLAN planned"
	exit 1
fi
echo "# $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
