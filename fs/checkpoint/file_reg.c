// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: regular files and directories, reopened by path.
 *
 * Their contents are not saved: a restart opens the same path with the
 * same flags and seeks to the saved offset.
 */
#include <linux/checkpoint.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/mount.h>

/* Not a memfd, not an unlinked file: they are saved whole */
static bool ckpt_file_reg_match(struct file *file)
{
	return S_ISREG(file_inode(file)->i_mode) &&
	       !(file->f_path.mnt->mnt_flags & MNT_INTERNAL) &&
	       !d_unlinked(file->f_path.dentry);
}

static bool ckpt_file_dir_match(struct file *file)
{
	return S_ISDIR(file_inode(file)->i_mode);
}

static int ckpt_file_path_checkpoint(struct ckpt_ctx *ctx, struct file *file,
				     struct ckpt_hdr_file *h, char *why,
				     size_t len)
{
	return 0;
}

static struct file *rstr_file_reg(struct ckpt_ctx *ctx,
				  const struct ckpt_hdr_file *h,
				  const char *path)
{
	return rstr_open_path(ctx, h, path, S_IFREG);
}

static struct file *rstr_file_dir(struct ckpt_ctx *ctx,
				  const struct ckpt_hdr_file *h,
				  const char *path)
{
	return rstr_open_path(ctx, h, path, S_IFDIR);
}

const struct ckpt_file_ops ckpt_file_reg_ops = {
	.type = CKPT_FILE_REG,
	.name = "regular file",
	.by_path = true,
	.flags = CKPT_FILE_PATH_FLAGS,
	.match = ckpt_file_reg_match,
	.checkpoint = ckpt_file_path_checkpoint,
	.restore = rstr_file_reg,
};

const struct ckpt_file_ops ckpt_file_dir_ops = {
	.type = CKPT_FILE_DIR,
	.name = "directory",
	.by_path = true,
	.flags = CKPT_FILE_PATH_FLAGS,
	.match = ckpt_file_dir_match,
	.checkpoint = ckpt_file_path_checkpoint,
	.restore = rstr_file_dir,
};
