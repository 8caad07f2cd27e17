// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: eventfd.
 *
 * An eventfd is one open file; its counter is the object behind it.  Its
 * FILE record is followed by an EVENTFD record with the counter and the
 * EFD_SEMAPHORE flag, read without resetting the counter.  A restart
 * makes a new eventfd with them; descriptors that shared the file share
 * it again through its FILE ref.
 */
#include <linux/checkpoint.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>

/* Open flags besides O_RDWR: eventfd2() leaves O_CLOEXEC there too */
#define CKPT_EVENTFD_FLAGS	(O_NONBLOCK | O_CLOEXEC)

static bool ckpt_file_eventfd_match(struct file *file)
{
	__u64 count;
	int flags;

	return !eventfd_file_state(file, &count, &flags);
}

static int ckpt_eventfd_checkpoint(struct ckpt_ctx *ctx, struct file *file,
				   struct ckpt_hdr_file *h, char *why,
				   size_t len)
{
	return ckpt_file_own_obj(ctx, file->private_data, CKPT_OBJ_EVENTFD, h);
}

static int ckpt_eventfd_write_obj(struct ckpt_ctx *ctx, struct file *file,
				  const struct ckpt_hdr_file *h)
{
	struct ckpt_hdr_eventfd he = {};
	int flags, ret;

	ret = eventfd_file_state(file, &he.count, &flags);
	if (ret)
		return ret;
	he.ref = h->obj_ref;
	he.flags = flags & EFD_SEMAPHORE ? CKPT_EVENTFD_SEMAPHORE : 0;
	return ckpt_write_obj(ctx, &he.h, CKPT_HDR_EVENTFD, sizeof(he));
}

static struct file *rstr_file_eventfd(struct ckpt_ctx *ctx,
				      const struct ckpt_hdr_file *h,
				      const char *path)
{
	struct ckpt_hdr_eventfd he;
	struct file *file;
	int ret;

	ret = rstr_file_own_obj(ctx, h, CKPT_OBJ_EVENTFD, "eventfd");
	if (ret)
		return ERR_PTR(ret);
	ret = ckpt_read_obj(ctx, CKPT_HDR_EVENTFD, &he.h, sizeof(he));
	if (ret)
		return ERR_PTR(ret);
	if (he.ref != h->obj_ref || he.flags & ~CKPT_EVENTFD_SEMAPHORE ||
	    he.count == U64_MAX)
		return ERR_PTR(ckpt_err(ctx, -EBADMSG,
					"malformed EVENTFD record (ref %u)",
					h->obj_ref));
	file = eventfd_file_create(he.count, (h->f_flags & CKPT_EVENTFD_FLAGS) |
				   (he.flags & CKPT_EVENTFD_SEMAPHORE ?
				    EFD_SEMAPHORE : 0));
	if (IS_ERR(file))
		ckpt_err(ctx, PTR_ERR(file), "eventfd (ref %u): error %ld",
			 h->ref, PTR_ERR(file));
	return file;
}

const struct ckpt_file_ops ckpt_file_eventfd_ops = {
	.type = CKPT_FILE_EVENTFD,
	.name = "eventfd",
	.flags = CKPT_EVENTFD_FLAGS,
	.match = ckpt_file_eventfd_match,
	.checkpoint = ckpt_eventfd_checkpoint,
	.write_obj = ckpt_eventfd_write_obj,
	.restore = rstr_file_eventfd,
};
