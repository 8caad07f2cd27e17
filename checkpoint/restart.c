// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the restart() system call.
 *
 * The caller reads and checks the image's header and tree, then creates
 * the root with kernel_clone() and its original pid.  A new task starts
 * in a kernel function that queues a task_work on itself: on its first
 * way out to user space it reads its own records from the image and
 * rebuilds its memory, files and the rest; then it creates, one after
 * the other, the tasks it creates in the tree (its threads and child
 * processes), each of which does the same before the next is created;
 * then it parks.  Once the whole tree is parked, the caller checks the
 * image's checksum, writes every task's registers (through the regset
 * code that validates them, as ptrace does) and releases them.  If
 * anything fails, the tasks are killed before any of them ran user code,
 * each reaping the processes it created, and the caller reaps the root:
 * restart() is all or nothing.
 */
#include <linux/checkpoint.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/threads.h>

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

/* The current task is done with @ctx: the last thing it does with it */
static void rstr_task_gone(struct ckpt_ctx *ctx)
{
	if (atomic_dec_and_test(&ctx->nr_live))
		complete(&ctx->all_left);
}

static int rstr_spawn(struct ckpt_ctx *ctx, struct ckpt_task *ct);

/* Read the task's records, then create the tasks it creates, in order */
static int rstr_restore_subtree(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct ckpt_task *child;
	int c, err;

	rstr_pidns_enter(ctx, ct);
	err = rstr_read_task(ctx, ct);
	/* A corrupted image is reported as such, whatever failed first */
	if (err && err != -EBADMSG && err != -EINTR && ckpt_read_drain(ctx))
		err = ckpt_err(ctx, -EBADMSG,
			       "the image is corrupted (its checksum does not match)");
	for (c = ct->first_child; !err && c >= 0; c = child->next_sibling) {
		child = &ctx->tasks[c];
		err = rstr_spawn(ctx, child);
		if (!err && wait_for_completion_killable(&child->parked))
			err = -EINTR;
		if (!err)
			err = child->err;
	}
	if (!err && !ckpt_task_zombie(ctx, ct))
		err = rstr_pidns_finish(ctx, ct);
	if (!err && !ckpt_task_zombie(ctx, ct))
		err = rstr_finish_task(ctx, ct);
	return err;
}

/* Released to die: reap the processes it created first */
static void rstr_reap_children(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct ckpt_task *child;
	int c;

	for (c = ct->first_child; c >= 0; c = child->next_sibling) {
		child = &ctx->tasks[c];
		if (child->vpid > 0 &&
		    !(ctx->tree[c].flags & CKPT_TREE_THREAD))
			kernel_wait4(child->vpid, NULL, __WALL, NULL);
	}
}

/* The restored task, on its way to user space for the first time */
static void rstr_task_work(struct callback_head *work)
{
	struct ckpt_task *ct = container_of(work, struct ckpt_task, work);
	struct ckpt_ctx *ctx = ct->ctx;
	enum ckpt_release how;
	int err = -EINTR;
	u32 code;

	smp_mb();	/* pairs with rstr_abort() */
	if (!READ_ONCE(ctx->abort) && !fatal_signal_pending(current) &&
	    !(current->flags & PF_EXITING))
		err = rstr_restore_subtree(ctx, ct);
	ct->err = err;
	ct->state = CKPT_T_PARKED;
	if (!err && ckpt_task_zombie(ctx, ct)) {
		/* Exits now; its exit signal is set once the tree is whole */
		code = ct->rec.exit_code;
		complete(&ct->parked);
		rstr_task_gone(ctx);
		do_exit(code);
	}
	complete(&ct->parked);

	wait_event_killable(ctx->release_wq,
			    READ_ONCE(ctx->release) != CKPT_HOLD);
	how = READ_ONCE(ctx->release);
	if (how != CKPT_RESUME)
		rstr_reap_children(ctx, ct);
	/* The restarter may free @ct and @ctx from here on */
	rstr_task_gone(ctx);
	if (how != CKPT_RESUME)
		force_sig(SIGKILL);
}

static int rstr_task_fn(void *arg)
{
	struct ckpt_task *ct = arg;

	WRITE_ONCE(ct->task, get_task_struct(current));
	init_task_work(&ct->work, rstr_task_work);
	if (task_work_add(current, &ct->work, TWA_RESUME)) {
		/* Cannot happen to a new task; fail like a killed one */
		force_sig(SIGKILL);
		rstr_task_work(&ct->work);
	}
	/* Returns to user space through the task_work: see above */
	return 0;
}

static unsigned long rstr_clone_flags(u32 flags)
{
	unsigned long clone = CLONE_UNTRACED;

	if (flags & CKPT_TREE_THREAD)
		clone |= CLONE_THREAD;
	if (flags & CKPT_TREE_SHARE_VM)
		clone |= CLONE_VM;
	if (flags & CKPT_TREE_SHARE_FILES)
		clone |= CLONE_FILES;
	if (flags & CKPT_TREE_SHARE_FS)
		clone |= CLONE_FS;
	if (flags & CKPT_TREE_SHARE_SIGHAND)
		clone |= CLONE_SIGHAND;
	return clone;
}

static int rstr_spawn_error(struct ckpt_ctx *ctx, pid_t pid,
			    unsigned long flags, long err)
{
	if (err == -EEXIST)
		return ckpt_err(ctx, -EBUSY, "pid %d is in use", pid);
	if (err == -EPERM && flags & CLONE_NEWPID)
		return ckpt_err(ctx, -EPERM,
				"pid %d: a new pid namespace needs CAP_SYS_ADMIN",
				pid);
	if (err == -EPERM)
		return ckpt_err(ctx, -EPERM,
				"restoring pid %d needs CAP_CHECKPOINT_RESTORE",
				pid);
	return ckpt_err(ctx, err, "creating pid %d failed: error %ld",
			pid, err);
}

/* Create the task of @ct, with its pid, as a child of the current task */
static int rstr_spawn(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	const struct ckpt_tree_entry *e = &ctx->tree[ct->idx];
	pid_t set_tid[CKPT_MAX_PIDNS_DEPTH + 1] = { e->pid };
	struct kernel_clone_args args = {
		.flags = rstr_clone_flags(e->flags),
		.exit_signal = 0,	/* set once the tree is complete */
		.fn = rstr_task_fn,
		.fn_arg = ct,
		.set_tid = set_tid,
		.set_tid_size = 1,
	};
	pid_t pid;
	int ret;

	ct->ctx = ctx;
	init_completion(&ct->parked);
	init_completion(&ct->left);
	if (ct->idx) {
		ret = rstr_pidns_spawn(ctx, ct->idx, &args, set_tid);
		if (ret)
			return ret;
	} else if (ctx->flags & RSTR_PIDNS) {
		args.flags |= CLONE_NEWPID;
		args.set_tid = NULL;
		args.set_tid_size = 0;
	}
	atomic_inc(&ctx->nr_live);
	pid = kernel_clone(&args);
	if (pid < 0) {
		rstr_task_gone(ctx);
		return rstr_spawn_error(ctx, e->pid, args.flags, pid);
	}
	ct->vpid = pid;
	return 0;
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
			ctx->tree[ct->idx].pid);
}

/* Wait until a restored zombie has exited */
static int rstr_wait_zombie(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	int i;

	for (i = 0; i < 10 * HZ; i++) {
		if (READ_ONCE(ct->task->exit_state))
			return 0;
		if (fatal_signal_pending(current))
			return -EINTR;
		schedule_timeout_uninterruptible(1);
	}
	return ckpt_err(ctx, -ETIMEDOUT, "restored zombie %d did not exit",
			ctx->tree[ct->idx].pid);
}

/*
 * A task saved while stopped stops again before it reaches user space, by
 * the same signal, as a task of a group stop that already took part in
 * it: nothing is reported to the parent again, and a wait(WUNTRACED)
 * that had not reported the stop yet still does.  Set while the task is
 * parked, before any task runs: a SIGCONT sent from then on continues
 * the whole group.
 */
static void rstr_stop_task(struct ckpt_task *ct)
{
	struct task_struct *t = ct->task;
	unsigned long flags;
	u32 code = 0;

	if (ct->rec.flags & CKPT_TASK_STOP_UNREPORTED)
		code = ct->rec.stop_signal;
	if (!lock_task_sighand(t, &flags))
		return;
	if (!(t->signal->flags & SIGNAL_GROUP_EXIT)) {
		signal_set_stop_flags(t->signal, SIGNAL_STOP_STOPPED);
		t->signal->group_stop_count = 0;
		t->signal->group_exit_code = code;
		if (task_set_jobctl_pending(t, ct->rec.stop_signal |
					    JOBCTL_STOP_PENDING))
			signal_wake_up(t, 0);
	}
	unlock_task_sighand(t, &flags);
}

/* Every task is rebuilt and parked: set registers and exit signals */
static int rstr_complete_tree(struct ckpt_ctx *ctx)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < ctx->nr_tasks; i++) {
		struct ckpt_task *ct = &ctx->tasks[i];

		if (ckpt_task_zombie(ctx, ct)) {
			ret = rstr_wait_zombie(ctx, ct);
		} else {
			ret = rstr_wait_parked(ctx, ct);
			if (!ret)
				ret = rstr_arch_apply_cpu(ctx, ct->task, &ct->cpu);
		}
	}
	for (i = 0; !ret && i < ctx->nr_tasks; i++) {
		struct ckpt_task *ct = &ctx->tasks[i];

		if (ct->rec.flags & CKPT_TASK_STOPPED)
			rstr_stop_task(ct);
	}
	if (ret)
		return ret;
	write_lock_irq(&tasklist_lock);
	for (i = 0; i < ctx->nr_tasks; i++)
		if (!(ctx->tree[i].flags & CKPT_TREE_THREAD))
			ctx->tasks[i].task->exit_signal =
				ctx->tasks[i].rec.exit_signal;
	write_unlock_irq(&tasklist_lock);
	return 0;
}

/* The restarter is killed: stop every task, created or being created */
static void rstr_abort(struct ckpt_ctx *ctx)
{
	struct task_struct *t;
	unsigned int i;

	WRITE_ONCE(ctx->abort, true);
	smp_mb();	/* pairs with rstr_task_work() */
	for (i = 0; i < ctx->nr_tasks; i++) {
		t = READ_ONCE(ctx->tasks[i].task);
		if (t)
			send_sig(SIGKILL, t, 1);
	}
}

/* Release the tasks and wait until none uses @ctx any more */
static void rstr_release(struct ckpt_ctx *ctx, enum ckpt_release how)
{
	WRITE_ONCE(ctx->release, how);
	wake_up_all(&ctx->release_wq);
	if (!atomic_dec_and_test(&ctx->nr_live))
		wait_for_completion(&ctx->all_left);
}

static void rstr_free_tasks(struct ckpt_ctx *ctx)
{
	unsigned int i;

	for (i = 0; ctx->tasks && i < ctx->nr_tasks; i++) {
		struct ckpt_task *ct = &ctx->tasks[i];

		ckpt_arch_free_cpu(&ct->cpu);
		kvfree(ct->sigq[0]);
		kvfree(ct->sigq[1]);
		kvfree(ct->timers);
		if (ct->new_cred)
			abort_creds(ct->new_cred);
		if (ct->task)
			put_task_struct(ct->task);
	}
	kvfree(ctx->tasks);
	ctx->tasks = NULL;
}

static long do_restart(struct ckpt_ctx *ctx)
{
	struct ckpt_task *root;
	long ret;

	ret = rstr_find_shell_tty(ctx);
	if (!ret)
		ret = rstr_read_header(ctx);
	if (!ret)
		ret = rstr_plan_clocks(ctx);
	if (!ret)
		ret = rstr_read_tree(ctx);
	if (ret)
		return ret;
	root = &ctx->tasks[0];
	atomic_set(&ctx->nr_live, 1);	/* the restarter's */
	init_completion(&ctx->all_left);

	ret = rstr_spawn(ctx, root);
	if (ret) {
		rstr_release(ctx, CKPT_RELEASE_KILL);
		return ret;
	}
	if (wait_for_completion_killable(&root->parked)) {
		rstr_abort(ctx);
		wait_for_completion(&root->parked);
		ret = -EINTR;
	} else {
		ret = root->err;
	}
	if (!ret)
		ret = ckpt_read_trailer(ctx);
	if (!ret)
		ret = rstr_complete_tree(ctx);
	if (!ret)
		ret = rstr_set_ttys(ctx);
	if (!ret)
		ret = rstr_set_fowners(ctx);
	if (!ret)
		ret = rstr_check_leases(ctx);
	rstr_release(ctx, ret ? CKPT_RELEASE_KILL : CKPT_RESUME);
	if (ret)
		kernel_wait4(root->vpid, NULL, __WALL, NULL);
	return ret ?: root->vpid;
}

/**
 * sys_restart - rebuild a process tree from an image
 * @pid: reserved, must be 0
 * @fd: the image (read as a stream)
 * @flags: RSTR_PIDNS to restore into a new pid namespace; RSTR_SHELL_JOB
 *	to give the tree the caller's terminal
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
	rstr_free_tasks(ctx);
	ckpt_ctx_free(ctx);
	return ret;
}
