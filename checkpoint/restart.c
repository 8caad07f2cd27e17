// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the restart() system call.
 *
 * The caller reads and checks the image's header and tree, then creates
 * each task with kernel_clone() and its original pid.  A new task starts
 * in a kernel function that queues a task_work on itself: on its first
 * way out to user space it reads its own records from the image and
 * rebuilds its memory, files and the rest, verifies the image's checksum
 * and parks.  The caller then writes the task's registers (through the
 * regset code that validates them, as ptrace does) and releases it.  If
 * anything fails, the task is killed before it ever ran user code and the
 * caller reaps it: restart() is all or nothing.
 */
#include <linux/checkpoint.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/threads.h>

/* Largest tree a restart reads (more tasks are not supported yet) */
#define RSTR_MAX_TREE	4096

static int rstr_read_header(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_header *h = &ctx->hdr;
	const size_t prefix = offsetof(struct ckpt_hdr_header, page_size);
	int ret;

	/* Is it an image at all, and one of a version we read? */
	ret = ckpt_read(ctx, h, prefix);
	if (ret == -EBADMSG || (!ret && memcmp(h->magic, CKPT_MAGIC,
					       sizeof(h->magic))))
		return ckpt_err(ctx, -ENOEXEC, "not a checkpoint image");
	if (ret)
		return ret;
	if (h->version != CKPT_VERSION)
		return ckpt_err(ctx, -EPROTONOSUPPORT,
				"image format version %u is not supported (this kernel reads version %u)",
				h->version, CKPT_VERSION);
	if (h->arch != CKPT_ARCH_X86_64)
		return ckpt_err(ctx, -ENOEXEC, "image is for arch %u, not x86_64",
				h->arch);
	if (h->h.type != CKPT_HDR_HEADER || h->h.len != sizeof(*h))
		return ckpt_err(ctx, -EBADMSG, "malformed HEADER record");
	ret = ckpt_read(ctx, (void *)h + prefix, sizeof(*h) - prefix);
	if (ret)
		return ret;
	ctx->nr_records++;

	if (h->page_size != PAGE_SIZE)
		return ckpt_err(ctx, -ENOEXEC, "image has pages of %u bytes",
				h->page_size);
	if (h->flags & ~CKPT_FLAGS_ALL || h->reserved ||
	    memchr_inv(h->__pad, 0, sizeof(h->__pad)) ||
	    !memchr(h->release, 0, sizeof(h->release)) ||
	    !memchr(h->machine, 0, sizeof(h->machine)))
		return ckpt_err(ctx, -EBADMSG, "malformed HEADER record");
	return rstr_arch_check_header(ctx, h);
}

static int rstr_read_tree(struct ckpt_ctx *ctx)
{
	const size_t max = RSTR_MAX_TREE * sizeof(struct ckpt_tree_entry);
	struct ckpt_hdr_tree h;
	struct ckpt_tree_entry *e;
	size_t plen;
	int ret;

	ctx->tree = kvmalloc(max, GFP_KERNEL);
	if (!ctx->tree)
		return -ENOMEM;
	ret = ckpt_read_obj_payload(ctx, CKPT_HDR_TREE, &h.h, sizeof(h),
				    ctx->tree, max, &plen);
	if (ret)
		return ret;
	if (!h.nr_tasks || h.reserved || plen != h.nr_tasks * sizeof(*e))
		return ckpt_err(ctx, -EBADMSG, "malformed TREE record");
	if (h.nr_tasks > 1)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"images of %u tasks are not supported yet",
				h.nr_tasks);
	e = ctx->tree;
	if (e->pid <= 0 || e->pid >= PID_MAX_LIMIT || e->tgid != e->pid ||
	    e->ppid != 0 || e->flags)
		return ckpt_err(ctx, -EBADMSG, "invalid task %d in the tree",
				e->pid);
	return 0;
}

/* The restored task, on its way to user space for the first time */
static void rstr_child_work(struct callback_head *work)
{
	struct ckpt_task *ct = container_of(work, struct ckpt_task, work);
	struct ckpt_ctx *ctx = ct->ctx;
	enum ckpt_release how;
	int err;

	err = -EINTR;
	if (!fatal_signal_pending(current) && !(current->flags & PF_EXITING))
		err = rstr_read_task(ctx);
	/* A corrupted image is reported as such, whatever failed first */
	if (err && err != -EBADMSG && err != -EINTR && ckpt_read_drain(ctx))
		err = ckpt_err(ctx, -EBADMSG,
			       "the image is corrupted (its checksum does not match)");
	if (err) {
		ct->err = err;
		force_sig(SIGKILL);
		complete(&ctx->child_done);
		return;
	}

	ct->state = CKPT_T_PARKED;
	complete(&ctx->child_done);
	wait_event_killable(ctx->release_wq,
			    READ_ONCE(ctx->release) != CKPT_HOLD);
	how = READ_ONCE(ctx->release);
	/* The restarter may free @ct and @ctx from here on */
	complete(&ct->left);
	if (how != CKPT_RESUME)
		force_sig(SIGKILL);
}

static int rstr_child_fn(void *arg)
{
	struct ckpt_ctx *ctx = arg;
	struct ckpt_task *ct = &ctx->tasks[0];

	ct->task = get_task_struct(current);
	init_task_work(&ct->work, rstr_child_work);
	if (task_work_add(current, &ct->work, TWA_RESUME)) {
		ct->err = -ESRCH;
		force_sig(SIGKILL);
		complete(&ctx->child_done);
	}
	/* Returns to user space through the task_work: see above */
	return 0;
}

static pid_t rstr_spawn(struct ckpt_ctx *ctx)
{
	pid_t set_tid = ctx->tree[0].pid;
	struct kernel_clone_args args = {
		.flags = CLONE_UNTRACED,
		.exit_signal = 0,	/* set once the task is complete */
		.fn = rstr_child_fn,
		.fn_arg = ctx,
		.set_tid = &set_tid,
		.set_tid_size = 1,
	};
	pid_t pid;

	if (ctx->flags & RSTR_PIDNS) {
		args.flags |= CLONE_NEWPID;
		args.set_tid = NULL;
		args.set_tid_size = 0;
	}
	pid = kernel_clone(&args);
	if (pid == -EEXIST)
		return ckpt_err(ctx, -EBUSY, "pid %d is in use", set_tid);
	if (pid == -EPERM && (ctx->flags & RSTR_PIDNS))
		return ckpt_err(ctx, -EPERM,
				"a new pid namespace needs CAP_SYS_ADMIN");
	if (pid == -EPERM)
		return ckpt_err(ctx, -EPERM,
				"restoring pid %d needs CAP_CHECKPOINT_RESTORE",
				set_tid);
	if (pid < 0)
		return ckpt_err(ctx, pid, "creating pid %d failed: error %d",
				set_tid, pid);
	return pid;
}

/* Wait until the parked task is off the CPU, so its registers can be set */
static int rstr_wait_parked(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	int i;

	for (i = 0; i < 10 * HZ; i++) {
		if (wait_task_inactive(ct->task, TASK_KILLABLE))
			return 0;
		if (fatal_signal_pending(current))
			return -EINTR;
		if (__fatal_signal_pending(ct->task))
			break;
		schedule_timeout_uninterruptible(1);
	}
	return ckpt_err(ctx, -ESRCH, "restored task %d died before it ran",
			task_pid_vnr(ct->task));
}

static void rstr_reap(pid_t pid)
{
	kernel_wait4(pid, NULL, __WALL, NULL);
}

static long do_restart(struct ckpt_ctx *ctx)
{
	struct ckpt_task *ct;
	pid_t pid;
	long ret;

	ret = rstr_read_header(ctx);
	if (!ret)
		ret = rstr_read_tree(ctx);
	if (ret)
		return ret;
	ctx->tasks = kcalloc(1, sizeof(*ctx->tasks), GFP_KERNEL);
	if (!ctx->tasks)
		return -ENOMEM;
	ctx->nr_tasks = 1;
	ct = &ctx->tasks[0];
	ct->ctx = ctx;
	init_completion(&ct->left);

	pid = rstr_spawn(ctx);
	if (pid < 0)
		return pid;
	ret = wait_for_completion_killable(&ctx->child_done);
	if (ret) {
		/* We are being killed: so is the task (it never ran) */
		rcu_read_lock();
		kill_pid(find_vpid(pid), SIGKILL, 1);
		rcu_read_unlock();
		wait_for_completion(&ctx->child_done);
		if (ct->state == CKPT_T_PARKED)
			ckpt_thaw_tasks(ctx, CKPT_RELEASE_KILL);
		ret = -EINTR;
		goto out;
	}
	if (ct->err) {
		ret = ct->err;
		rstr_reap(pid);
		goto out;
	}

	ret = rstr_wait_parked(ctx, ct);
	if (!ret)
		ret = rstr_arch_apply_cpu(ctx, ct->task, &ct->cpu);
	if (!ret) {
		write_lock_irq(&tasklist_lock);
		ct->task->exit_signal = ctx->task_rec.exit_signal;
		write_unlock_irq(&tasklist_lock);
	}
	ckpt_thaw_tasks(ctx, ret ? CKPT_RELEASE_KILL : CKPT_RESUME);
	if (ret)
		rstr_reap(pid);
out:
	ckpt_arch_free_cpu(&ct->cpu);
	if (ct->task)
		put_task_struct(ct->task);
	return ret ?: pid;
}

/**
 * sys_restart - rebuild a process tree from an image
 * @pid: reserved, must be 0
 * @fd: the image (read as a stream)
 * @flags: RSTR_PIDNS to restore into a new pid namespace
 * @logfd: where reasons for a failure are written, or -1
 *
 * The restored tree's root becomes a child of the caller.
 *
 * Return: the pid of the restored root, or -errno.
 */
SYSCALL_DEFINE4(restart, pid_t, pid, int, fd, unsigned long, flags,
		int, logfd)
{
	struct ckpt_ctx *ctx;
	long ret;

	ctx = ckpt_ctx_alloc(true, flags);
	if (!ctx)
		return -ENOMEM;
	ret = ckpt_ctx_set_file(ctx, fd, logfd);
	if (ret)
		goto out;
	if (pid) {
		ret = ckpt_err(ctx, -EINVAL, "pid must be 0");
		goto out;
	}
	if (flags & ~RSTR_FLAGS_ALL) {
		ret = ckpt_err(ctx, -EINVAL, "invalid flags %#lx", flags);
		goto out;
	}
	ret = do_restart(ctx);
out:
	kfree(ctx->tasks);
	ckpt_ctx_free(ctx);
	return ret;
}
