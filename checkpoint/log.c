// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: readable reasons for failures, written to the
 * caller's log file descriptor.
 */
#include <linux/checkpoint.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/slab.h>

#define CKPT_MSG_MAX	512

/**
 * ckpt_err - report a failure
 * @ctx: the context
 * @err: a negative errno
 * @fmt: printf-style reason, without a trailing newline
 *
 * Writes "checkpoint: <reason>" (or "restart: ...") and a newline to the
 * log file descriptor, if any.  The first error is remembered in @ctx.
 *
 * Return: @err, so that callers can "return ckpt_err(...)".
 */
int ckpt_err(struct ckpt_ctx *ctx, int err, const char *fmt, ...)
{
	va_list args;
	char *msg;
	int n;

	if (!ctx->err)
		ctx->err = err;
	if (!ctx->logfile)
		return err;
	msg = kmalloc(CKPT_MSG_MAX, GFP_KERNEL);
	if (!msg)
		return err;
	n = scnprintf(msg, CKPT_MSG_MAX, "%s: ",
		      ctx->restart ? "restart" : "checkpoint");
	va_start(args, fmt);
	n += vscnprintf(msg + n, CKPT_MSG_MAX - n - 1, fmt, args);
	va_end(args);
	msg[n++] = '\n';
	kernel_write(ctx->logfile, msg, n, &ctx->logfile->f_pos);
	kfree(msg);
	return err;
}
