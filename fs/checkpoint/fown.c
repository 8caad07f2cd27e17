// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: where the signals of an open file go.
 *
 * F_SETOWN (a process, a thread or a process group) and F_SETSIG say
 * whom SIGIO, or the signal chosen, goes to when an O_ASYNC file is
 * ready.  The owner must be a task or a group of the tree: an FOWNER
 * record after the file's names it by its pid in the TREE record, with
 * the signal and the ids of who set it (which decide whether the signal
 * may be sent).  The restarter sets the owners once every task exists.
 *
 * O_ASYNC itself is turned on again, as fcntl(F_SETFL) does, by the first
 * task that installs a descriptor of the file, which becomes the si_fd
 * of its signals.
 */
#include <linux/checkpoint.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

/**
 * struct rstr_fowner - an owner to set once the tree exists
 * @file: the file (a reference is held)
 * @h: its FOWNER record
 */
struct rstr_fowner {
	struct file *file;
	struct ckpt_hdr_fowner h;
};

static struct pid *ckpt_task_pid(struct task_struct *t, enum pid_type type)
{
	if (type == PIDTYPE_PID)
		return task_pid(t);
	if (type == PIDTYPE_TGID)
		return task_tgid(t);
	return task_pgrp(t);
}

/* The index of a task of the tree that @pid of @type names, or -1 */
static int ckpt_fown_index(struct ckpt_ctx *ctx, struct pid *pid,
			   enum pid_type type)
{
	unsigned int i;
	int idx = -1;

	rcu_read_lock();
	for (i = 0; idx < 0 && i < ctx->nr_tasks; i++)
		if (ckpt_task_pid(ctx->tasks[i].task, type) == pid)
			idx = i;
	rcu_read_unlock();
	return idx;
}

/**
 * ckpt_check_fowner - refuse a file whose signals go outside the tree
 * @ctx: the checkpoint context, every task collected
 * @file: an open file of the tree
 * @who: its user, for messages
 *
 * Return: 0 or -EOPNOTSUPP.
 */
int ckpt_check_fowner(struct ckpt_ctx *ctx, struct file *file,
		      const char *who)
{
	int idx = 0;

	read_lock_irq(&file->f_owner.lock);
	if (file->f_owner.pid)
		idx = ckpt_fown_index(ctx, file->f_owner.pid,
				      file->f_owner.pid_type);
	read_unlock_irq(&file->f_owner.lock);
	if (idx < 0)
		return ckpt_file_refuse(ctx, file, who,
					"F_SETOWN owner outside the tree");
	return 0;
}

/**
 * ckpt_file_has_fowner - does an open file have an owner or a signal set?
 * @file: the file
 *
 * Return: true if it needs an FOWNER record.
 */
bool ckpt_file_has_fowner(struct file *file)
{
	return READ_ONCE(file->f_owner.pid) || READ_ONCE(file->f_owner.signum);
}

/**
 * ckpt_write_fowner - write the FOWNER record of an open file
 * @ctx: the checkpoint context, its tree filled
 * @file: the file
 *
 * Return: 0 or -errno.
 */
int ckpt_write_fowner(struct ckpt_ctx *ctx, struct file *file)
{
	struct user_namespace *ns = current_user_ns();
	struct ckpt_hdr_fowner h = {};
	enum pid_type type;
	int idx = -1;

	read_lock_irq(&file->f_owner.lock);
	type = file->f_owner.pid_type;
	if (file->f_owner.pid)
		idx = ckpt_fown_index(ctx, file->f_owner.pid, type);
	h.type = !file->f_owner.pid ? CKPT_OWNER_NONE :
		 type == PIDTYPE_PID ? CKPT_OWNER_TID :
		 type == PIDTYPE_TGID ? CKPT_OWNER_PID : CKPT_OWNER_PGRP;
	h.signum = file->f_owner.signum;
	h.uid = from_kuid_munged(ns, file->f_owner.uid);
	h.euid = from_kuid_munged(ns, file->f_owner.euid);
	read_unlock_irq(&file->f_owner.lock);

	if (h.type != CKPT_OWNER_NONE && idx < 0)
		return ckpt_err(ctx, -EAGAIN,
				"the owner of an open file changed during the checkpoint");
	if (h.type == CKPT_OWNER_TID)
		h.pid = ctx->tree[idx].pid;
	else if (h.type == CKPT_OWNER_PID)
		h.pid = ctx->tree[idx].tgid;
	else if (h.type == CKPT_OWNER_PGRP)
		h.pid = ctx->tree[idx].pgid;
	if (h.type == CKPT_OWNER_PGRP && !h.pid)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"an open file's owner is the initial process group");
	return ckpt_write_obj(ctx, &h.h, CKPT_HDR_FOWNER, sizeof(h));
}

/**
 * rstr_read_fowner - read the FOWNER record of a restored file
 * @ctx: the restart context
 * @file: the file
 *
 * The owner is set by rstr_set_fowners() once the tree exists.
 *
 * Return: 0 or -errno.
 */
int rstr_read_fowner(struct ckpt_ctx *ctx, struct file *file)
{
	struct user_namespace *ns = current_user_ns();
	struct rstr_fowner *v;
	struct ckpt_hdr_fowner h;
	int ret;

	ret = ckpt_read_obj(ctx, CKPT_HDR_FOWNER, &h.h, sizeof(h));
	if (ret)
		return ret;
	if (h.type >= CKPT_OWNER_MAX || !h.type != !h.pid ||
	    h.pid < 0 || !valid_signal(h.signum) || h.reserved ||
	    !uid_valid(make_kuid(ns, h.uid)) ||
	    !uid_valid(make_kuid(ns, h.euid)))
		return ckpt_err(ctx, -EBADMSG, "malformed FOWNER record");
	v = kvrealloc(ctx->fowners, ctx->nr_fowners * sizeof(*v),
		      (ctx->nr_fowners + 1) * sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	ctx->fowners = v;
	v[ctx->nr_fowners].file = get_file(file);
	v[ctx->nr_fowners++].h = h;
	return 0;
}

/* The struct pid that an FOWNER record names among the restored tasks */
static struct pid *rstr_fown_pid(struct ckpt_ctx *ctx,
				 const struct ckpt_hdr_fowner *h,
				 enum pid_type *type)
{
	int i;

	*type = h->type == CKPT_OWNER_TID ? PIDTYPE_PID :
		h->type == CKPT_OWNER_PID ? PIDTYPE_TGID : PIDTYPE_PGID;
	i = ckpt_tree_find(ctx, h->pid, *type);
	if (i < 0 || !ctx->tasks[i].task)
		return NULL;
	return ckpt_task_pid(ctx->tasks[i].task, *type);
}

/**
 * rstr_set_fowners - set the owners of the restored files
 * @ctx: the restart context, every task created
 *
 * Return: 0 or -EBADMSG for an owner that is not in the tree.
 */
int rstr_set_fowners(struct ckpt_ctx *ctx)
{
	struct user_namespace *ns = current_user_ns();
	struct rstr_fowner *v;
	enum pid_type type;
	struct pid *pid;
	unsigned int i;

	for (i = 0; i < ctx->nr_fowners; i++) {
		v = &ctx->fowners[i];
		rcu_read_lock();
		pid = v->h.type ? get_pid(rstr_fown_pid(ctx, &v->h, &type)) :
		      NULL;
		rcu_read_unlock();
		if (v->h.type && !pid)
			return ckpt_err(ctx, -EBADMSG,
					"FOWNER names pid %d, which is not in the tree",
					v->h.pid);
		if (pid)
			__f_setown(v->file, pid, type, 1);
		put_pid(pid);
		write_lock_irq(&v->file->f_owner.lock);
		v->file->f_owner.signum = v->h.signum;
		v->file->f_owner.uid = make_kuid(ns, v->h.uid);
		v->file->f_owner.euid = make_kuid(ns, v->h.euid);
		write_unlock_irq(&v->file->f_owner.lock);
	}
	return 0;
}

/**
 * rstr_free_fowners - drop the owners read
 * @ctx: the restart context
 */
void rstr_free_fowners(struct ckpt_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_fowners; i++)
		fput(ctx->fowners[i].file);
	kvfree(ctx->fowners);
	ctx->fowners = NULL;
	ctx->nr_fowners = 0;
}

/**
 * rstr_set_async - turn O_ASYNC on again, as fcntl(F_SETFL) does
 * @ctx: the restart context
 * @fd: the first descriptor of @file installed
 * @file: a file whose FILE record has O_ASYNC
 *
 * Return: 0 or -errno.
 */
int rstr_set_async(struct ckpt_ctx *ctx, unsigned int fd, struct file *file)
{
	int ret = -EINVAL;

	if (file->f_op->fasync)
		ret = file->f_op->fasync(fd, file, 1);
	if (ret < 0)
		return ckpt_err(ctx, ret, "fd %u: setting O_ASYNC failed: error %d",
				fd, ret);
	rstr_file_set_flags(file, FASYNC, FASYNC);
	return 0;
}
