// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: one task, and the order of its records.
 */
#include <linux/checkpoint.h>
#include <linux/fdtable.h>
#include <linux/fs_struct.h>
#include <linux/hrtimer.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/posix-timers.h>
#include <linux/cred.h>
#include <linux/sched/coredump.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>
#include <linux/ipc_namespace.h>
#include <linux/time_namespace.h>
#include <linux/cgroup.h>
#include <net/net_namespace.h>
#include <linux/mnt_namespace.h>
#include <linux/personality.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/futex.h>
#include <linux/restart_block.h>
#include <linux/rseq.h>

/* Put a task's shared objects in the hash; *new says which are new */
static int ckpt_task_refs(struct ckpt_ctx *ctx, struct task_struct *t,
			  struct ckpt_hdr_task *h, bool new[4])
{
	void *objs[4];
	static const enum ckpt_obj_type types[4] = {
		CKPT_OBJ_MM, CKPT_OBJ_FILES, CKPT_OBJ_FS, CKPT_OBJ_SIGHAND,
	};
	u32 *refs[4] = { &h->mm_ref, &h->files_ref, &h->fs_ref,
			 &h->sighand_ref };
	int i, ret;

	/* The task is parked: these do not change under us */
	task_lock(t);
	objs[0] = t->mm;
	objs[1] = t->files;
	objs[2] = t->fs;
	objs[3] = t->sighand;
	task_unlock(t);
	for (i = 0; i < 4; i++) {
		if (!objs[i])
			return ckpt_err(ctx, -ESRCH, "pid %d is exiting",
					task_pid_vnr(t));
		ret = ckpt_obj_lookup_add(ctx, objs[i], types[i], refs[i]);
		if (ret < 0)
			return ret;
		new[i] = ret;
	}
	return 0;
}

static int ckpt_write_task_rec(struct ckpt_ctx *ctx, struct ckpt_task *ct,
			       bool new[4])
{
	struct task_struct *t = ct->task;
	struct ckpt_hdr_task h = {};
	int ret;

	h.pid = task_pid_vnr(t);
	h.tgid = task_tgid_vnr(t);
	h.flags = ct->state == CKPT_T_SELF ? CKPT_TASK_SELF : 0;
	h.personality = t->personality;
	h.nice = task_nice(t);
	h.exit_signal = t->exit_signal;
	get_task_comm(h.comm, t);
	if (t->robust_list) {
		h.robust_list = (unsigned long)t->robust_list;
		h.robust_list_len = sizeof(struct robust_list_head);
	}
	h.clear_child_tid = (unsigned long)t->clear_child_tid;
#ifdef CONFIG_RSEQ
	if (t->rseq) {
		h.rseq = (unsigned long)t->rseq;
		h.rseq_len = sizeof(struct rseq);
		h.rseq_sig = t->rseq_sig;
	}
#endif
	ret = ckpt_task_refs(ctx, t, &h, new);
	if (ret)
		return ret;
	h.nr_files = ctx->nr_cfiles;
	return ckpt_write_obj(ctx, &h.h, CKPT_HDR_TASK, sizeof(h));
}

/**
 * ckpt_write_task - write the records of one parked task
 * @ctx: the checkpoint context
 * @ct: the task, parked, its objects already collected
 *
 * Return: 0 or -errno.
 */
int ckpt_write_task(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct task_struct *t = ct->task;
	bool new[4];
	unsigned int i;
	int ret;

	ret = ckpt_write_task_rec(ctx, ct, new);
	if (!ret)
		ret = ckpt_write_creds(ctx, t);
	for (i = 0; !ret && i < ctx->nr_cfiles; i++)
		ret = ckpt_write_file(ctx, ctx->cfiles[i],
				      ckpt_obj_lookup(ctx, ctx->cfiles[i],
						      CKPT_OBJ_FILE));
	if (!ret && new[0])
		ret = ckpt_write_mm(ctx, t);
	if (!ret && new[2])
		ret = ckpt_write_fs(ctx, t);
	if (!ret && new[1])
		ret = ckpt_write_fdtable(ctx, t);
	if (!ret && new[3])
		ret = ckpt_write_sighand(ctx, t);
	if (!ret)
		ret = ckpt_write_signal(ctx, ct);
	if (!ret)
		ret = ckpt_arch_write_cpu(ctx, &ct->cpu);
	return ret;
}

/* An rseq area is 32 bytes, aligned, in user space; none has no fields */
static bool rstr_rseq_ok(const struct ckpt_hdr_task *h)
{
	if (!h->rseq)
		return !h->rseq_len && !h->rseq_sig;
	return h->rseq < TASK_SIZE_MAX && IS_ALIGNED(h->rseq, 32) &&
	       h->rseq_len == 32;
}

static int rstr_check_task_rec(struct ckpt_ctx *ctx, struct ckpt_hdr_task *h)
{
	const struct ckpt_tree_entry *e = &ctx->tree[0];

	if (h->pid != e->pid || h->tgid != e->tgid)
		return ckpt_err(ctx, -EBADMSG, "TASK %d does not match the tree",
				h->pid);
	if (h->flags & ~CKPT_TASK_SELF)
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid flags", h->pid);
	if (h->robust_list >= TASK_SIZE_MAX || h->clear_child_tid >= TASK_SIZE_MAX ||
	    h->robust_list_len != (h->robust_list ? sizeof(struct robust_list_head) : 0))
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid futex pointers",
				h->pid);
	if (!rstr_rseq_ok(h))
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid rseq area",
				h->pid);
	if (!memchr(h->comm, 0, sizeof(h->comm)))
		return ckpt_err(ctx, -EBADMSG, "TASK %d: malformed comm", h->pid);
	if (h->nice < MIN_NICE || h->nice > MAX_NICE)
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid nice %d",
				h->pid, h->nice);
	if (h->exit_signal > _NSIG)
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid exit signal %u",
				h->pid, h->exit_signal);
	if (h->personality == 0xffffffff)
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid personality",
				h->pid);
	if (h->nr_files > CKPT_MAX_FDS + CKPT_MAX_VMAS + 1)
		return ckpt_err(ctx, -EBADMSG, "TASK %d: %u files", h->pid,
				h->nr_files);
	/* One task: every object it uses is new */
	if (rstr_obj_add(ctx, h->mm_ref, CKPT_OBJ_MM, NULL) ||
	    rstr_obj_add(ctx, h->files_ref, CKPT_OBJ_FILES, NULL) ||
	    rstr_obj_add(ctx, h->fs_ref, CKPT_OBJ_FS, NULL) ||
	    rstr_obj_add(ctx, h->sighand_ref, CKPT_OBJ_SIGHAND, NULL))
		return -EBADMSG;
	return 0;
}

/* rseq: the new task inherited the restarter's registration */
static int rstr_set_rseq(struct ckpt_ctx *ctx, struct ckpt_hdr_task *h)
{
#ifdef CONFIG_RSEQ
	current->rseq = NULL;
	current->rseq_sig = 0;
	current->rseq_event_mask = 0;
	if (h->rseq) {
		BUILD_BUG_ON(sizeof(struct rseq) != 32);
		current->rseq = (struct rseq __user *)(unsigned long)h->rseq;
		current->rseq_sig = h->rseq_sig;
		rseq_set_notify_resume(current);
	}
#else
	if (h->rseq)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d uses rseq: this kernel has no CONFIG_RSEQ",
				h->pid);
#endif
	return 0;
}

static int rstr_apply_task(struct ckpt_ctx *ctx, struct ckpt_hdr_task *h)
{
	int ret = rstr_set_rseq(ctx, h);

	if (ret)
		return ret;
	current->robust_list = (void __user *)(unsigned long)h->robust_list;
	current->clear_child_tid = (int __user *)(unsigned long)h->clear_child_tid;
	/* A re-issued restart_syscall() must not use the restarter's block */
	current->restart_block.fn = do_no_restart_syscall;
	if (h->nice < task_nice(current) && !can_nice(current, h->nice))
		return ckpt_err(ctx, -EPERM,
				"pid %d: no permission to set nice %d",
				h->pid, h->nice);
	set_user_nice(current, h->nice);
	set_personality(h->personality);
	set_task_comm(current, h->comm);
	return 0;
}

/**
 * rstr_read_task - restore the current task from its records
 * @ctx: the restart context
 *
 * Runs in the new task, before it ever returns to user space.  Reads the
 * task's records, rebuilds its state and verifies the image's trailer.
 * The CPU state is left in ctx->tasks[0].cpu for the restarter to apply.
 *
 * Return: 0 or -errno.
 */
int rstr_read_task(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_task *h = &ctx->task_rec;
	unsigned int i;
	int ret;

	ret = ckpt_read_obj(ctx, CKPT_HDR_TASK, &h->h, sizeof(*h));
	if (!ret)
		ret = rstr_check_task_rec(ctx, h);
	if (!ret)
		ret = rstr_read_creds(ctx);
	for (i = 0; !ret && i < h->nr_files; i++)
		ret = rstr_read_file(ctx);
	if (!ret)
		ret = rstr_read_mm(ctx);
	if (!ret)
		ret = rstr_read_fs(ctx);
	if (!ret)
		ret = rstr_read_fdtable(ctx);
	if (!ret)
		ret = rstr_read_sighand(ctx);
	if (!ret)
		ret = rstr_read_signal(ctx);
	if (!ret)
		ret = rstr_install_fds(ctx);
	if (!ret)
		ret = rstr_arch_read_cpu(ctx, &ctx->tasks[0].cpu);
	if (!ret)
		ret = ckpt_read_trailer(ctx);
	if (!ret)
		ret = rstr_apply_task(ctx, h);
	if (!ret)
		ret = rstr_apply_creds(ctx);
	return ret;
}

static bool ckpt_same_namespaces(struct task_struct *t)
{
	struct nsproxy *a, *b = current->nsproxy;
	bool same;

	task_lock(t);
	a = t->nsproxy;
	same = a && a->uts_ns == b->uts_ns && a->ipc_ns == b->ipc_ns &&
	       a->mnt_ns == b->mnt_ns && a->net_ns == b->net_ns &&
	       a->cgroup_ns == b->cgroup_ns && a->time_ns == b->time_ns;
	task_unlock(t);
	return same && task_active_pid_ns(t) == task_active_pid_ns(current) &&
	       task_cred_xxx(t, user_ns) == current_user_ns();
}

static bool ckpt_timers_armed(struct task_struct *t)
{
	struct signal_struct *sig = t->signal;
	unsigned long flags;
	bool armed;

	if (!lock_task_sighand(t, &flags))
		return false;
	armed = hrtimer_active(&sig->real_timer) || sig->it_real_incr ||
		sig->it[CPUCLOCK_PROF].expires || sig->it[CPUCLOCK_VIRT].expires;
#ifdef CONFIG_POSIX_TIMERS
	armed = armed || !list_empty(&sig->posix_timers);
#endif
	unlock_task_sighand(t, &flags);
	return armed;
}

static bool ckpt_ids_mapped(struct task_struct *t)
{
	struct user_namespace *ns = current_user_ns();
	const struct cred *c = get_task_cred(t);
	bool ok;
	int i;

	ok = from_kuid(ns, c->uid) != (uid_t)-1 &&
	     from_kuid(ns, c->euid) != (uid_t)-1 &&
	     from_kuid(ns, c->suid) != (uid_t)-1 &&
	     from_kuid(ns, c->fsuid) != (uid_t)-1 &&
	     from_kgid(ns, c->gid) != (gid_t)-1 &&
	     from_kgid(ns, c->egid) != (gid_t)-1 &&
	     from_kgid(ns, c->sgid) != (gid_t)-1 &&
	     from_kgid(ns, c->fsgid) != (gid_t)-1;
	for (i = 0; ok && i < c->group_info->ngroups; i++)
		ok = from_kgid(ns, c->group_info->gid[i]) != (gid_t)-1;
	put_cred(c);
	return ok;
}

/**
 * ckpt_check_task_state - refuse state of a parked task that is not saved
 * @ctx: the checkpoint context
 * @t: the parked task
 *
 * Return: 0, -EOPNOTSUPP or -EBUSY naming the task and the reason.
 */
int ckpt_check_task_state(struct ckpt_ctx *ctx, struct task_struct *t)
{
	pid_t pid = task_pid_vnr(t);
	bool tracing;

	if (!ckpt_same_namespaces(t))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d is in other namespaces than the checkpointer: not supported yet",
				pid);
	read_lock(&tasklist_lock);
	tracing = !list_empty(&t->ptraced);
	read_unlock(&tasklist_lock);
	if (tracing)
		return ckpt_err(ctx, -EBUSY, "pid %d is tracing other tasks", pid);
	if (t->mm && test_bit(MMF_MULTIPROCESS, &t->mm->flags))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d shares its memory with another process: not supported yet",
				pid);
	if (ckpt_timers_armed(t))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has an interval timer, alarm or POSIX timer armed: not supported yet",
				pid);
	if (!ckpt_ids_mapped(t))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has ids not mapped in the checkpointer's user namespace",
				pid);
	return 0;
}
