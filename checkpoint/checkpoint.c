// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the checkpoint() system call.
 *
 * Checks that the tree can be saved, parks its tasks, collects the shared
 * objects, writes the image and releases the tasks (resumed, stopped or
 * killed).  Nothing is written for a tree with unsupported state: the
 * collection step refuses it first, naming the task and the resource.
 */
#include <linux/checkpoint.h>
#include <linux/file.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>

static atomic64_t ckpt_last_id = ATOMIC64_INIT(0);

static int ckpt_check_children(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct task_struct *child;
	pid_t pid = 0;

	read_lock(&tasklist_lock);
	child = list_first_entry_or_null(&t->children, struct task_struct,
					 sibling);
	if (child)
		pid = task_pid_vnr(child);
	read_unlock(&tasklist_lock);
	if (child)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has a child (pid %d): process trees are not supported yet",
				task_pid_vnr(t), pid);
	return 0;
}

/* Checks done before parking the task and again once it is parked */
static int ckpt_check_task(struct ckpt_ctx *ctx, struct task_struct *t)
{
	pid_t pid = task_pid_vnr(t);
	int nr;

	if (t->flags & PF_KTHREAD)
		return ckpt_err(ctx, -EPERM, "pid %d is a kernel thread", pid);
	if (t->exit_state || (t->flags & PF_EXITING))
		return ckpt_err(ctx, -ESRCH, "pid %d is exiting or a zombie", pid);
	if (!ptrace_may_access(t, PTRACE_MODE_ATTACH_REALCREDS))
		return ckpt_err(ctx, -EPERM, "no permission to checkpoint pid %d",
				pid);
	if (t->ptrace)
		return ckpt_err(ctx, -EBUSY, "pid %d is being traced", pid);
	if (task_is_stopped_or_traced(t))
		return ckpt_err(ctx, -EBUSY, "pid %d is stopped", pid);
	nr = get_nr_threads(t);
	if (nr > 1 || !thread_group_leader(t))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d: process with %d threads: multi-threaded processes are not supported yet",
				pid, nr);
	if (t->vfork_done)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d is a vfork child sharing its parent's memory",
				pid);
#ifdef CONFIG_SECCOMP
	if (t->seccomp.mode != SECCOMP_MODE_DISABLED)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d: seccomp filters are not supported yet",
				pid);
#endif
	return ckpt_arch_check_task(ctx, t) ?: ckpt_check_children(ctx, t);
}

static int ckpt_write_header(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_header *h;
	int ret;

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	memcpy(h->magic, CKPT_MAGIC, sizeof(h->magic));
	h->version = CKPT_VERSION;
	h->page_size = PAGE_SIZE;
	h->flags = ctx->flags;
	h->ckpt_id = ctx->ckpt_id;
	h->time_ns = ktime_get_real_ns();
	down_read(&uts_sem);
	strscpy(h->release, utsname()->release, sizeof(h->release));
	strscpy(h->machine, utsname()->machine, sizeof(h->machine));
	up_read(&uts_sem);
	ret = ckpt_arch_header(h);
	if (!ret)
		ret = ckpt_write_obj(ctx, &h->h, CKPT_HDR_HEADER, sizeof(*h));
	kfree(h);
	return ret;
}

static int ckpt_write_tree(struct ckpt_ctx *ctx)
{
	struct ckpt_tree_entry e = {};
	struct ckpt_hdr_tree h = {};
	struct task_struct *t = ctx->tasks[0].task;

	h.nr_tasks = ctx->nr_tasks;
	e.pid = task_pid_vnr(t);
	e.tgid = task_tgid_vnr(t);
	e.ppid = 0;		/* the root's parent is outside the tree */
	e.pgid = task_pgrp_vnr(t);
	e.sid = task_session_vnr(t);
	return ckpt_write_obj_payload(ctx, &h.h, CKPT_HDR_TREE, sizeof(h),
				      &e, sizeof(e));
}

static int ckpt_write_image(struct ckpt_ctx *ctx)
{
	struct ckpt_task *ct = &ctx->tasks[0];
	int ret;

	/* Collect first: unsupported state fails before a byte is written */
	ret = ckpt_collect_mm(ctx, ct->task);
	if (!ret)
		ret = ckpt_collect_files(ctx, ct->task);
	if (!ret)
		ret = ckpt_collect_fs(ctx, ct->task);
	if (!ret)
		ret = ckpt_write_header(ctx);
	if (!ret)
		ret = ckpt_write_tree(ctx);
	if (!ret)
		ret = ckpt_write_task(ctx, ct);
	if (!ret)
		ret = ckpt_write_trailer(ctx);
	return ret;
}

static enum ckpt_release ckpt_release_how(struct ckpt_ctx *ctx, int err)
{
	if (err)
		return CKPT_RESUME;
	if (ctx->flags & CKPT_KILL)
		return CKPT_RELEASE_KILL;
	if (ctx->flags & CKPT_STOP)
		return CKPT_RELEASE_STOP;
	return CKPT_RESUME;
}

static long do_checkpoint(struct ckpt_ctx *ctx, pid_t pid)
{
	struct task_struct *root;
	struct ckpt_task *ct;
	long ret;

	if (pid < 0)
		return ckpt_err(ctx, -ESRCH, "no process with pid %d", pid);
	root = pid ? find_get_task_by_vpid(pid) : get_task_struct(current);
	if (!root)
		return ckpt_err(ctx, -ESRCH, "no process with pid %d", pid);
	ret = ckpt_check_task(ctx, root);
	if (ret) {
		put_task_struct(root);
		return ret;
	}

	ctx->tasks = kcalloc(1, sizeof(*ctx->tasks), GFP_KERNEL);
	if (!ctx->tasks) {
		put_task_struct(root);
		return -ENOMEM;
	}
	ctx->nr_tasks = 1;
	ct = &ctx->tasks[0];
	ct->task = root;
	ctx->ckpt_id = atomic64_inc_return(&ckpt_last_id);

	ret = ckpt_freeze_task(ctx, ct);
	if (!ret)
		ret = ckpt_check_task(ctx, root);
	if (!ret)
		ret = ckpt_check_task_state(ctx, root);
	if (!ret)
		ret = ckpt_check_signals(ctx, root);
	if (!ret)
		ret = ckpt_write_image(ctx);
	ckpt_thaw_tasks(ctx, ckpt_release_how(ctx, ret));

	ckpt_arch_free_cpu(&ct->cpu);
	put_task_struct(root);
	return ret ?: ctx->ckpt_id;
}

/**
 * sys_checkpoint - save a process tree into an image
 * @pid: root of the tree, 0 for the caller
 * @fd: where the image is written (never seeked)
 * @flags: CKPT_KILL or CKPT_STOP, or 0 to let the tree run on
 * @logfd: where reasons for a failure are written, or -1
 *
 * Return: a positive checkpoint id; 0 in a task restored from the image
 * (self-checkpoint); or -errno.
 */
SYSCALL_DEFINE4(checkpoint, pid_t, pid, int, fd, unsigned long, flags,
		int, logfd)
{
	struct ckpt_ctx *ctx;
	long ret;

	ctx = ckpt_ctx_alloc(false, flags);
	if (!ctx)
		return -ENOMEM;
	ret = ckpt_ctx_set_file(ctx, fd, logfd);
	if (ret)
		goto out;
	if ((flags & ~CKPT_FLAGS_ALL) ||
	    (flags & CKPT_KILL && flags & CKPT_STOP)) {
		ret = ckpt_err(ctx, -EINVAL, "invalid flags %#lx", flags);
		goto out;
	}
	ret = do_checkpoint(ctx, pid);
out:
	kfree(ctx->tasks);
	ckpt_ctx_free(ctx);
	return ret;
}
