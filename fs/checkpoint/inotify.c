// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: inotify.
 *
 * An inotify file is one open file; its watches are the object behind
 * it.  Its FILE record is followed by an INOTIFY record and one
 * INOTIFY_WATCH record per watch: the watch descriptor the program
 * holds, the mask, and a path from the root to the inode watched.  The
 * path goes through the mount of the checkpointer's root or of an open
 * file of the tree on the same file system, and must lead back to the
 * inode: a watched inode without such a path (removed, on a file system
 * the tree has no file open on) is refused.  A restart makes a new
 * inotify file and adds the watches again with the same descriptors.
 *
 * Events queued and not read yet are not saved: they are lost, and the
 * program sees the events that happen after the restart.
 */
#include <linux/checkpoint.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/inotify.h>
#include <linux/namei.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>

/* Open flags besides O_RDONLY: inotify_init1() leaves O_CLOEXEC there */
#define CKPT_INOTIFY_FLAGS	(O_NONBLOCK | O_CLOEXEC)

/* The masks a watch may have */
#define CKPT_INOTIFY_MASK	(IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK)

static bool ckpt_file_inotify_match(struct file *file)
{
	return inotify_file_watches(file, NULL, 0) >= 0;
}

/* The watches of @file, kvmalloc()ed in *@wp; their number or -errno */
static int ckpt_inotify_get(struct file *file, struct inotify_watch **wp)
{
	int n = inotify_file_watches(file, NULL, 0), max;

	*wp = NULL;
	if (n < 0)
		return n;
	if (n > CKPT_MAX_INOTIFY_WATCHES)
		return -E2BIG;
	max = n;
	*wp = kvcalloc(max ?: 1, sizeof(**wp), GFP_KERNEL);
	if (!*wp)
		return -ENOMEM;
	n = inotify_file_watches(file, *wp, max);
	return min(n, max);
}

static void ckpt_inotify_put(struct inotify_watch *w, int n)
{
	while (n-- > 0)
		iput(w[n].inode);
	kvfree(w);
}

/* Does @path, in @buf, lead to @inode? */
static bool ckpt_inotify_path_ok(const char *path, struct inode *inode)
{
	struct path p;
	bool ok;

	if (IS_ERR(path) || path[0] != '/' || kern_path(path, 0, &p))
		return false;
	ok = d_inode(p.dentry) == inode;
	path_put(&p);
	return ok;
}

/* A path to @dentry through @mnt, in @buf, if it leads to its inode */
static const char *ckpt_inotify_try(struct vfsmount *mnt,
				    struct dentry *dentry, char *buf)
{
	struct path p = { .mnt = mnt, .dentry = dentry };
	const char *path;

	if (mnt->mnt_sb != dentry->d_sb)
		return NULL;
	path = d_path(&p, buf, CKPT_PATH_MAX);
	return ckpt_inotify_path_ok(path, d_inode(dentry)) ? path : NULL;
}

/* A path from the root to @inode, in @buf, or NULL */
static const char *ckpt_inotify_path(struct ckpt_ctx *ctx,
				     struct inode *inode, char *buf)
{
	struct dentry *dentry = d_find_any_alias(inode);
	const char *path = NULL;
	struct path root;
	unsigned int i;

	if (!dentry)
		return NULL;
	get_fs_root(current->fs, &root);
	path = ckpt_inotify_try(root.mnt, dentry, buf);
	path_put(&root);
	for (i = 0; !path && i < ctx->nr_cfiles; i++)
		path = ckpt_inotify_try(ctx->cfiles[i].file->f_path.mnt,
					dentry, buf);
	dput(dentry);
	return path;
}

/* Every watched inode must have a path */
static int ckpt_inotify_check_tree(struct ckpt_ctx *ctx, struct file *file,
				   const char *who)
{
	struct inotify_watch *w;
	char *buf;
	int n, i, ret = 0;

	n = ckpt_inotify_get(file, &w);
	if (n == -E2BIG)
		return ckpt_file_refuse(ctx, file, who, "too many watches");
	if (n < 0)
		return n;
	buf = kmalloc(CKPT_PATH_MAX, GFP_KERNEL);
	if (!buf)
		ret = -ENOMEM;
	for (i = 0; !ret && i < n; i++)
		if (!ckpt_inotify_path(ctx, w[i].inode, buf))
			ret = ckpt_file_refuse(ctx, file, who,
					       "watches an inode no path leads to");
	kfree(buf);
	ckpt_inotify_put(w, n);
	return ret;
}

static int ckpt_inotify_checkpoint(struct ckpt_ctx *ctx, struct file *file,
				   struct ckpt_hdr_file *h, char *why,
				   size_t len)
{
	return ckpt_file_own_obj(ctx, file->private_data, CKPT_OBJ_INOTIFY, h);
}

static int ckpt_inotify_write_watch(struct ckpt_ctx *ctx,
				    const struct inotify_watch *w, char *buf)
{
	struct ckpt_hdr_inotify_watch hw = {};
	const char *path = ckpt_inotify_path(ctx, w->inode, buf);

	if (!path)
		return ckpt_err(ctx, -EAGAIN,
				"a watched inode lost its path during the checkpoint");
	hw.wd = w->wd;
	hw.mask = w->mask;
	hw.path_len = strlen(path) + 1;
	return ckpt_write_obj_payload(ctx, &hw.h, CKPT_HDR_INOTIFY_WATCH,
				      sizeof(hw), path, hw.path_len);
}

static int ckpt_inotify_cmp(const void *a, const void *b)
{
	const struct inotify_watch *x = a, *y = b;

	return x->wd < y->wd ? -1 : x->wd > y->wd;
}

static int ckpt_inotify_write_obj(struct ckpt_ctx *ctx, struct file *file,
				  const struct ckpt_hdr_file *h)
{
	struct ckpt_hdr_inotify hi = {};
	struct inotify_watch *w;
	char *buf;
	int n, i, ret;

	n = ckpt_inotify_get(file, &w);
	if (n < 0)
		return n;
	sort(w, n, sizeof(*w), ckpt_inotify_cmp, NULL);
	buf = kmalloc(CKPT_PATH_MAX, GFP_KERNEL);
	hi.ref = h->obj_ref;
	hi.nr_watches = n;
	ret = buf ? ckpt_write_obj(ctx, &hi.h, CKPT_HDR_INOTIFY, sizeof(hi)) :
		    -ENOMEM;
	for (i = 0; !ret && i < n; i++)
		ret = ckpt_inotify_write_watch(ctx, &w[i], buf);
	kfree(buf);
	ckpt_inotify_put(w, n);
	return ret;
}

/* Read an INOTIFY_WATCH record and add the watch to @file */
static int rstr_inotify_watch(struct ckpt_ctx *ctx, struct file *file,
			      u32 ref, s32 *prev, char *path)
{
	struct ckpt_hdr_inotify_watch hw;
	struct path p;
	size_t len;
	int ret;

	ret = ckpt_read_obj_payload(ctx, CKPT_HDR_INOTIFY_WATCH, &hw.h,
				    sizeof(hw), path, CKPT_PATH_MAX, &len);
	if (ret)
		return ret;
	if (hw.wd <= *prev || !(hw.mask & IN_ALL_EVENTS) ||
	    hw.mask & ~CKPT_INOTIFY_MASK || hw.reserved ||
	    hw.path_len != len || len < 2)
		return ckpt_err(ctx, -EBADMSG,
				"malformed INOTIFY_WATCH record (ref %u)", ref);
	ret = ckpt_check_string(ctx, path, len, "INOTIFY_WATCH path");
	if (ret)
		return ret;
	*prev = hw.wd;
	ret = kern_path(path, 0, &p);
	if (ret)
		return ckpt_err(ctx, ret, "inotify watch %d: %s: error %d",
				hw.wd, path, ret);
	ret = inotify_file_add_watch(file, d_inode(p.dentry), hw.mask, hw.wd);
	path_put(&p);
	if (ret == -EEXIST || ret == -EINVAL)
		return ckpt_err(ctx, -EBADMSG,
				"inotify watch %d: %s: watched twice or invalid",
				hw.wd, path);
	if (ret < 0)
		return ckpt_err(ctx, ret, "inotify watch %d: %s: error %d",
				hw.wd, path, ret);
	return 0;
}

static int rstr_inotify_fill(struct ckpt_ctx *ctx, struct file *file,
			     u32 ref)
{
	struct ckpt_hdr_inotify hi;
	s32 prev = 0;
	char *path;
	u32 i;
	int ret;

	ret = ckpt_read_obj(ctx, CKPT_HDR_INOTIFY, &hi.h, sizeof(hi));
	if (ret)
		return ret;
	if (hi.ref != ref || hi.nr_watches > CKPT_MAX_INOTIFY_WATCHES)
		return ckpt_err(ctx, -EBADMSG, "malformed INOTIFY record (ref %u)",
				ref);
	path = kzalloc(CKPT_PATH_MAX, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	for (i = 0; !ret && i < hi.nr_watches; i++)
		ret = rstr_inotify_watch(ctx, file, ref, &prev, path);
	kfree(path);
	return ret;
}

static struct file *rstr_file_inotify(struct ckpt_ctx *ctx,
				      const struct ckpt_hdr_file *h,
				      const char *path)
{
	struct file *file;
	int ret;

	if (!(h->flags & CKPT_FILE_OBJ_NEW) || h->pos ||
	    (h->f_flags & O_ACCMODE) != O_RDONLY)
		return ERR_PTR(ckpt_err(ctx, -EBADMSG,
					"malformed FILE record of an inotify file (ref %u)",
					h->ref));
	ret = rstr_obj_add(ctx, h->obj_ref, CKPT_OBJ_INOTIFY, NULL);
	if (ret)
		return ERR_PTR(ret);
	file = inotify_file_create(h->f_flags & CKPT_INOTIFY_FLAGS);
	if (IS_ERR(file)) {
		ckpt_err(ctx, PTR_ERR(file), "inotify (ref %u): error %ld",
			 h->ref, PTR_ERR(file));
		return file;
	}
	ret = rstr_inotify_fill(ctx, file, h->obj_ref);
	if (ret) {
		fput(file);
		return ERR_PTR(ret);
	}
	return file;
}

const struct ckpt_file_ops ckpt_file_inotify_ops = {
	.type = CKPT_FILE_INOTIFY,
	.name = "inotify",
	.flags = CKPT_INOTIFY_FLAGS,
	.match = ckpt_file_inotify_match,
	.check_tree = ckpt_inotify_check_tree,
	.checkpoint = ckpt_inotify_checkpoint,
	.write_obj = ckpt_inotify_write_obj,
	.restore = rstr_file_inotify,
};
