// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: memfd.
 *
 * A memfd (memfd_create(), not MFD_HUGETLB) is a tmpfs file on the
 * kernel's internal mount, named "memfd:NAME".  It is saved whole (see
 * contents.c) with its name and seals, and recreated as memfd_create()
 * does; its mappings map the new file again.
 */
#include <linux/checkpoint.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/memfd.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/shmem_fs.h>

#define CKPT_MEMFD_PREFIX	"memfd:"

static bool ckpt_file_memfd_match(struct file *file)
{
	return shmem_mapping(file->f_mapping) &&
	       file->f_path.mnt->mnt_flags & MNT_INTERNAL &&
	       !strncmp(file->f_path.dentry->d_name.name, CKPT_MEMFD_PREFIX,
			strlen(CKPT_MEMFD_PREFIX));
}

/**
 * ckpt_file_is_memfd - is this file a memfd that can be saved?
 * @file: the file
 *
 * Return: true for a memfd, which a mapping may map too.
 */
bool ckpt_file_is_memfd(struct file *file)
{
	return ckpt_file_memfd_match(file);
}

static int ckpt_memfd_checkpoint(struct ckpt_ctx *ctx, struct file *file,
				 struct ckpt_hdr_file *h, char *why,
				 size_t len)
{
	return ckpt_contents_checkpoint(ctx, file, h);
}

static int ckpt_memfd_write_obj(struct ckpt_ctx *ctx, struct file *file,
				const struct ckpt_hdr_file *h)
{
	long seals = memfd_fcntl(file, F_GET_SEALS, 0);

	if (seals < 0)
		return seals;
	/* The name of a pseudo file's dentry does not change */
	return ckpt_contents_write(ctx, file, h,
				   file->f_path.dentry->d_name.name, seals);
}

static struct file *rstr_memfd_create(struct ckpt_ctx *ctx,
				      const struct ckpt_hdr_inode *hi,
				      const char *name)
{
	struct file *file;

	if (strncmp(name, CKPT_MEMFD_PREFIX, strlen(CKPT_MEMFD_PREFIX)))
		return ERR_PTR(ckpt_err(ctx, -EBADMSG,
					"INODE record (ref %u): %s is not a memfd name",
					hi->ref, name));
	file = shmem_file_setup(name, 0, VM_NORESERVE);
	if (IS_ERR(file)) {
		ckpt_err(ctx, PTR_ERR(file), "creating a memfd failed: error %ld",
			 PTR_ERR(file));
		return file;
	}
	/* As memfd_create() makes it; sealing comes once it is filled */
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	file->f_flags |= O_LARGEFILE;
	SHMEM_I(file_inode(file))->seals = 0;
	return file;
}

static struct file *rstr_file_memfd(struct ckpt_ctx *ctx,
				    const struct ckpt_hdr_file *h,
				    const char *path)
{
	return rstr_contents_open(ctx, h, rstr_memfd_create);
}

const struct ckpt_file_ops ckpt_file_memfd_ops = {
	.type = CKPT_FILE_MEMFD,
	.name = "memfd",
	.flags = CKPT_FILE_PATH_FLAGS,
	.match = ckpt_file_memfd_match,
	.checkpoint = ckpt_memfd_checkpoint,
	.write_obj = ckpt_memfd_write_obj,
	.restore = rstr_file_memfd,
};
