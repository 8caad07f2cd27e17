// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: POSIX timers.
 *
 * The timers a process created with timer_create() on an hrtimer clock
 * (CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_TAI) are saved
 * with their id, clock, notification (signal, value, target thread),
 * overrun count and setting: time left and interval.  A restored
 * process creates them again with their ids, last, and arms them for the
 * time they had left, counted from the restart.  Timers on CPU-time or
 * alarm clocks are refused.
 *
 * A timer that expired and whose signal is still pending has that
 * signal saved with it (CKPT_TIMER_SIGPENDING), not in the pending
 * queues: the restored timer gets it back as its own, queued before the
 * other pending signals of the process, so that it stays queued once,
 * further expiries count as its overrun, and a periodic timer is armed
 * again, from the restart on, when it is delivered.
 */
#include <linux/checkpoint.h>
#include <linux/hrtimer.h>
#include <linux/posix-timers.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/time64.h>

#ifdef CONFIG_POSIX_TIMERS

#define CKPT_SIGEV_KNOWN	(SIGEV_SIGNAL | SIGEV_NONE | SIGEV_THREAD_ID)

static bool ckpt_timer_clock_ok(clockid_t clock)
{
	return clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC ||
	       clock == CLOCK_BOOTTIME || clock == CLOCK_TAI;
}

/* One timer, siglock held: its setting as timer_gettime() reports it */
static bool ckpt_fill_timer(struct ckpt_ctx *ctx, struct k_itimer *timr,
			    struct ckpt_posix_timer *e)
{
	struct hrtimer *hrt = &timr->it.real.timer;
	ktime_t left;

	if (!ckpt_timer_clock_ok(timr->it_clock))
		return false;
	e->id = timr->it_id;
	e->clockid = timr->it_clock;
	e->notify = timr->it_sigev_notify;
	e->signo = timr->sigq->info.si_signo;
	e->value = (unsigned long)timr->sigq->info.si_value.sival_ptr;
	e->tid = timr->it_sigev_notify & SIGEV_THREAD_ID ?
		 pid_nr_ns(timr->it_pid, ctx->pidns) : 0;
	e->overrun = clamp_t(s64, READ_ONCE(timr->it_overrun_last), 0, INT_MAX);
	e->interval_ns = ktime_to_ns(timr->it_interval);
	if (!list_empty(&timr->sigq->list)) {
		e->flags |= CKPT_TIMER_SIGPENDING;
		e->sig_overrun = max(timr->sigq->info.si_overrun, 0);
	}
	if (timr->it_sigev_notify == SIGEV_NONE) {
		/* Never started: only its expiry time is set */
		left = ktime_sub(hrtimer_get_expires(hrt),
				 hrtimer_cb_get_time(hrt));
		/* A periodic one is never forwarded: its next period */
		if (left <= 0 && e->interval_ns)
			left = e->interval_ns - (-left % e->interval_ns);
		e->value_ns = left > 0 ? ktime_to_ns(left) : 0;
	} else if (hrtimer_active(hrt)) {
		left = hrtimer_get_remaining(hrt);
		e->value_ns = left > 0 ? ktime_to_ns(left) : 1;
	} else if (e->interval_ns && !(e->flags & CKPT_TIMER_SIGPENDING)) {
		/* Its signal was ignored: it expires again after a period */
		e->value_ns = e->interval_ns;
	}
	/* With its signal pending, a periodic timer is re-armed later */
	if (!e->value_ns && !(e->flags & CKPT_TIMER_SIGPENDING))
		e->interval_ns = 0;
	return true;
}

/**
 * ckpt_check_posix_timers - refuse POSIX timers that are not saved
 * @ctx: the checkpoint context
 * @t: a parked thread group leader
 *
 * Return: 0 or -EOPNOTSUPP naming the process and the clock.
 */
int ckpt_check_posix_timers(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct k_itimer *timr;
	unsigned long flags;
	clockid_t bad = -1;

	if (!lock_task_sighand(t, &flags))
		return ckpt_err(ctx, -ESRCH, "pid %d exited", task_pid_vnr(t));
	list_for_each_entry(timr, &t->signal->posix_timers, list)
		if (!ckpt_timer_clock_ok(timr->it_clock))
			bad = timr->it_clock;
	unlock_task_sighand(t, &flags);
	if (bad == -1)
		return 0;
	return ckpt_err(ctx, -EOPNOTSUPP,
			"pid %d has a POSIX timer on clock %d (a CPU-time or alarm clock): not supported yet",
			task_pid_vnr(t), bad);
}

/* Copy the timers into @out (room for @max), siglock held; their number */
static int ckpt_snapshot_timers(struct ckpt_ctx *ctx, struct task_struct *t,
				struct ckpt_posix_timer *out, unsigned int max,
				clockid_t *bad)
{
	struct k_itimer *timr;
	unsigned int n = 0;

	list_for_each_entry(timr, &t->signal->posix_timers, list) {
		if (n < max && !ckpt_fill_timer(ctx, timr, &out[n]))
			*bad = timr->it_clock;
		n++;
	}
	return n;
}

/**
 * ckpt_write_posix_timers - write the POSIX_TIMERS record of a process
 * @ctx: the checkpoint context
 * @t: its parked thread group leader
 *
 * Return: 0, -EOPNOTSUPP for a timer on another clock, or -errno.
 */
int ckpt_write_posix_timers(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_hdr_posix_timers h = {};
	struct ckpt_posix_timer *timers = NULL;
	unsigned int n, max = 0;
	clockid_t bad = -1;
	unsigned long flags;
	int ret;

	for (;;) {
		if (!lock_task_sighand(t, &flags)) {
			ret = ckpt_err(ctx, -ESRCH, "pid %d exited",
				       task_pid_vnr(t));
			goto out;
		}
		n = ckpt_snapshot_timers(ctx, t, timers, max, &bad);
		unlock_task_sighand(t, &flags);
		if (n <= max)
			break;
		if (n > CKPT_MAX_POSIX_TIMERS) {
			ret = ckpt_err(ctx, -EOPNOTSUPP,
				       "pid %d has %u POSIX timers (at most %d are saved)",
				       task_pid_vnr(t), n, CKPT_MAX_POSIX_TIMERS);
			goto out;
		}
		kvfree(timers);
		max = n;
		timers = kvcalloc(max ?: 1, sizeof(*timers), GFP_KERNEL);
		if (!timers)
			return -ENOMEM;
	}
	if (bad != -1) {
		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "pid %d has a POSIX timer on clock %d (a CPU-time or alarm clock): not supported yet",
			       task_pid_vnr(t), bad);
		goto out;
	}
	h.nr = n;
	ret = ckpt_write_obj_payload(ctx, &h.h, CKPT_HDR_POSIX_TIMERS,
				     sizeof(h), timers, n * sizeof(*timers));
out:
	kvfree(timers);
	return ret;
}

static bool rstr_timer_ok(const struct ckpt_posix_timer *e)
{
	int notify = e->notify & ~SIGEV_THREAD_ID;
	bool pending = e->flags & CKPT_TIMER_SIGPENDING;

	if (e->id < 0 || !ckpt_timer_clock_ok(e->clockid) ||
	    e->notify & ~CKPT_SIGEV_KNOWN || e->overrun < 0 ||
	    e->value_ns < 0 || e->interval_ns < 0 ||
	    (!e->value_ns && e->interval_ns && !pending) ||
	    e->flags & ~CKPT_TIMER_SIGPENDING || e->sig_overrun < 0 ||
	    (!pending && e->sig_overrun))
		return false;
	if (notify != SIGEV_SIGNAL && notify != SIGEV_NONE)
		return false;
	if (pending && notify != SIGEV_SIGNAL)
		return false;
	if (notify == SIGEV_SIGNAL && (e->signo < 1 || e->signo > _NSIG))
		return false;
	return (e->notify & SIGEV_THREAD_ID) ? e->tid > 0 : !e->tid;
}

/**
 * rstr_read_posix_timers - read and check the POSIX_TIMERS record
 * @ctx: the restart context
 * @ct: the current task, a thread group leader; the timers are created
 *	by rstr_set_posix_timers()
 *
 * Return: 0 or -errno.
 */
int rstr_read_posix_timers(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	const size_t max = CKPT_MAX_POSIX_TIMERS *
			   sizeof(struct ckpt_posix_timer);
	struct ckpt_hdr_posix_timers h;
	struct ckpt_posix_timer *e;
	unsigned int i, j;
	size_t plen;
	int ret;

	ret = ckpt_read_obj_payload_alloc(ctx, CKPT_HDR_POSIX_TIMERS, &h.h,
					  sizeof(h), max, (void **)&e, &plen);
	if (!ret && (h.reserved || h.nr > CKPT_MAX_POSIX_TIMERS ||
		     plen != h.nr * sizeof(*e)))
		ret = ckpt_err(ctx, -EBADMSG, "malformed POSIX_TIMERS record");
	for (i = 0; !ret && i < h.nr; i++) {
		if (!rstr_timer_ok(&e[i]))
			ret = ckpt_err(ctx, -EBADMSG,
				       "POSIX_TIMERS: invalid timer %d", e[i].id);
		for (j = 0; !ret && j < i; j++)
			if (e[j].id == e[i].id)
				ret = ckpt_err(ctx, -EBADMSG,
					       "POSIX_TIMERS: timer %d twice",
					       e[i].id);
	}
	if (ret) {
		kvfree(e);
		return ret;
	}
	ct->timers = e;
	ct->nr_timers = h.nr;
	return 0;
}

/* The newest timer of the current process: the one just created */
static struct k_itimer *rstr_newest_timer(void)
{
	struct k_itimer *timr;

	spin_lock_irq(&current->sighand->siglock);
	timr = list_first_entry_or_null(&current->signal->posix_timers,
					struct k_itimer, list);
	spin_unlock_irq(&current->sighand->siglock);
	return timr;
}

static int rstr_create_timer(struct ckpt_ctx *ctx,
			     const struct ckpt_posix_timer *e)
{
	struct itimerspec64 spec = {};
	struct sigevent ev = {};
	struct k_itimer *timr;
	int ret;

	ev.sigev_notify = e->notify;
	ev.sigev_signo = e->signo;
	ev.sigev_value.sival_ptr = (void __user *)(unsigned long)e->value;
	ev.sigev_notify_thread_id = e->tid;
	/* The process is new: ids are free, this one is used next */
	WRITE_ONCE(current->signal->next_posix_timer_id, e->id);
	ret = kernel_timer_create(e->clockid, &ev);
	if (ret)
		return ckpt_err(ctx, ret,
				"pid %d: creating POSIX timer %d failed: error %d",
				ctx->task_rec.pid, e->id, ret);
	timr = rstr_newest_timer();
	if (!timr || timr->it_id != e->id)
		return ckpt_err(ctx, -EBUSY,
				"pid %d: POSIX timer %d got another id",
				ctx->task_rec.pid, e->id);
	/* Not armed yet: nothing else touches it */
	timr->it_overrun_last = e->overrun;
	/* Expired, its signal pending: as if it had just expired */
	if (e->flags & CKPT_TIMER_SIGPENDING) {
		ret = posixtimer_queue_restored(e->id, e->interval_ns,
						e->sig_overrun);
		if (ret)
			return ckpt_err(ctx, ret,
					"pid %d: queueing the signal of POSIX timer %d failed: error %d",
					ctx->task_rec.pid, e->id, ret);
	}
	if (!e->value_ns)
		return 0;
	spec.it_value = ns_to_timespec64(e->value_ns);
	spec.it_interval = ns_to_timespec64(e->interval_ns);
	ret = do_timer_settime(e->id, 0, &spec, NULL);
	if (ret)
		return ckpt_err(ctx, ret,
				"pid %d: arming POSIX timer %d failed: error %d",
				ctx->task_rec.pid, e->id, ret);
	return 0;
}

/**
 * rstr_set_posix_timers - create the current process's POSIX timers
 * @ctx: the restart context
 * @ct: the current task, a group leader whose threads exist
 *
 * Return: 0 or -errno.
 */
int rstr_set_posix_timers(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < ct->nr_timers; i++)
		ret = rstr_create_timer(ctx, &ct->timers[i]);
	return ret;
}

#else /* !CONFIG_POSIX_TIMERS */

int ckpt_check_posix_timers(struct ckpt_ctx *ctx, struct task_struct *t)
{
	return 0;
}

int ckpt_write_posix_timers(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_hdr_posix_timers h = {};

	return ckpt_write_obj(ctx, &h.h, CKPT_HDR_POSIX_TIMERS, sizeof(h));
}

int rstr_read_posix_timers(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct ckpt_hdr_posix_timers h;
	int ret;

	ret = ckpt_read_obj(ctx, CKPT_HDR_POSIX_TIMERS, &h.h, sizeof(h));
	if (!ret && (h.nr || h.reserved))
		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "pid %d has POSIX timers: this kernel has no CONFIG_POSIX_TIMERS",
			       ctx->task_rec.pid);
	return ret;
}

int rstr_set_posix_timers(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	return 0;
}

#endif /* CONFIG_POSIX_TIMERS */
