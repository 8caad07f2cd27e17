// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the clocks that count from a boot, and the time
 * namespace of a tree.
 *
 * CLOCK_MONOTONIC and CLOCK_BOOTTIME start again at each boot.  An image
 * holds both as the tree saw them, through its time namespace, when it
 * was saved.  A restart that finds them no earlier, for the processes it
 * creates, lets them run on: the tree sees the time that passed.  A
 * restart that finds one of them earlier (after a reboot, on another
 * machine) restores the tree into a new time namespace, whose offsets
 * make both clocks go on from their saved values plus the real time
 * (CLOCK_REALTIME) that passed since the checkpoint, so that they never
 * go back.
 *
 * A tree may be in a time namespace of its own, as a restored one is:
 * every task in the same one, with no time namespace for children apart
 * (an unshare(CLONE_NEWTIME) not followed by a fork).  Its clocks are
 * saved as it sees them.
 */
#include <linux/checkpoint.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/time_namespace.h>
#include <linux/timekeeping.h>

/* Clock values an image may hold: about 73 years */
#define CKPT_CLOCK_MAX	((s64)(KTIME_SEC_MAX / 4) * NSEC_PER_SEC)

/**
 * ckpt_set_time_ns - take the time namespace of the tree's root
 * @ctx: the checkpoint context
 * @root: the root task
 */
void ckpt_set_time_ns(struct ckpt_ctx *ctx, struct task_struct *root)
{
	task_lock(root);
	if (root->nsproxy)
		ctx->time_ns = get_time_ns(root->nsproxy->time_ns);
	task_unlock(root);
}

/**
 * ckpt_same_time_ns - is a task in the tree's time namespace?
 * @ctx: the checkpoint context
 * @t: the task
 *
 * Return: true if it is, and would create its children in it too.
 */
bool ckpt_same_time_ns(struct ckpt_ctx *ctx, struct task_struct *t)
{
	bool same;

	if (!IS_ENABLED(CONFIG_TIME_NS))
		return true;
	task_lock(t);
	same = t->nsproxy && t->nsproxy->time_ns == ctx->time_ns &&
	       t->nsproxy->time_ns_for_children == ctx->time_ns;
	task_unlock(t);
	return same;
}

/**
 * ckpt_save_clocks - the tree's clocks, for the HEADER record
 * @ctx: the checkpoint context, after ckpt_set_time_ns()
 * @h: the record
 */
void ckpt_save_clocks(struct ckpt_ctx *ctx, struct ckpt_hdr_header *h)
{
	s64 mono = ktime_get_ns(), boot = ktime_get_boottime_ns();

#ifdef CONFIG_TIME_NS
	if (ctx->time_ns) {
		mono += timespec64_to_ns(&ctx->time_ns->offsets.monotonic);
		boot += timespec64_to_ns(&ctx->time_ns->offsets.boottime);
	}
#endif
	h->mono_ns = mono;
	h->boot_ns = boot;
}

/* Where a saved clock is to be now: its value plus the real time since */
static s64 rstr_clock_target(u64 saved, s64 elapsed, s64 now)
{
	return max_t(s64, saved + elapsed, now);
}

/**
 * rstr_plan_clocks - decide whether the tree needs a time namespace
 * @ctx: the restart context, its HEADER record read
 *
 * Compares the saved clocks with what the restarter's children would
 * see, and sets @ctx->new_time_ns and the offsets if one of them would go
 * back.
 *
 * Return: 0, -EBADMSG for values out of range, or -EOPNOTSUPP if a time
 * namespace is needed and the kernel has none.
 */
int rstr_plan_clocks(struct ckpt_ctx *ctx)
{
	const struct ckpt_hdr_header *h = &ctx->hdr;
	s64 host_m = ktime_get_ns(), host_b = ktime_get_boottime_ns();
	s64 elapsed, view_m = host_m, view_b = host_b;

	if (h->mono_ns > CKPT_CLOCK_MAX || h->boot_ns > CKPT_CLOCK_MAX)
		return ckpt_err(ctx, -EBADMSG,
				"malformed HEADER record: clocks out of range");
	elapsed = clamp_t(s64, ktime_get_real_ns() - (s64)h->time_ns, 0,
			  CKPT_CLOCK_MAX);
#ifdef CONFIG_TIME_NS
	{
		const struct timens_offsets *o =
			&current->nsproxy->time_ns_for_children->offsets;

		view_m += timespec64_to_ns(&o->monotonic);
		view_b += timespec64_to_ns(&o->boottime);
	}
#endif
	if (view_m >= (s64)h->mono_ns && view_b >= (s64)h->boot_ns)
		return 0;
	if (!IS_ENABLED(CONFIG_TIME_NS))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"the image's clocks are ahead of this system's, and this kernel has no time namespaces to keep them from going back");
	ctx->new_time_ns = true;
	ctx->mono_offset =
		ns_to_timespec64(rstr_clock_target(h->mono_ns, elapsed, view_m) -
				 host_m);
	ctx->boot_offset =
		ns_to_timespec64(rstr_clock_target(h->boot_ns, elapsed, view_b) -
				 host_b);
	return 0;
}

/**
 * rstr_enter_time_ns - put the restored root in a new time namespace
 * @ctx: the restart context
 *
 * Called by the root before it reads its memory and creates any task, if
 * rstr_plan_clocks() asked for it: every task of the tree inherits it.
 *
 * Return: 0, or -EPERM without CAP_SYS_ADMIN.
 */
int rstr_enter_time_ns(struct ckpt_ctx *ctx)
{
#ifdef CONFIG_TIME_NS
	struct time_namespace *ns;
	struct nsproxy *nsp;
	int ret;

	if (!ctx->new_time_ns)
		return 0;
	ret = unshare_nsproxy_namespaces(CLONE_NEWTIME, &nsp, NULL, NULL);
	if (ret)
		return ckpt_err(ctx, ret,
				"the image's clocks are ahead of this system's: creating a time namespace for the tree failed: error %d",
				ret);
	/* Nobody else sees it yet: set the offsets, then enter it */
	ns = nsp->time_ns_for_children;
	ns->offsets.monotonic = ctx->mono_offset;
	ns->offsets.boottime = ctx->boot_offset;
	put_time_ns(nsp->time_ns);
	nsp->time_ns = get_time_ns(ns);
	switch_task_namespaces(current, nsp);
	timens_commit(current, ns);
#endif
	return 0;
}
