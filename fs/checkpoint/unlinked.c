// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: regular files removed from their directory while
 * open.
 *
 * Such a file cannot be reopened by its path: it is saved whole (see
 * contents.c) with the path of the directory it was in, and comes back
 * as an unnamed file of that directory (O_TMPFILE), on the same file
 * system if the directory is still there.  A file still linked under
 * another name, or whose directory was removed too, is refused.
 */
#include <linux/checkpoint.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/slab.h>

static bool ckpt_file_unlinked_match(struct file *file)
{
	return S_ISREG(file_inode(file)->i_mode) &&
	       !(file->f_path.mnt->mnt_flags & MNT_INTERNAL) &&
	       d_unlinked(file->f_path.dentry);
}

static int ckpt_unlinked_checkpoint(struct ckpt_ctx *ctx, struct file *file,
				    struct ckpt_hdr_file *h, char *why,
				    size_t len)
{
	if (file_inode(file)->i_nlink) {
		strscpy(why, "removed but still linked under another name",
			len);
		return -EOPNOTSUPP;
	}
	return ckpt_contents_checkpoint(ctx, file, h);
}

static int ckpt_unlinked_write_obj(struct ckpt_ctx *ctx, struct file *file,
				   const struct ckpt_hdr_file *h)
{
	struct path dir = { .mnt = file->f_path.mnt };
	char *buf, *p;
	int ret;

	buf = kmalloc(CKPT_PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	dir.dentry = dget_parent(file->f_path.dentry);
	p = d_unlinked(dir.dentry) ? ERR_PTR(-ENOENT) :
	    d_path(&dir, buf, CKPT_PATH_MAX);
	if (IS_ERR(p) || *p != '/')
		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "an unlinked file: its directory has no path any more");
	else
		ret = ckpt_contents_write(ctx, file, h, p, 0);
	dput(dir.dentry);
	kfree(buf);
	return ret;
}

static struct file *rstr_unlinked_create(struct ckpt_ctx *ctx,
					 const struct ckpt_hdr_inode *hi,
					 const char *name)
{
	struct file *file;

	if (hi->seals || name[0] != '/')
		return ERR_PTR(ckpt_err(ctx, -EBADMSG,
					"malformed INODE record (ref %u)",
					hi->ref));
	file = filp_open(name, O_TMPFILE | O_RDWR | O_LARGEFILE,
			 hi->mode & 07777);
	if (IS_ERR(file))
		ckpt_err(ctx, PTR_ERR(file),
			 "an unlinked file of %s: creating it again failed: error %ld",
			 name, PTR_ERR(file));
	return file;
}

static struct file *rstr_file_unlinked(struct ckpt_ctx *ctx,
				       const struct ckpt_hdr_file *h,
				       const char *path)
{
	return rstr_contents_open(ctx, h, rstr_unlinked_create);
}

const struct ckpt_file_ops ckpt_file_unlinked_ops = {
	.type = CKPT_FILE_UNLINKED,
	.name = "unlinked file",
	.flags = CKPT_FILE_PATH_FLAGS,
	.match = ckpt_file_unlinked_match,
	.checkpoint = ckpt_unlinked_checkpoint,
	.write_obj = ckpt_unlinked_write_obj,
	.restore = rstr_file_unlinked,
};
