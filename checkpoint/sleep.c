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
 * restart aside.  A FUTEX_WAIT, whose timeout is relative too, is
 * continued in the same way: it waits for the time it had left, as a
 * FUTEX_WAIT_BITSET with a deadline computed when it continues; an
 * rt_sigtimedwait(), which leaves its deadline in the restart block when
 * interrupted, as well.  A
 * poll() is re-issued with the time it had left as its timeout.  Other
 * calls that continue through a restart block (a FUTEX_WAIT_BITSET,
 * whose deadline is absolute, sleeps on CPU-time clocks) are re-issued
 * with their arguments.
 */
#include <linux/checkpoint.h>
#include <linux/futex.h>
#include <linux/hrtimer.h>
#include <linux/restart_block.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/signal.h>
#include <linux/time.h>
#include <linux/timekeeping.h>
#include <asm/syscall.h>
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

/* Continues a restored FUTEX_WAIT: futex.time holds the time left */
static long rstr_futex_restart(struct restart_block *rb)
{
	u32 flags = rb->futex.flags;
	ktime_t deadline;

	deadline = ktime_add_safe(ckpt_clock_now(flags & FUTEX_CLOCK_REALTIME ?
						 CLOCK_REALTIME :
						 CLOCK_MONOTONIC),
				  rb->futex.time);
	rb->fn = do_no_restart_syscall;
	return do_futex(rb->futex.uaddr, FUTEX_WAIT_BITSET | flags,
			rb->futex.val, &deadline, NULL, 0,
			FUTEX_BITSET_MATCH_ANY);
}

/*
 * Continues a restored rt_sigtimedwait(): sigtimedwait.expires holds the
 * time left; the set and the siginfo are still its first arguments
 */
static long rstr_sigtimedwait_restart(struct restart_block *rb)
{
	unsigned long args[6];

	syscall_get_arguments(current, task_pt_regs(current), args);
	rb->sigtimedwait.uthese = (const void __user *)args[0];
	rb->sigtimedwait.uinfo = (void __user *)args[1];
	rb->sigtimedwait.expires = ktime_add_safe(ktime_get(),
						  rb->sigtimedwait.expires);
	set_restart_fn(rb, sigtimedwait_restart);
	return sigtimedwait_restart(rb);
}

/**
 * ckpt_save_sigtimedwait - save an rt_sigtimedwait() in progress
 * @rb: the task's restart block
 * @sleep: where to: its clock and its time left
 * @nr: the system call the restart block continues
 *
 * Called as ckpt_save_nanosleep() is.  The time left until the deadline
 * the call left in the restart block is saved, as a sleep's.
 *
 * Return: true if the wait is saved.
 */
bool ckpt_save_sigtimedwait(struct restart_block *rb,
			    struct ckpt_nanosleep *sleep, long nr)
{
	s64 left;

	if (nr != __NR_rt_sigtimedwait)
		return false;
	if (rb->fn == rstr_sigtimedwait_restart)	/* not resumed yet */
		left = rb->sigtimedwait.expires;
	else if (rb->fn == sigtimedwait_restart)
		left = rb->sigtimedwait.expires - ktime_get();
	else
		return false;
	sleep->sigwait = true;
	sleep->clockid = CLOCK_MONOTONIC;
	sleep->ns = max_t(s64, left, 0);
	return true;
}

/**
 * ckpt_save_futex_wait - save a FUTEX_WAIT in progress
 * @rb: the task's restart block
 * @sleep: where to: its clock, its time left and @sleep->futex
 * @nr: the system call the restart block continues
 * @op: its futex operation (second argument)
 *
 * Called as ckpt_save_nanosleep() is.  A FUTEX_WAIT's timeout is
 * relative: the time it has left is saved, as a sleep's.  Other waits
 * (FUTEX_WAIT_BITSET) have a deadline, which re-issuing the call keeps.
 *
 * Return: true if the wait is saved, false if the call is to be re-issued
 * from the start.
 */
bool ckpt_save_futex_wait(struct restart_block *rb,
			  struct ckpt_nanosleep *sleep, long nr,
			  unsigned long op)
{
	clockid_t clockid;
	s64 left;

	if (nr != __NR_futex || (op & FUTEX_CMD_MASK) != FUTEX_WAIT)
		return false;
	clockid = op & FUTEX_CLOCK_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC;
	if (rb->fn == rstr_futex_restart)	/* restored, not resumed yet */
		left = rb->futex.time;
	else
		left = rb->futex.time - ckpt_clock_now(clockid);
	sleep->clockid = clockid;
	sleep->ns = max_t(s64, left, 0);
	sleep->futex.saved = true;
	sleep->futex.private = op & FUTEX_PRIVATE_FLAG;
	sleep->futex.uaddr = (unsigned long)rb->futex.uaddr;
	sleep->futex.val = rb->futex.val;
	return true;
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
 * rstr_nanosleep_ok - check the sleep and futex wait fields of a TASK record
 * @h: the record
 *
 * Return: true if they are valid (or unused and zero).
 */
bool rstr_nanosleep_ok(const struct ckpt_hdr_task *h)
{
	if (h->flags & CKPT_TASK_SIGTIMEDWAIT)
		return !(h->flags & (CKPT_TASK_NANOSLEEP | CKPT_TASK_FUTEX_WAIT)) &&
		       h->sleep_clockid == CLOCK_MONOTONIC && h->sleep_ns >= 0 &&
		       !h->sleep_rmtp_set && !h->sleep_rmtp && !h->futex_flags &&
		       !h->futex_uaddr && !h->futex_val;
	if (!(h->flags & CKPT_TASK_FUTEX_WAIT) &&
	    (h->futex_flags || h->futex_uaddr || h->futex_val))
		return false;
	if (h->flags & CKPT_TASK_FUTEX_WAIT)
		return !(h->flags & CKPT_TASK_NANOSLEEP) &&
		       (h->sleep_clockid == CLOCK_MONOTONIC ||
			h->sleep_clockid == CLOCK_REALTIME) &&
		       h->sleep_ns >= 0 && !h->sleep_rmtp_set &&
		       !h->sleep_rmtp && !(h->futex_flags & ~CKPT_FUTEX_PRIVATE) &&
		       h->futex_uaddr < TASK_SIZE_MAX &&
		       IS_ALIGNED(h->futex_uaddr, sizeof(u32));
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
 * A task restored in a sleep, a FUTEX_WAIT or an rt_sigtimedwait()
 * continues it for the time it had left; any other gets a block that
 * fails with -EINTR, never the restarter's.
 */
void rstr_set_restart_block(const struct ckpt_hdr_task *h)
{
	struct restart_block *rb = &current->restart_block;

	if (h->flags & CKPT_TASK_SIGTIMEDWAIT) {
		rb->sigtimedwait.expires = h->sleep_ns;
		set_restart_fn(rb, rstr_sigtimedwait_restart);
		return;
	}
	if (h->flags & CKPT_TASK_FUTEX_WAIT) {
		rb->futex.uaddr = (u32 __user *)(unsigned long)h->futex_uaddr;
		rb->futex.val = h->futex_val;
		rb->futex.time = h->sleep_ns;
		rb->futex.flags =
			(h->futex_flags & CKPT_FUTEX_PRIVATE ? FUTEX_PRIVATE_FLAG : 0) |
			(h->sleep_clockid == CLOCK_REALTIME ? FUTEX_CLOCK_REALTIME : 0);
		set_restart_fn(rb, rstr_futex_restart);
		return;
	}
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
