// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: interval timers.
 *
 * The three timers of setitimer() are saved with their time left and
 * their interval, as getitimer() reports them: ITIMER_REAL in real time,
 * ITIMER_VIRTUAL and ITIMER_PROF in the process's CPU time.  A restored
 * process arms them again for the time they had left, counted from its
 * restart: the time between checkpoint and restart does not count, as
 * for a stopped process's CPU timers.  POSIX timers are not saved yet.
 */
#include <linux/checkpoint.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/posix-timers.h>
#include <linux/sched/cputime.h>
#include <linux/sched/signal.h>
#include <linux/time64.h>

/* Longest time left or interval restored: a century */
#define RSTR_ITIMER_MAX_NS	(100LL * 365 * 24 * 3600 * NSEC_PER_SEC)

static void ckpt_get_real_itimer(struct signal_struct *sig,
				 struct ckpt_itimer *it)
{
	ktime_t left;

	if (!hrtimer_active(&sig->real_timer))
		return;
	/* About to fire: as getitimer(), report a little time left */
	left = hrtimer_get_remaining(&sig->real_timer);
	it->value_ns = left > 0 ? ktime_to_ns(left) : NSEC_PER_USEC;
	it->interval_ns = ktime_to_ns(sig->it_real_incr);
}

#ifdef CONFIG_POSIX_TIMERS
static void ckpt_get_cpu_itimer(struct task_struct *t, int clock,
				struct ckpt_itimer *it)
{
	struct cpu_itimer *cit = &t->signal->it[clock];
	u64 samples[CPUCLOCK_MAX];

	if (!cit->expires)
		return;
	thread_group_sample_cputime(t, samples);
	it->value_ns = cit->expires > samples[clock] ?
		       cit->expires - samples[clock] : TICK_NSEC;
	it->interval_ns = cit->incr;
}

static void rstr_set_cpu_itimer(int clock, const struct ckpt_itimer *it)
{
	struct cpu_itimer *cit = &current->signal->it[clock];
	u64 val = it->value_ns;

	if (val) {
		/* As setitimer(): the timer fires after a full tick more */
		val += TICK_NSEC;
		set_process_cpu_timer(current, clock, &val, NULL);
	}
	cit->expires = val;
	cit->incr = it->interval_ns;
}
#else
static void ckpt_get_cpu_itimer(struct task_struct *t, int clock,
				struct ckpt_itimer *it)
{
}

static void rstr_set_cpu_itimer(int clock, const struct ckpt_itimer *it)
{
}
#endif

/**
 * ckpt_write_itimers - write the ITIMERS record of a process
 * @ctx: the checkpoint context
 * @t: its parked thread group leader
 *
 * Return: 0 or -errno.
 */
int ckpt_write_itimers(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_hdr_itimers h = {};
	unsigned long flags;

	if (!lock_task_sighand(t, &flags))
		return ckpt_err(ctx, -ESRCH, "pid %d exited", task_pid_vnr(t));
	ckpt_get_real_itimer(t->signal, &h.it[CKPT_ITIMER_REAL]);
	ckpt_get_cpu_itimer(t, CPUCLOCK_VIRT, &h.it[CKPT_ITIMER_VIRTUAL]);
	ckpt_get_cpu_itimer(t, CPUCLOCK_PROF, &h.it[CKPT_ITIMER_PROF]);
	unlock_task_sighand(t, &flags);
	return ckpt_write_obj(ctx, &h.h, CKPT_HDR_ITIMERS, sizeof(h));
}

/**
 * rstr_read_itimers - read and check the ITIMERS record of a process
 * @ctx: the restart context
 * @ct: the current task, a thread group leader; the timers are armed by
 *	rstr_set_itimers()
 *
 * Return: 0 or -errno.
 */
int rstr_read_itimers(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct ckpt_hdr_itimers *h = &ct->itimers;
	int i, ret;

	ret = ckpt_read_obj(ctx, CKPT_HDR_ITIMERS, &h->h, sizeof(*h));
	if (ret)
		return ret;
	for (i = 0; i < CKPT_NR_ITIMERS; i++) {
		const struct ckpt_itimer *it = &h->it[i];

		if (it->value_ns < 0 || it->value_ns > RSTR_ITIMER_MAX_NS ||
		    it->interval_ns < 0 ||
		    it->interval_ns > RSTR_ITIMER_MAX_NS ||
		    (!it->value_ns && it->interval_ns))
			return ckpt_err(ctx, -EBADMSG, "ITIMERS: invalid timer %d",
					i);
	}
	if (!IS_ENABLED(CONFIG_POSIX_TIMERS) &&
	    (h->it[CKPT_ITIMER_VIRTUAL].value_ns ||
	     h->it[CKPT_ITIMER_PROF].value_ns))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has a CPU-time interval timer: this kernel has no CONFIG_POSIX_TIMERS",
				ctx->task_rec.pid);
	return 0;
}

/**
 * rstr_set_itimers - arm the current process's interval timers
 * @ct: the current task, its ITIMERS record read
 *
 * Called last, so that the time left counts from the restart.
 */
void rstr_set_itimers(struct ckpt_task *ct)
{
	const struct ckpt_itimer *real = &ct->itimers.it[CKPT_ITIMER_REAL];
	struct signal_struct *sig = current->signal;

	spin_lock_irq(&current->sighand->siglock);
	/* A new process: its real timer was never armed */
	sig->it_real_incr = ns_to_ktime(real->interval_ns);
	if (real->value_ns)
		hrtimer_start(&sig->real_timer, ns_to_ktime(real->value_ns),
			      HRTIMER_MODE_REL);
	rstr_set_cpu_itimer(CPUCLOCK_VIRT, &ct->itimers.it[CKPT_ITIMER_VIRTUAL]);
	rstr_set_cpu_itimer(CPUCLOCK_PROF, &ct->itimers.it[CKPT_ITIMER_PROF]);
	spin_unlock_irq(&current->sighand->siglock);
}
