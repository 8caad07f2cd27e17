// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: a relative sleep in progress.
 *
 * A task parked in nanosleep() or a relative clock_nanosleep() on an
 * hrtimer clock leaves the call with -ERESTART_RESTARTBLOCK, its restart
 * block holding the absolute expiry time.  The time left is saved, and a
 * restored task gets a restart block that sleeps for that long when the
 * signal code continues the call through restart_syscall(): the sleep
 * ends as late as it would have, the time between checkpoint and
 * restart aside.  A poll() is re-issued with the time it had left as its
 * timeout.  Other calls that continue through a restart block (futex
 * waits with a relative timeout, CPU-time clocks) are re-issued with
 * their full timeout.
 */
#include <linux/checkpoint.h>
#include <linux/hrtimer.h>
#include <linux/restart_block.h>
#include <linux/sched.h>
#include <linux/time.h>
#include <linux/timekeeping.h>
#include <asm/unistd.h>

static bool ckpt_sleep_clock(clockid_t clockid)
{
	return clockid == CLOCK_REALTIME || clockid == CLOCK_MONOTONIC ||
	       clockid == CLOCK_BOOTTIME || clockid == CLOCK_TAI;
}

static ktime_t ckpt_clock_now(clockid_t clockid)
{
	switch (clockid) {
	case CLOCK_REALTIME:
		return ktime_get_real();
	case CLOCK_BOOTTIME:
		return ktime_get_boottime();
	case CLOCK_TAI:
		return ktime_get_clocktai();
	default:
		return ktime_get();
	}
}

/* Continues a restored sleep: expires holds the time left, not a date */
static long rstr_nanosleep_restart(struct restart_block *restart)
{
	return hrtimer_nanosleep(restart->nanosleep.expires, HRTIMER_MODE_REL,
				 restart->nanosleep.clockid);
}

/**
 * ckpt_save_nanosleep - save a task's sleep in progress
 * @rb: the task's restart block
 * @sleep: where to
 * @nr: the system call the restart block continues
 *
 * Called for a parked (or stopped) task that left system call @nr with
 * -ERESTART_RESTARTBLOCK.
 *
 * Return: true if the sleep is saved, false if the call is to be
 * re-issued from the start.
 */
bool ckpt_save_nanosleep(struct restart_block *rb,
			 struct ckpt_nanosleep *sleep, long nr)
{
	s64 left;

	if (nr != __NR_nanosleep && nr != __NR_clock_nanosleep)
		return false;
	if (!ckpt_sleep_clock(rb->nanosleep.clockid) ||
	    (rb->nanosleep.type != TT_NONE && rb->nanosleep.type != TT_NATIVE))
		return false;
	if (rb->fn == rstr_nanosleep_restart)	/* restored, not resumed yet */
		left = rb->nanosleep.expires;
	else
		left = rb->nanosleep.expires -
		       ckpt_clock_now(rb->nanosleep.clockid);
	sleep->saved = true;
	sleep->clockid = rb->nanosleep.clockid;
	sleep->ns = max_t(s64, left, 0);
	sleep->rmtp_set = rb->nanosleep.type == TT_NATIVE;
	sleep->rmtp = sleep->rmtp_set ? (unsigned long)rb->nanosleep.rmtp : 0;
	return true;
}

/**
 * ckpt_poll_time_left - the timeout left to a poll() in progress
 * @rb: the task's restart block
 * @nr: the system call the restart block continues
 * @ms: returns the time left, in milliseconds rounded up
 *
 * Return: true if @nr is poll() with a timeout: it is to be re-issued
 * with *@ms as its timeout.
 */
bool ckpt_poll_time_left(struct restart_block *rb, long nr, long *ms)
{
	struct timespec64 end, now;
	s64 left;

	if (nr != __NR_poll || !rb->poll.has_timeout)
		return false;
	end.tv_sec = rb->poll.tv_sec;
	end.tv_nsec = rb->poll.tv_nsec;
	ktime_get_ts64(&now);
	left = timespec64_to_ns(&end) - timespec64_to_ns(&now);
	*ms = left > 0 ? min_t(s64, DIV_ROUND_UP_ULL(left, NSEC_PER_MSEC),
			       INT_MAX) : 0;
	return true;
}

/**
 * rstr_nanosleep_ok - check the sleep fields of a TASK record
 * @h: the record
 *
 * Return: true if they are valid (or unused and zero).
 */
bool rstr_nanosleep_ok(const struct ckpt_hdr_task *h)
{
	if (!(h->flags & CKPT_TASK_NANOSLEEP))
		return !h->sleep_clockid && !h->sleep_rmtp_set && !h->sleep_ns &&
		       !h->sleep_rmtp;
	return ckpt_sleep_clock(h->sleep_clockid) && h->sleep_ns >= 0 &&
	       h->sleep_rmtp_set <= 1 && h->sleep_rmtp < TASK_SIZE_MAX &&
	       (h->sleep_rmtp_set || !h->sleep_rmtp);
}

/**
 * rstr_set_restart_block - give the current task its restart block
 * @h: its TASK record, checked
 *
 * A task restored in a sleep continues it for the time it had left; any
 * other gets a block that fails with -EINTR, never the restarter's.
 */
void rstr_set_restart_block(const struct ckpt_hdr_task *h)
{
	struct restart_block *rb = &current->restart_block;

	if (!(h->flags & CKPT_TASK_NANOSLEEP)) {
		rb->fn = do_no_restart_syscall;
		return;
	}
	rb->nanosleep.clockid = h->sleep_clockid;
	rb->nanosleep.expires = h->sleep_ns;
	rb->nanosleep.type = h->sleep_rmtp_set ? TT_NATIVE : TT_NONE;
	rb->nanosleep.rmtp = (struct __kernel_timespec __user *)
			     (unsigned long)h->sleep_rmtp;
	set_restart_fn(rb, rstr_nanosleep_restart);
}
