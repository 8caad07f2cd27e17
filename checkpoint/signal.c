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

/**
 * ckpt_check_signals - refuse a task with pending signals
 * @ctx: the checkpoint context
 * @t: the parked task
 *
 * Pending signals are not saved yet.  A pending unblocked signal is
 * transient (it is delivered as soon as the task runs): -EAGAIN.  A
 * pending blocked one is state: -EOPNOTSUPP.
 *
 * Return: 0 or -errno.
 */
int ckpt_check_signals(struct ckpt_ctx *ctx, struct task_struct *t)
{
	unsigned long pending, blocked, flags;

	if (!lock_task_sighand(t, &flags))
		return ckpt_err(ctx, -ESRCH, "pid %d exited", task_pid_vnr(t));
	pending = t->pending.signal.sig[0] |
		  t->signal->shared_pending.signal.sig[0];
	blocked = t->blocked.sig[0];
	unlock_task_sighand(t, &flags);
	if (!pending)
		return 0;
	if (pending & blocked)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has pending blocked signals (mask %#lx): not supported yet",
				task_pid_vnr(t), pending & blocked);
	return ckpt_err(ctx, -EAGAIN,
			"pid %d has pending signals (mask %#lx): try again",
			task_pid_vnr(t), pending);
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
 * ckpt_write_signal - write the SIGNAL record: masks, altstack, rlimits
 * @ctx: the checkpoint context
 * @ct: the task, its blocked mask saved when it parked
 *
 * Return: 0 or -errno.
 */
int ckpt_write_signal(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct task_struct *t = ct->task;
	struct ckpt_hdr_signal h = {};
	int i;

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
	return ckpt_write_obj(ctx, &h.h, CKPT_HDR_SIGNAL, sizeof(h));
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

/**
 * rstr_read_signal - restore the blocked mask, altstack and rlimits
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
	ret = rstr_set_altstack(ctx, &h);
	if (!ret)
		ret = rstr_set_rlimits(ctx, &h);
	if (ret)
		return ret;
	blocked.sig[0] = h.blocked;
	sigdelsetmask(&blocked, sigmask(SIGKILL) | sigmask(SIGSTOP));
	set_current_blocked(&blocked);
	return 0;
}
