// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the stateless character devices /dev/null,
 * /dev/zero, /dev/random and /dev/urandom, reopened by path.  Other
 * devices are refused: their state is in their driver.
 */
#include <linux/checkpoint.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/kdev_t.h>

static bool ckpt_chr_allowed(dev_t dev)
{
	return dev == MKDEV(1, 3) ||	/* null */
	       dev == MKDEV(1, 5) ||	/* zero */
	       dev == MKDEV(1, 8) ||	/* random */
	       dev == MKDEV(1, 9);	/* urandom */
}

static bool ckpt_file_chr_match(struct file *file)
{
	struct inode *inode = file_inode(file);

	return S_ISCHR(inode->i_mode) && ckpt_chr_allowed(inode->i_rdev);
}

static int ckpt_file_chr_checkpoint(struct ckpt_ctx *ctx, struct file *file,
				    struct ckpt_hdr_file *h, char *why,
				    size_t len)
{
	h->rdev = new_encode_dev(file_inode(file)->i_rdev);
	h->pos = 0;
	return 0;
}

static struct file *rstr_file_chr(struct ckpt_ctx *ctx,
				  const struct ckpt_hdr_file *h,
				  const char *path)
{
	dev_t dev = new_decode_dev(h->rdev);
	struct file *file;

	if (!ckpt_chr_allowed(dev) || h->pos) {
		ckpt_err(ctx, -EBADMSG, "FILE: device %u:%u is not restorable",
			 MAJOR(dev), MINOR(dev));
		return ERR_PTR(-EBADMSG);
	}
	file = rstr_open_path(ctx, h, path, S_IFCHR);
	if (!IS_ERR(file) && file_inode(file)->i_rdev != dev) {
		fput(file);
		ckpt_err(ctx, -ESTALE, "%s is not device %u:%u any more", path,
			 MAJOR(dev), MINOR(dev));
		return ERR_PTR(-ESTALE);
	}
	return file;
}

const struct ckpt_file_ops ckpt_file_chr_ops = {
	.type = CKPT_FILE_CHR,
	.name = "character device",
	.by_path = true,
	.flags = CKPT_FILE_PATH_FLAGS,
	.match = ckpt_file_chr_match,
	.checkpoint = ckpt_file_chr_checkpoint,
	.restore = rstr_file_chr,
};
