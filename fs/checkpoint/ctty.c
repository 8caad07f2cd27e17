// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: controlling terminals, and the terminal of the
 * shell a tree runs in.
 *
 * Each process's SIGNAL record names its controlling terminal: a pty pair
 * of the image (pty.c), or, for a process of a session outside the tree,
 * that session's terminal, which is not saved (CKPT_CTTY_INHERIT): the
 * restart puts such a process in the restarter's session, with the
 * restarter's terminal.  Any other terminal is refused.  Once every
 * process exists, the restarter sets each one's terminal, session
 * leaders first, which makes a pair their session's terminal again, and
 * then the pairs' foreground groups.
 *
 * A job started from an interactive shell has the shell's terminal open
 * too, as its standard descriptors.  With CKPT_SHELL_JOB, the open files
 * of the terminal of the root's session, when that session is outside
 * the tree, are saved as references (CKPT_FILE_SHELL_TTY) rather than
 * refused, and whether the process's group was in the foreground.  A
 * restart with RSTR_SHELL_JOB opens the restarter's controlling terminal
 * in their place, through the path of one of the restarter's descriptors
 * on it (/dev/tty for those opened as /dev/tty), and puts the tree in its
 * foreground if it was.
 */
#include <linux/checkpoint.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/major.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/tty.h>

/* Open flags of a CKPT_FILE_SHELL_TTY record besides O_ACCMODE */
#define CKPT_SHELL_TTY_FLAGS	(O_APPEND | O_NONBLOCK | O_LARGEFILE | \
				 O_DSYNC | __O_SYNC)

/* The controlling terminal of @t, with a reference */
static struct tty_struct *ckpt_task_tty(struct task_struct *t)
{
	struct tty_struct *tty;
	unsigned long flags;

	if (!lock_task_sighand(t, &flags))
		return NULL;
	tty = tty_kref_get(t->signal->tty);
	unlock_task_sighand(t, &flags);
	return tty;
}

/* Is @t's process group the foreground group of @tty? */
static bool ckpt_task_in_fg(struct task_struct *t, struct tty_struct *tty)
{
	struct pid *fg = tty_get_pgrp(tty);
	bool ret;

	rcu_read_lock();
	ret = fg && fg == task_pgrp(t);
	rcu_read_unlock();
	put_pid(fg);
	return ret;
}

/**
 * ckpt_ctty_ref - the controlling terminal of a process, for its SIGNAL
 * @ctx: the checkpoint context, every FILE record written
 * @t: the process
 * @ref: returns the PTY ref of its terminal, 0 for none
 * @flags: returns CKPT_CTTY_INHERIT (and CKPT_CTTY_FOREGROUND) for a
 *	terminal of a session outside the tree
 *
 * Return: 0, or -EOPNOTSUPP for a terminal that the tree cannot restore.
 */
int ckpt_ctty_ref(struct ckpt_ctx *ctx, struct task_struct *t, u32 *ref,
		  u32 *flags)
{
	struct tty_struct *tty = ckpt_task_tty(t);
	int ret = 0;

	*ref = 0;
	*flags = 0;
	if (!tty)
		return 0;
	*ref = ckpt_pty_ref(ctx, tty);
	if (!*ref && ckpt_tree_find(ctx, task_session_nr_ns(t, ctx->pidns),
				    PIDTYPE_PID) < 0) {
		*flags = CKPT_CTTY_INHERIT;
		if (ckpt_task_in_fg(t, tty))
			*flags |= CKPT_CTTY_FOREGROUND;
	} else if (!*ref) {
		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "pid %d: controlling terminal %s: not a pty of the tree: not supported",
			       task_pid_nr_ns(t, ctx->pidns), tty_name(tty));
	}
	tty_kref_put(tty);
	return ret;
}

/**
 * ckpt_find_shell_tty - with CKPT_SHELL_JOB, find the shell's terminal
 * @ctx: the checkpoint context, its tree collected
 *
 * The terminal of the root's session, when that session is outside the
 * tree; its open files are then saved as CKPT_FILE_SHELL_TTY records.
 */
void ckpt_find_shell_tty(struct ckpt_ctx *ctx)
{
	if (!(ctx->flags & CKPT_SHELL_JOB) ||
	    ckpt_tree_find(ctx, ctx->tree[0].sid, PIDTYPE_PID) >= 0)
		return;
	ctx->shell_tty = ckpt_task_tty(ctx->tasks[0].task);
}

static int ckpt_shell_tty_checkpoint(struct ckpt_ctx *ctx, struct file *file,
				     struct ckpt_hdr_file *h, char *why,
				     size_t len)
{
	h->pos = 0;
	h->rdev = new_encode_dev(file_inode(file)->i_rdev);
	return 0;
}

/* Is @file a descriptor of the terminal @tty? */
static int ckpt_is_tty_file(const void *tty, struct file *file, unsigned int fd)
{
	return tty_file_tty(file) == tty ? fd + 1 : 0;
}

/**
 * rstr_find_shell_tty - with RSTR_SHELL_JOB, find the caller's terminal
 * @ctx: the restart context, in the caller of restart()
 *
 * Return: 0, or -ENOTTY if the caller has no controlling terminal or no
 * descriptor open on it.
 */
int rstr_find_shell_tty(struct ckpt_ctx *ctx)
{
	struct file *file = NULL;
	int fd;

	if (!(ctx->flags & RSTR_SHELL_JOB))
		return 0;
	ctx->shell_tty = get_current_tty();
	if (!ctx->shell_tty)
		return ckpt_err(ctx, -ENOTTY, "RSTR_SHELL_JOB: %s",
				"the caller has no controlling terminal");
	fd = iterate_fd(current->files, 0, ckpt_is_tty_file, ctx->shell_tty);
	if (fd)
		file = fget(fd - 1);
	if (!file || tty_file_tty(file) != ctx->shell_tty) {
		if (file)
			fput(file);
		return ckpt_err(ctx, -ENOTTY, "RSTR_SHELL_JOB: %s %s",
				"the caller has no descriptor open on",
				tty_name(ctx->shell_tty));
	}
	ctx->shell_path = file->f_path;
	path_get(&ctx->shell_path);
	fput(file);
	return 0;
}

/**
 * ckpt_ctx_put_shell_tty - drop what the shell's terminal held
 * @ctx: the context
 */
void ckpt_ctx_put_shell_tty(struct ckpt_ctx *ctx)
{
	tty_kref_put(ctx->shell_tty);
	ctx->shell_tty = NULL;
	path_put(&ctx->shell_path);
	ctx->shell_path.mnt = NULL;
	ctx->shell_path.dentry = NULL;
}

static struct file *rstr_file_shell_tty(struct ckpt_ctx *ctx,
					const struct ckpt_hdr_file *h,
					const char *path)
{
	int flags = h->f_flags | O_NOCTTY;
	struct file *file;

	if (h->pos)
		return ERR_PTR(ckpt_err(ctx, -EBADMSG,
					"malformed FILE record (ref %u): a tty has no offset",
					h->ref));
	if (!ctx->shell_tty)
		return ERR_PTR(ckpt_err(ctx, -EINVAL,
					"FILE (ref %u): the terminal the tree ran in: restart with RSTR_SHELL_JOB",
					h->ref));
	/* The restored root is in the caller's session, with its terminal */
	if (new_decode_dev(h->rdev) == MKDEV(TTYAUX_MAJOR, 0))
		file = filp_open("/dev/tty", flags, 0);
	else
		file = dentry_open(&ctx->shell_path, flags, current_cred());
	if (IS_ERR(file))
		return ERR_PTR(ckpt_err(ctx, PTR_ERR(file),
					"opening the terminal %s failed: error %ld",
					tty_name(ctx->shell_tty), PTR_ERR(file)));
	if (tty_file_tty(file) != ctx->shell_tty) {
		fput(file);
		return ERR_PTR(ckpt_err(ctx, -ENOTTY, "/dev/tty is not %s",
					tty_name(ctx->shell_tty)));
	}
	return file;
}

const struct ckpt_file_ops ckpt_file_shell_tty_ops = {
	.type = CKPT_FILE_SHELL_TTY,
	.name = "shell terminal",
	.flags = CKPT_SHELL_TTY_FLAGS,
	.checkpoint = ckpt_shell_tty_checkpoint,
	.restore = rstr_file_shell_tty,
};

static struct tty_struct *rstr_ctty(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	if (ct->ctty_flags & CKPT_CTTY_INHERIT)
		return get_current_tty();
	return ct->ctty_ref ? rstr_pty_slave(ctx, ct->ctty_ref) : NULL;
}

/* Put the restored tree in the foreground of the restarter's terminal */
static int rstr_set_shell_fg(struct ckpt_ctx *ctx, struct ckpt_task *ct,
			     struct tty_struct *tty)
{
	struct pid *pgrp;
	int ret;

	if (!(ctx->flags & RSTR_SHELL_JOB) ||
	    !(ct->ctty_flags & CKPT_CTTY_FOREGROUND))
		return 0;
	rcu_read_lock();
	pgrp = get_pid(task_pgrp(ct->task));
	rcu_read_unlock();
	ret = tty_set_fg_pgrp(tty, pgrp);
	put_pid(pgrp);
	if (ret)
		ckpt_err(ctx, ret, "putting pid %d in the foreground of %s failed: error %d",
			 ctx->tree[ct->idx].pid, tty_name(tty), ret);
	return ret;
}

/* Give @ct's process its controlling terminal, or none */
static int rstr_set_ctty(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct tty_struct *tty = rstr_ctty(ctx, ct);
	int ret;

	if (!tty) {
		proc_clear_tty(ct->task);
		return 0;
	}
	ret = tty_set_ctty(ct->task, tty);
	if (ret)
		ckpt_err(ctx, ret, "pid %d: setting its controlling terminal %s failed: error %d",
			 ctx->tree[ct->idx].pid, tty_name(tty), ret);
	else
		ret = rstr_set_shell_fg(ctx, ct, tty);
	tty_kref_put(tty);
	return ret;
}

/**
 * rstr_set_ttys - give sessions their controlling terminals back
 * @ctx: the restart context, every task created and parked
 *
 * Session leaders first: they make a terminal their session's.  Then the
 * pty pairs get their foreground groups.
 *
 * Return: 0 or -errno.
 */
int rstr_set_ttys(struct ckpt_ctx *ctx)
{
	const struct ckpt_tree_entry *e;
	unsigned int i;
	int pass, ret = 0;
	bool leader;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; !ret && i < ctx->nr_tasks; i++) {
			e = &ctx->tree[i];
			leader = e->sid == e->pid;
			if (e->flags & (CKPT_TREE_THREAD | CKPT_TREE_ZOMBIE) ||
			    leader != !pass)
				continue;
			ret = rstr_set_ctty(ctx, &ctx->tasks[i]);
		}
	}
	return ret ?: rstr_pty_set_fg(ctx);
}
