// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: signalfd.
 *
 * A signalfd is one open file; the signals it reads are the object
 * behind it.  Its FILE record is followed by a SIGNALFD record with the
 * mask, and a restart makes a new signalfd with it.  The signals it
 * would read are the reader's pending signals, restored with the task.
 */
#include <linux/checkpoint.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/signalfd.h>

/* Open flags besides O_RDWR: signalfd4() leaves O_CLOEXEC there too */
#define CKPT_SIGNALFD_FLAGS	(O_NONBLOCK | O_CLOEXEC)

/* The signals a signalfd may read: not SIGKILL, not SIGSTOP */
#define CKPT_SIGNALFD_MASK	(~0ULL & ~(BIT_ULL(SIGKILL - 1) | \
					   BIT_ULL(SIGSTOP - 1)))

static bool ckpt_file_signalfd_match(struct file *file)
{
	sigset_t mask;

	return !signalfd_file_mask(file, &mask);
}

static int ckpt_signalfd_checkpoint(struct ckpt_ctx *ctx, struct file *file,
				    struct ckpt_hdr_file *h, char *why,
				    size_t len)
{
	return ckpt_file_own_obj(ctx, file->private_data, CKPT_OBJ_SIGNALFD, h);
}

static int ckpt_signalfd_write_obj(struct ckpt_ctx *ctx, struct file *file,
				   const struct ckpt_hdr_file *h)
{
	struct ckpt_hdr_signalfd hs = {};
	sigset_t mask;
	int ret;

	BUILD_BUG_ON(_NSIG > 64);
	ret = signalfd_file_mask(file, &mask);
	if (ret)
		return ret;
	hs.ref = h->obj_ref;
	hs.mask = mask.sig[0] & CKPT_SIGNALFD_MASK;
	return ckpt_write_obj(ctx, &hs.h, CKPT_HDR_SIGNALFD, sizeof(hs));
}

static struct file *rstr_file_signalfd(struct ckpt_ctx *ctx,
				       const struct ckpt_hdr_file *h,
				       const char *path)
{
	struct ckpt_hdr_signalfd hs;
	struct file *file;
	sigset_t mask;
	int ret;

	ret = rstr_file_own_obj(ctx, h, CKPT_OBJ_SIGNALFD, "signalfd");
	if (ret)
		return ERR_PTR(ret);
	ret = ckpt_read_obj(ctx, CKPT_HDR_SIGNALFD, &hs.h, sizeof(hs));
	if (ret)
		return ERR_PTR(ret);
	if (hs.ref != h->obj_ref || hs.reserved ||
	    hs.mask & ~CKPT_SIGNALFD_MASK)
		return ERR_PTR(ckpt_err(ctx, -EBADMSG,
					"malformed SIGNALFD record (ref %u)",
					h->obj_ref));
	sigemptyset(&mask);
	mask.sig[0] = hs.mask;
	file = signalfd_file_create(&mask, h->f_flags & CKPT_SIGNALFD_FLAGS);
	if (IS_ERR(file))
		ckpt_err(ctx, PTR_ERR(file), "signalfd (ref %u): error %ld",
			 h->ref, PTR_ERR(file));
	return file;
}

const struct ckpt_file_ops ckpt_file_signalfd_ops = {
	.type = CKPT_FILE_SIGNALFD,
	.name = "signalfd",
	.flags = CKPT_SIGNALFD_FLAGS,
	.match = ckpt_file_signalfd_match,
	.checkpoint = ckpt_signalfd_checkpoint,
	.write_obj = ckpt_signalfd_write_obj,
	.restore = rstr_file_signalfd,
};
