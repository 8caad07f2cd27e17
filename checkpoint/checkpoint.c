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
#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>

static atomic64_t ckpt_last_id = ATOMIC64_INIT(0);

/* Checks done before parking the task and again once it is parked */
static int ckpt_check_task(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct task_struct *t = ct->task;
	pid_t pid = task_pid_vnr(t);

	if (t->flags & PF_KTHREAD)
		return ckpt_err(ctx, -EPERM, "pid %d is a kernel thread", pid);
	if (!ptrace_may_access(t, PTRACE_MODE_ATTACH_REALCREDS))
		return ckpt_err(ctx, -EPERM, "no permission to checkpoint pid %d",
				pid);
	if (ckpt_task_zombie(ctx, ct))
		return 0;
	if (t->exit_state || (t->flags & PF_EXITING))
		return -ESRCH;	/* exiting: the tree changes, try again */
	if (t->ptrace)
		return ckpt_err(ctx, -EBUSY, "pid %d is being traced", pid);
	if (task_is_traced(t))
		return ckpt_err(ctx, -EBUSY, "pid %d is being traced", pid);
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
	return ckpt_arch_check_task(ctx, t);
}

/* The root must be a live process (a zombie cannot be restored alone) */
static int ckpt_check_root(struct ckpt_ctx *ctx, struct task_struct *t)
{
	pid_t pid = task_pid_vnr(t);

	if (t->flags & PF_KTHREAD)
		return ckpt_err(ctx, -EPERM, "pid %d is a kernel thread", pid);
	if (t->exit_state || (t->flags & PF_EXITING))
		return ckpt_err(ctx, -ESRCH, "pid %d is exiting or a zombie", pid);
	if (!thread_group_leader(t))
		return ckpt_err(ctx, -EINVAL,
				"pid %d is a thread: checkpoint its process (pid %d)",
				pid, task_tgid_vnr(t));
	return 0;
}

/*
 * The init of a pid namespace below the caller's is saved with the whole
 * namespace, its pids as the namespace sees them; any other root with
 * the pids the caller sees.
 */
static void ckpt_set_pidns(struct ckpt_ctx *ctx, struct task_struct *root)
{
	struct pid_namespace *ns = task_active_pid_ns(root);

	if (ns != task_active_pid_ns(current) && ns->child_reaper == root)
		ctx->tree_flags |= CKPT_TREE_F_PIDNS;
	else
		ns = task_active_pid_ns(current);
	ctx->pidns = get_pid_ns(ns);
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
	ckpt_save_clocks(ctx, h);
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

/* Check a parked task and collect what it uses; nothing is written */
static int ckpt_collect_task(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct task_struct *t = ct->task;
	int ret;

	ret = ckpt_check_task(ctx, ct);
	if (ret || ckpt_task_zombie(ctx, ct))
		return ret;
	ret = ckpt_check_task_state(ctx, t);
	if (!ret)
		ret = ckpt_check_signals(ctx, t);
	if (!ret)
		ret = ckpt_task_refs(ctx, ct);
	if (!ret && ct->new_objs & BIT(CKPT_TOBJ_MM))
		ret = ckpt_collect_mm(ctx, t);
	if (!ret && ct->new_objs & BIT(CKPT_TOBJ_FILES))
		ret = ckpt_collect_files(ctx, t);
	if (!ret && ct->new_objs & BIT(CKPT_TOBJ_FS))
		ret = ckpt_collect_fs(ctx, t);
	ckpt_ctx_reset_task(ctx);
	return ret;
}

/* Collect again what the task's records describe, and write them */
static int ckpt_write_one(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	int ret = 0;

	if (ct->new_objs & BIT(CKPT_TOBJ_MM))
		ret = ckpt_collect_mm(ctx, ct->task);
	if (!ret && ct->new_objs & BIT(CKPT_TOBJ_FILES))
		ret = ckpt_collect_files(ctx, ct->task);
	if (!ret)
		ret = ckpt_write_task(ctx, ct);
	ckpt_ctx_reset_task(ctx);
	return ret;
}

static int ckpt_write_image(struct ckpt_ctx *ctx)
{
	unsigned int i;
	int ret = 0;

	ckpt_find_shell_tty(ctx);
	/* Collect first: unsupported state fails before a byte is written */
	for (i = 0; !ret && i < ctx->nr_tasks; i++)
		ret = ckpt_collect_task(ctx, &ctx->tasks[i]);
	if (!ret)
		ret = ckpt_check_files(ctx);
	if (!ret)
		ret = ckpt_check_sharing(ctx);
	if (!ret)
		ret = ckpt_tree_check_pidns(ctx);
	if (!ret)
		ret = ckpt_tree_fill(ctx);
	if (!ret)
		ret = ckpt_tree_check_groups(ctx);
	if (!ret)
		ret = ckpt_collect_pidns(ctx);
	if (!ret)
		ret = ckpt_write_header(ctx);
	if (!ret)
		ret = ckpt_write_tree(ctx);
	if (!ret)
		ret = ckpt_write_pidns(ctx);
	for (i = 0; !ret && i < ctx->nr_tasks; i++)
		ret = ckpt_write_one(ctx, &ctx->tasks[i]);
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

/* Park every task of the tree; -ESRCH if one exited meanwhile */
static int ckpt_freeze_tree(struct ckpt_ctx *ctx)
{
	unsigned int i;
	int ret = 0, err;

	for (i = 0; !ret && i < ctx->nr_tasks; i++)
		ret = ckpt_check_task(ctx, &ctx->tasks[i]);
	for (i = 0; !ret && i < ctx->nr_tasks; i++)
		ret = ckpt_freeze_start(ctx, &ctx->tasks[i]);
	/* Wait for all that were asked, even after a failure */
	for (i = 0; i < ctx->nr_tasks; i++) {
		if (ctx->tasks[i].state == CKPT_T_IDLE)
			continue;
		err = ckpt_freeze_wait(ctx, &ctx->tasks[i]);
		if (!ret)
			ret = err;
	}
	return ret;
}

/* Retries of a tree that forks or exits while being parked */
#define CKPT_TREE_RETRIES	10

static int ckpt_freeze_stable_tree(struct ckpt_ctx *ctx,
				   struct task_struct *root)
{
	int i, ret;

	for (i = 0; i < CKPT_TREE_RETRIES; i++) {
		ret = ckpt_tree_collect(ctx, root);
		if (!ret)
			ret = ckpt_freeze_tree(ctx);
		if (!ret && ckpt_tree_changed(ctx, root))
			ret = -ESRCH;
		if (ret != -ESRCH)
			return ret;
		ckpt_thaw_tasks(ctx, CKPT_RESUME);
		ckpt_tree_release(ctx);
		if (root->exit_state || (root->flags & PF_EXITING))
			return ckpt_err(ctx, -ESRCH, "pid %d exited",
					task_pid_vnr(root));
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return ckpt_err(ctx, -EAGAIN,
			"the tree of pid %d kept changing (tasks forked or exited) during %d attempts: try again",
			task_pid_vnr(root), CKPT_TREE_RETRIES);
}

static long do_checkpoint(struct ckpt_ctx *ctx, pid_t pid)
{
	struct task_struct *root;
	long ret;

	if (pid < 0)
		return ckpt_err(ctx, -ESRCH, "no process with pid %d", pid);
	root = pid ? find_get_task_by_vpid(pid) :
		     get_task_struct(current->group_leader);
	if (!root)
		return ckpt_err(ctx, -ESRCH, "no process with pid %d", pid);
	ret = ckpt_check_root(ctx, root);
	if (ret) {
		put_task_struct(root);
		return ret;
	}

	ctx->ckpt_id = atomic64_inc_return(&ckpt_last_id);
	ckpt_set_pidns(ctx, root);
	ckpt_set_time_ns(ctx, root);
	ret = ckpt_freeze_stable_tree(ctx, root);
	if (!ret)
		ret = ckpt_write_image(ctx);
	ckpt_thaw_tasks(ctx, ckpt_release_how(ctx, ret));
	ckpt_tree_release(ctx);
	put_task_struct(root);
	return ret ?: ctx->ckpt_id;
}

/**
 * sys_checkpoint - save a process tree into an image
 * @pid: root of the tree, 0 for the caller
 * @fd: where the image is written (never seeked)
 * @flags: CKPT_KILL or CKPT_STOP, or neither to let the tree run on;
 *	CKPT_SHELL_JOB to save the terminal of the shell it runs in
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
	ckpt_ctx_free(ctx);
	return ret;
}
