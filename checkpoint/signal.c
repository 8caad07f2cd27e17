// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: signal handlers, masks, the alternate signal stack
 * and resource limits.
 */
#include <linux/checkpoint.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/signal_types.h>
#include <linux/slab.h>

/* Would @sig, pending and not blocked, kill the task as it resumes? */
static bool ckpt_sig_kills(struct task_struct *t, int sig)
{
	void __user *handler = t->sighand->action[sig - 1].sa.sa_handler;

	if (sig == SIGKILL)
		return true;
	return handler == SIG_DFL && !sig_kernel_ignore(sig) &&
	       !sig_kernel_stop(sig);
}

/**
 * ckpt_check_signals - refuse a task that a pending signal kills
 * @ctx: the checkpoint context
 * @t: the parked task
 *
 * Pending signals are saved, but one that kills the task as soon as it
 * resumes would kill it during the restart: -EAGAIN, the task is dying.
 *
 * Return: 0 or -EAGAIN.
 */
int ckpt_check_signals(struct ckpt_ctx *ctx, struct task_struct *t)
{
	unsigned long flags;
	sigset_t pending;
	int sig, dying = 0;

	if (!lock_task_sighand(t, &flags))
		return ckpt_err(ctx, -ESRCH, "pid %d exited", task_pid_vnr(t));
	sigorsets(&pending, &t->pending.signal,
		  &t->signal->shared_pending.signal);
	for (sig = 1; sig <= _NSIG && !dying; sig++)
		if (sigismember(&pending, sig) &&
		    !sigismember(&t->blocked, sig) && ckpt_sig_kills(t, sig))
			dying = sig;
	unlock_task_sighand(t, &flags);
	if (dying)
		return ckpt_err(ctx, -EAGAIN,
				"pid %d is being killed by signal %d: try again",
				task_pid_vnr(t), dying);
	return 0;
}

static void ckpt_fill_siginfo(struct ckpt_siginfo *e,
			      const kernel_siginfo_t *info)
{
	BUILD_BUG_ON(sizeof(info->_sifields) != sizeof(e->fields));
	e->signo = info->si_signo;
	e->err = info->si_errno;
	e->code = info->si_code;
	e->reserved = 0;
	memcpy(e->fields, &info->_sifields, sizeof(e->fields));
}

/*
 * Copy a queue into @out (room for @max), siglock held.  A pending signal
 * without a queue entry gets the siginfo that dequeueing it would give.
 * Returns the number of signals pending.
 */
static unsigned int ckpt_snapshot_queue(struct sigpending *p,
					struct ckpt_siginfo *out,
					unsigned int max)
{
	kernel_siginfo_t info;
	struct sigqueue *q;
	unsigned int n = 0;
	sigset_t queued;
	int sig;

	sigemptyset(&queued);
	list_for_each_entry(q, &p->list, list) {
		sigaddset(&queued, q->info.si_signo);
		/* A POSIX timer's own: saved with the timer */
		if (q->flags & SIGQUEUE_PREALLOC)
			continue;
		if (n < max)
			ckpt_fill_siginfo(&out[n], &q->info);
		n++;
	}
	for (sig = 1; sig <= _NSIG; sig++) {
		if (!sigismember(&p->signal, sig) || sigismember(&queued, sig))
			continue;
		if (n < max) {
			clear_siginfo(&info);
			info.si_signo = sig;
			info.si_code = SI_USER;
			ckpt_fill_siginfo(&out[n], &info);
		}
		n++;
	}
	return n;
}

static int ckpt_write_sigpending(struct ckpt_ctx *ctx, struct task_struct *t,
				 bool shared)
{
	struct ckpt_hdr_sigpending h = {};
	struct ckpt_siginfo *info = NULL;
	unsigned int n = 0, max = 0;
	unsigned long flags;
	int ret;

	for (;;) {
		if (!lock_task_sighand(t, &flags)) {
			ret = ckpt_err(ctx, -ESRCH, "pid %d exited",
				       task_pid_vnr(t));
			goto out;
		}
		n = ckpt_snapshot_queue(shared ? &t->signal->shared_pending :
					&t->pending, info, max);
		unlock_task_sighand(t, &flags);
		if (n <= max)
			break;
		if (n > CKPT_MAX_SIGPENDING) {
			ret = ckpt_err(ctx, -EOPNOTSUPP,
				       "pid %d has %u pending signals (at most %d are saved)",
				       task_pid_vnr(t), n, CKPT_MAX_SIGPENDING);
			goto out;
		}
		/* Signals sent from outside meanwhile: room for a few more */
		kvfree(info);
		max = n + 8;
		info = kvmalloc_array(max, sizeof(*info), GFP_KERNEL);
		if (!info)
			return -ENOMEM;
	}
	h.shared = shared;
	h.nr = n;
	ret = ckpt_write_obj_payload(ctx, &h.h, CKPT_HDR_SIGPENDING, sizeof(h),
				     info, n * sizeof(*info));
out:
	kvfree(info);
	return ret;
}

/**
 * ckpt_write_sighand - write the SIGHAND record: the signal actions
 * @ctx: the checkpoint context
 * @t: the task
 *
 * Return: 0 or -errno.
 */
int ckpt_write_sighand(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct sighand_struct *sighand;
	struct ckpt_hdr_sighand *h;
	unsigned long flags;
	int i, ret;

	BUILD_BUG_ON(_NSIG != CKPT_NSIG);
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	sighand = lock_task_sighand(t, &flags);
	if (!sighand) {
		kfree(h);
		return ckpt_err(ctx, -ESRCH, "pid %d exited", task_pid_vnr(t));
	}
	h->ref = ckpt_obj_lookup(ctx, sighand, CKPT_OBJ_SIGHAND);
	for (i = 0; i < _NSIG; i++) {
		const struct sigaction *sa = &t->sighand->action[i].sa;

		h->action[i].handler = (unsigned long)sa->sa_handler;
		h->action[i].flags = sa->sa_flags & UAPI_SA_FLAGS;
		h->action[i].restorer = (unsigned long)sa->sa_restorer;
		h->action[i].mask = sa->sa_mask.sig[0];
	}
	unlock_task_sighand(t, &flags);
	ret = ckpt_write_obj(ctx, &h->h, CKPT_HDR_SIGHAND, sizeof(*h));
	kfree(h);
	return ret;
}

static int rstr_set_action(struct ckpt_ctx *ctx, int sig,
			   const struct ckpt_sigaction *a)
{
	struct k_sigaction ka = {};

	if (a->flags & ~(u64)UAPI_SA_FLAGS ||
	    a->handler >= TASK_SIZE_MAX || a->restorer >= TASK_SIZE_MAX)
		return ckpt_err(ctx, -EBADMSG, "SIGHAND: invalid action for signal %d",
				sig);
	if (sig_kernel_only(sig)) {
		if (a->handler || a->flags || a->restorer || a->mask)
			return ckpt_err(ctx, -EBADMSG,
					"SIGHAND: signal %d cannot have an action",
					sig);
		return 0;
	}
	ka.sa.sa_handler = (__sighandler_t)(unsigned long)a->handler;
	ka.sa.sa_flags = a->flags;
	ka.sa.sa_restorer = (__sigrestore_t)(unsigned long)a->restorer;
	ka.sa.sa_mask.sig[0] = a->mask;
	return do_sigaction(sig, &ka, NULL);
}

/**
 * rstr_read_sighand - restore the signal actions of the current task
 * @ctx: the restart context
 *
 * Return: 0 or -errno.
 */
int rstr_read_sighand(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_sighand *h;
	int i, ret;

	h = kmalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	ret = ckpt_read_obj(ctx, CKPT_HDR_SIGHAND, &h->h, sizeof(*h));
	if (!ret && (h->ref != ctx->task_rec.sighand_ref || h->reserved))
		ret = ckpt_err(ctx, -EBADMSG, "SIGHAND: unexpected ref %u",
			       h->ref);
	for (i = 0; !ret && i < _NSIG; i++)
		ret = rstr_set_action(ctx, i + 1, &h->action[i]);
	kfree(h);
	return ret;
}

/**
 * ckpt_write_signal - write the SIGNAL, SIGPENDING and timers records
 * @ctx: the checkpoint context
 * @ct: the task, its blocked mask saved when it parked
 *
 * The SIGNAL record holds the masks, the altstack and the rlimits.
 *
 * Return: 0 or -errno.
 */
int ckpt_write_signal(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct task_struct *t = ct->task;
	struct ckpt_hdr_signal h = {};
	int i, ret;

	BUILD_BUG_ON(RLIM_NLIMITS != CKPT_RLIM_NLIMITS);
	h.blocked = ct->blocked.sig[0];
	h.sas_ss_sp = t->sas_ss_sp;
	h.sas_ss_size = t->sas_ss_size;
	h.sas_ss_flags = t->sas_ss_flags;
	h.nr_rlimits = RLIM_NLIMITS;
	task_lock(t->group_leader);
	for (i = 0; i < RLIM_NLIMITS; i++) {
		h.rlim[i].cur = t->signal->rlim[i].rlim_cur;
		h.rlim[i].max = t->signal->rlim[i].rlim_max;
	}
	task_unlock(t->group_leader);
	ret = ckpt_ctty_ref(ctx, t, &h.ctty_ref, &h.ctty_flags);
	if (!ret)
		ret = ckpt_write_obj(ctx, &h.h, CKPT_HDR_SIGNAL, sizeof(h));
	if (!ret)
		ret = ckpt_write_sigpending(ctx, t, false);
	if (!ret && thread_group_leader(t))
		ret = ckpt_write_sigpending(ctx, t, true);
	if (!ret && thread_group_leader(t))
		ret = ckpt_write_itimers(ctx, t);
	if (!ret && thread_group_leader(t))
		ret = ckpt_write_posix_timers(ctx, t);
	return ret;
}

/* The controlling terminal: set by the restarter once the tree is whole */
static int rstr_check_ctty(struct ckpt_ctx *ctx,
			   const struct ckpt_hdr_signal *h)
{
	if (h->ctty_flags & ~(CKPT_CTTY_INHERIT | CKPT_CTTY_FOREGROUND) ||
	    (h->ctty_flags && !(h->ctty_flags & CKPT_CTTY_INHERIT)) ||
	    (h->ctty_flags && h->ctty_ref))
		return ckpt_err(ctx, -EBADMSG, "SIGNAL: invalid controlling terminal");
	if (h->ctty_ref && IS_ERR(rstr_obj_get(ctx, h->ctty_ref, CKPT_OBJ_PTY)))
		return -EBADMSG;
	/* A thread's is its process's: its leader created it */
	if (!thread_group_leader(current) &&
	    (h->ctty_ref != ctx->tasks[ctx->cur->creator].ctty_ref ||
	     h->ctty_flags != ctx->tasks[ctx->cur->creator].ctty_flags))
		return ckpt_err(ctx, -EBADMSG,
				"SIGNAL: a thread's controlling terminal is not its process's");
	ctx->cur->ctty_ref = h->ctty_ref;
	ctx->cur->ctty_flags = h->ctty_flags;
	return 0;
}

static int rstr_set_altstack(struct ckpt_ctx *ctx,
			     const struct ckpt_hdr_signal *h)
{
	if (h->sas_ss_flags & ~(SS_ONSTACK | SS_DISABLE | SS_FLAG_BITS) ||
	    h->sas_ss_sp >= TASK_SIZE_MAX ||
	    h->sas_ss_size > TASK_SIZE_MAX - h->sas_ss_sp)
		return ckpt_err(ctx, -EBADMSG, "SIGNAL: invalid sigaltstack");
	current->sas_ss_sp = h->sas_ss_sp;
	current->sas_ss_size = h->sas_ss_size;
	current->sas_ss_flags = h->sas_ss_flags;
	return 0;
}

static int rstr_set_rlimits(struct ckpt_ctx *ctx,
			    const struct ckpt_hdr_signal *h)
{
	struct rlimit r;
	int i, ret;

	for (i = 0; i < RLIM_NLIMITS; i++) {
		r.rlim_cur = h->rlim[i].cur;
		r.rlim_max = h->rlim[i].max;
		if (r.rlim_cur > r.rlim_max)
			return ckpt_err(ctx, -EBADMSG,
					"SIGNAL: rlimit %d: soft limit above hard limit",
					i);
		ret = do_prlimit(current, i, &r, NULL);
		if (ret)
			return ckpt_err(ctx, ret,
					"pid %d: setting rlimit %d to %llu/%llu failed: error %d",
					ctx->task_rec.pid, i, h->rlim[i].cur,
					h->rlim[i].max, ret);
	}
	return 0;
}

static int rstr_queue_signal(struct ckpt_ctx *ctx,
			     const struct ckpt_siginfo *e, bool shared)
{
	kernel_siginfo_t info;
	int ret;

	clear_siginfo(&info);
	info.si_signo = e->signo;
	info.si_errno = e->err;
	info.si_code = e->code;
	memcpy(&info._sifields, e->fields, sizeof(e->fields));
	/* As if the task queued it to itself, which any task may do */
	spin_lock_irq(&current->sighand->siglock);
	ret = send_signal_locked(e->signo, &info, current,
				 shared ? PIDTYPE_TGID : PIDTYPE_PID);
	spin_unlock_irq(&current->sighand->siglock);
	if (ret)
		return ckpt_err(ctx, ret,
				"pid %d: queueing signal %d failed: error %d",
				ctx->task_rec.pid, e->signo, ret);
	return 0;
}

static int rstr_check_sigpending(struct ckpt_ctx *ctx,
				 const struct ckpt_hdr_sigpending *h,
				 const struct ckpt_siginfo *info, size_t plen,
				 bool shared)
{
	unsigned int i;

	if (h->shared != shared || h->nr > CKPT_MAX_SIGPENDING ||
	    plen != h->nr * sizeof(*info))
		return ckpt_err(ctx, -EBADMSG, "malformed SIGPENDING record");
	for (i = 0; i < h->nr; i++)
		if (info[i].signo < 1 || info[i].signo > _NSIG ||
		    info[i].reserved)
			return ckpt_err(ctx, -EBADMSG,
					"SIGPENDING: invalid signal %d",
					info[i].signo);
	return 0;
}

/* Read a SIGPENDING record into ct->sigq[@shared], queued later */
static int rstr_read_sigpending(struct ckpt_ctx *ctx, struct ckpt_task *ct,
				bool shared)
{
	const size_t max = CKPT_MAX_SIGPENDING * sizeof(struct ckpt_siginfo);
	struct ckpt_hdr_sigpending h;
	void *info;
	size_t plen;
	int ret;

	ret = ckpt_read_obj_payload_alloc(ctx, CKPT_HDR_SIGPENDING, &h.h,
					  sizeof(h), max, &info, &plen);
	if (!ret)
		ret = rstr_check_sigpending(ctx, &h, info, plen, shared);
	if (ret) {
		kvfree(info);
		return ret;
	}
	ct->sigq[shared] = info;
	ct->nr_sigq[shared] = h.nr;
	return 0;
}

/**
 * rstr_queue_signals - queue the pending signals read earlier
 * @ctx: the restart context
 * @ct: the current task, the tasks it creates created (a task with a
 *	pending signal cannot fork)
 *
 * Return: 0 or -errno.
 */
int rstr_queue_signals(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	unsigned int i;
	int k, ret = 0;

	for (k = 0; k < 2; k++)
		for (i = 0; !ret && i < ct->nr_sigq[k]; i++)
			ret = rstr_queue_signal(ctx, &ct->sigq[k][i], k);
	return ret;
}

/**
 * rstr_read_signal - restore masks, altstack, rlimits; read pending signals
 *	and interval timers
 * @ctx: the restart context
 *
 * Return: 0 or -errno.
 */
int rstr_read_signal(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_signal h;
	sigset_t blocked;
	int ret;

	ret = ckpt_read_obj(ctx, CKPT_HDR_SIGNAL, &h.h, sizeof(h));
	if (ret)
		return ret;
	if (h.nr_rlimits != CKPT_RLIM_NLIMITS)
		return ckpt_err(ctx, -EBADMSG, "SIGNAL: %u rlimits",
				h.nr_rlimits);
	ret = rstr_check_ctty(ctx, &h);
	if (ret)
		return ret;
	ret = rstr_set_altstack(ctx, &h);
	if (!ret)
		ret = rstr_set_rlimits(ctx, &h);
	if (ret)
		return ret;
	blocked.sig[0] = h.blocked;
	sigdelsetmask(&blocked, sigmask(SIGKILL) | sigmask(SIGSTOP));
	set_current_blocked(&blocked);
	ret = rstr_read_sigpending(ctx, ctx->cur, false);
	if (!ret && thread_group_leader(current))
		ret = rstr_read_sigpending(ctx, ctx->cur, true);
	if (!ret && thread_group_leader(current))
		ret = rstr_read_itimers(ctx, ctx->cur);
	if (!ret && thread_group_leader(current))
		ret = rstr_read_posix_timers(ctx, ctx->cur);
	return ret;
}
