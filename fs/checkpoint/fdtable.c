// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the file descriptor table.
 *
 * FD records name each open descriptor, its open file (by ref, so dup'ed
 * descriptors share one open file and its offset again) and its
 * close-on-exec flag.  A restart closes what the new task inherited from
 * the restarter and installs the saved descriptors, after the resource
 * limits are restored.
 */
#include <linux/checkpoint.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/sched.h>
#include <linux/slab.h>

/* Snapshot the open fds of a parked task, with a reference on each file */
static int ckpt_snapshot_fds(struct ckpt_ctx *ctx, struct task_struct *t,
			     struct files_struct *files)
{
	struct fdtable *fdt;
	unsigned int fd, n, i = 0;

	spin_lock(&files->file_lock);
	fdt = files_fdtable(files);
	n = bitmap_weight(fdt->open_fds, fdt->max_fds);
	spin_unlock(&files->file_lock);
	if (n > CKPT_MAX_FDS)
		return ckpt_err(ctx, -EOPNOTSUPP, "pid %d has %u open fds",
				task_pid_vnr(t), n);
	ctx->fds = kvcalloc(n ?: 1, sizeof(*ctx->fds), GFP_KERNEL);
	if (!ctx->fds)
		return -ENOMEM;

	spin_lock(&files->file_lock);
	fdt = files_fdtable(files);
	for (fd = 0; fd < fdt->max_fds && i < n; fd++) {
		struct file *file = files_lookup_fd_locked(files, fd);

		if (!file)
			continue;
		ctx->fds[i].fd = fd;
		ctx->fds[i].flags = close_on_exec(fd, fdt) ? CKPT_FD_CLOEXEC : 0;
		ctx->fds[i].file = get_file(file);
		i++;
	}
	spin_unlock(&files->file_lock);
	ctx->nr_fds = i;
	return 0;
}

/**
 * ckpt_collect_files - check a task's open files and collect them
 * @ctx: the checkpoint context
 * @t: the parked task
 *
 * Return: 0, -EOPNOTSUPP for an fd that cannot be saved, or -errno.
 */
int ckpt_collect_files(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct files_struct *files;
	unsigned int i;
	char who[40];
	u32 ref;
	int ret;

	task_lock(t);
	files = t->files;
	if (files)
		atomic_inc(&files->count);
	task_unlock(t);
	if (!files)
		return ckpt_err(ctx, -ESRCH, "pid %d is exiting", task_pid_vnr(t));
	ret = ckpt_snapshot_fds(ctx, t, files);
	put_files_struct(files);

	for (i = 0; !ret && i < ctx->nr_fds; i++) {
		snprintf(who, sizeof(who), "pid %d: fd %u", task_pid_vnr(t),
			 ctx->fds[i].fd);
		ret = ckpt_collect_file(ctx, ctx->fds[i].file, &ref, who);
	}
	return ret;
}

/**
 * ckpt_write_fdtable - write the FDTABLE and FD records
 * @ctx: the checkpoint context, its fds collected
 * @t: the task
 *
 * Return: 0 or -errno.
 */
int ckpt_write_fdtable(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_hdr_fdtable h = {};
	struct ckpt_hdr_fd fd = {};
	unsigned int i;
	int ret;

	h.ref = ckpt_obj_lookup(ctx, t->files, CKPT_OBJ_FILES);
	h.nr_fds = ctx->nr_fds;
	ret = ckpt_write_obj(ctx, &h.h, CKPT_HDR_FDTABLE, sizeof(h));
	for (i = 0; !ret && i < ctx->nr_fds; i++) {
		fd.fd = ctx->fds[i].fd;
		fd.flags = ctx->fds[i].flags;
		fd.file_ref = ckpt_obj_lookup(ctx, ctx->fds[i].file,
					      CKPT_OBJ_FILE);
		ret = ckpt_write_obj(ctx, &fd.h, CKPT_HDR_FD, sizeof(fd));
	}
	if (!ret)
		ret = ckpt_write_posix_locks(ctx, t->files);
	return ret;
}

/**
 * rstr_read_fdtable - read the FDTABLE and FD records
 * @ctx: the restart context
 *
 * The descriptors are installed later, by rstr_install_fds().
 *
 * Return: 0 or -errno.
 */
int rstr_read_fdtable(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_fdtable h;
	struct ckpt_hdr_fd fd;
	struct file *file;
	unsigned int i;
	int ret;

	ret = ckpt_read_obj(ctx, CKPT_HDR_FDTABLE, &h.h, sizeof(h));
	if (ret)
		return ret;
	if (h.ref != ctx->task_rec.files_ref || h.nr_fds > CKPT_MAX_FDS)
		return ckpt_err(ctx, -EBADMSG, "malformed FDTABLE record");
	ctx->fds = kvcalloc(h.nr_fds ?: 1, sizeof(*ctx->fds), GFP_KERNEL);
	if (!ctx->fds)
		return -ENOMEM;
	for (i = 0; i < h.nr_fds; i++) {
		ret = ckpt_read_obj(ctx, CKPT_HDR_FD, &fd.h, sizeof(fd));
		if (ret)
			return ret;
		if (fd.fd >= CKPT_MAX_FDS || fd.flags & ~CKPT_FD_CLOEXEC ||
		    fd.reserved || (i && fd.fd <= ctx->fds[i - 1].fd))
			return ckpt_err(ctx, -EBADMSG, "malformed FD record (fd %u)",
					fd.fd);
		file = rstr_obj_get(ctx, fd.file_ref, CKPT_OBJ_FILE);
		if (IS_ERR(file))
			return PTR_ERR(file);
		ctx->fds[i].fd = fd.fd;
		ctx->fds[i].flags = fd.flags;
		ctx->fds[i].ref = fd.file_ref;
		ctx->fds[i].file = get_file(file);
		ctx->nr_fds = i + 1;
	}
	return rstr_read_locks(ctx, true);
}

/**
 * rstr_install_fds - give the current task the descriptors read earlier
 * @ctx: the restart context
 *
 * Return: 0 or -errno (-EBADF for an fd above RLIMIT_NOFILE).
 */
int rstr_install_fds(struct ckpt_ctx *ctx)
{
	unsigned int i;
	int ret;

	ret = __close_range(0, ~0U, 0);
	if (ret)
		return ret;
	for (i = 0; i < ctx->nr_fds; i++) {
		ret = replace_fd(ctx->fds[i].fd, ctx->fds[i].file,
				 ctx->fds[i].flags & CKPT_FD_CLOEXEC ?
				 O_CLOEXEC : 0);
		if (ret < 0)
			return ckpt_err(ctx, ret, "pid %d: fd %u: installing it failed: error %d",
					ctx->task_rec.pid, ctx->fds[i].fd, ret);
		if (xa_erase(&ctx->async_refs, ctx->fds[i].ref)) {
			ret = rstr_set_async(ctx, ctx->fds[i].fd,
					     ctx->fds[i].file);
			if (ret)
				return ret;
		}
		ret = rstr_take_lease(ctx, ctx->fds[i].fd, ctx->fds[i].file,
				      ctx->fds[i].ref);
		if (ret)
			return ret;
	}
	return 0;
}
