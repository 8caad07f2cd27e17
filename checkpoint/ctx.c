// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the context of one call and its image I/O.
 */
#include <linux/checkpoint.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/time_namespace.h>
#include <linux/vmalloc.h>

/* Bytes of the staging buffer: addresses and data of one PAGES record */
#define CKPT_BUF_SIZE	(CKPT_PAGES_BATCH * (PAGE_SIZE + sizeof(u64)))

static int ckpt_file_read(struct ckpt_ctx *ctx, void *buf, size_t len)
{
	while (len) {
		ssize_t n = kernel_read(ctx->file, buf, len, &ctx->file->f_pos);

		if (n < 0)
			return n;
		if (n == 0)
			return -ENODATA;
		buf += n;
		len -= n;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

static int ckpt_file_write(struct ckpt_ctx *ctx, const void *buf, size_t len)
{
	while (len) {
		ssize_t n = kernel_write(ctx->file, buf, len, &ctx->file->f_pos);

		if (n < 0)
			return n;
		if (n == 0)
			return -EIO;
		buf += n;
		len -= n;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

static const struct ckpt_io_ops ckpt_file_io = {
	.read = ckpt_file_read,
	.write = ckpt_file_write,
};

static int ckpt_mem_read(struct ckpt_ctx *ctx, void *buf, size_t len)
{
	if (len > ctx->mem_len - ctx->mem_pos)
		return -ENODATA;
	memcpy(buf, ctx->mem + ctx->mem_pos, len);
	ctx->mem_pos += len;
	return 0;
}

static int ckpt_mem_write(struct ckpt_ctx *ctx, const void *buf, size_t len)
{
	if (len > ctx->mem_size - ctx->mem_len)
		return -ENOSPC;
	memcpy(ctx->mem + ctx->mem_len, buf, len);
	ctx->mem_len += len;
	return 0;
}

static const struct ckpt_io_ops ckpt_mem_io = {
	.read = ckpt_mem_read,
	.write = ckpt_mem_write,
};

/**
 * ckpt_ctx_alloc - allocate the context of a checkpoint or restart
 * @restart: true for restart()
 * @flags: the syscall's flags
 *
 * Return: the context or NULL.
 */
struct ckpt_ctx *ckpt_ctx_alloc(bool restart, unsigned long flags)
{
	struct ckpt_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return NULL;
	ctx->restart = restart;
	ctx->flags = flags;
	ctx->crc = ~0U;
	hash_init(ctx->obj_hash);
	xa_init(&ctx->obj_refs);
	xa_init(&ctx->stale_files);
	xa_init(&ctx->async_refs);
	xa_init(&ctx->lease_refs);
	xa_init(&ctx->pty_spares);
	xa_init(&ctx->ptys);
	init_waitqueue_head(&ctx->release_wq);
	ctx->buf_size = CKPT_BUF_SIZE;
	ctx->buf = kvmalloc(ctx->buf_size, GFP_KERNEL);
	if (!ctx->buf) {
		kfree(ctx);
		return NULL;
	}
	return ctx;
}

/**
 * ckpt_ctx_set_file - attach the image and log file descriptors
 * @ctx: the context
 * @fd: the image; writable for checkpoint, readable for restart
 * @logfd: where messages go, or -1
 *
 * Return: 0 or -EBADF.
 */
int ckpt_ctx_set_file(struct ckpt_ctx *ctx, int fd, int logfd)
{
	fmode_t mode = ctx->restart ? FMODE_READ : FMODE_WRITE;

	if (logfd != -1) {
		ctx->logfile = fget(logfd);
		if (!ctx->logfile)
			return -EBADF;
		if (!(ctx->logfile->f_mode & FMODE_WRITE)) {
			fput(ctx->logfile);
			ctx->logfile = NULL;
			return -EBADF;
		}
	}
	ctx->file = fget(fd);
	if (!ctx->file)
		return ckpt_err(ctx, -EBADF, "fd %d is not open", fd);
	if (!(ctx->file->f_mode & mode))
		return ckpt_err(ctx, -EBADF, "fd %d is not open for %s", fd,
				ctx->restart ? "reading" : "writing");
	ctx->io = &ckpt_file_io;
	return 0;
}

/**
 * ckpt_ctx_set_mem - use a memory buffer as the image (KUnit)
 * @ctx: the context
 * @mem: the buffer; for a reader it holds @size bytes of image
 * @size: its size
 */
void ckpt_ctx_set_mem(struct ckpt_ctx *ctx, void *mem, size_t size)
{
	ctx->mem = mem;
	ctx->mem_size = size;
	ctx->mem_len = ctx->restart ? size : 0;
	ctx->mem_pos = 0;
	ctx->io = &ckpt_mem_io;
}

/**
 * ckpt_ctx_reset_task - free what the context holds for one task
 * @ctx: the context
 *
 * The fds, locks, mappings and groups of the task just written or read.
 */
void ckpt_ctx_reset_task(struct ckpt_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_fds; i++)
		if (ctx->fds[i].file)
			fput(ctx->fds[i].file);
	kvfree(ctx->fds);
	ctx->fds = NULL;
	ctx->nr_fds = 0;
	kvfree(ctx->cvmas);
	ctx->cvmas = NULL;
	ctx->nr_cvmas = 0;
	kvfree(ctx->vmas);
	ctx->vmas = NULL;
	ctx->nr_vmas = 0;
	kvfree(ctx->groups);
	ctx->groups = NULL;
	kvfree(ctx->locks);
	ctx->locks = NULL;
	ctx->nr_locks = 0;
	kvfree(ctx->epoll_refs);
	ctx->epoll_refs = NULL;
	ctx->nr_epolls = 0;
	ctx->last_page = 0;
}

/**
 * ckpt_ctx_free - release a context and everything it holds
 * @ctx: the context, may be NULL
 */
void ckpt_ctx_free(struct ckpt_ctx *ctx)
{
	if (!ctx)
		return;
	ckpt_ctx_reset_task(ctx);
	ckpt_nested_free(ctx->nested);
	if (ctx->pidns)
		put_pid_ns(ctx->pidns);
	if (ctx->time_ns)
		put_time_ns(ctx->time_ns);
	kvfree(ctx->cfiles);
	xa_destroy(&ctx->stale_files);
	xa_destroy(&ctx->async_refs);
	xa_destroy(&ctx->lease_refs);
	rstr_pty_files_done(ctx);
	xa_destroy(&ctx->pty_spares);
	xa_destroy(&ctx->ptys);
	ckpt_ctx_put_shell_tty(ctx);
	rstr_free_fowners(ctx);
	kvfree(ctx->tree);
	ckpt_obj_release_all(ctx);
	xa_destroy(&ctx->obj_refs);
	kvfree(ctx->buf);
	if (ctx->file)
		fput(ctx->file);
	if (ctx->logfile)
		fput(ctx->logfile);
	kfree(ctx);
}
