// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: open files.
 *
 * Each kind of open file is handled by a struct ckpt_file_ops found in
 * one table, by ->match() at checkpoint and by the FILE record's type at
 * restart; a new kind is one new file and one entry here.  A file of no
 * known kind makes the checkpoint fail with a message that says what it
 * is.  The common part of a FILE record (flags, offset, path, the inode's
 * size and mtime) is handled here.
 */
#include <linux/checkpoint.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/kdev_t.h>
#include <linux/slab.h>
#include <linux/tty.h>

static const struct ckpt_file_ops *ckpt_file_ops_table[CKPT_FILE_MAX] = {
	[CKPT_FILE_REG] = &ckpt_file_reg_ops,
	[CKPT_FILE_DIR] = &ckpt_file_dir_ops,
	[CKPT_FILE_CHR] = &ckpt_file_chr_ops,
	[CKPT_FILE_PIPE] = &ckpt_file_pipe_ops,
	[CKPT_FILE_FIFO] = &ckpt_file_fifo_ops,
#ifdef CONFIG_EVENTFD
	[CKPT_FILE_EVENTFD] = &ckpt_file_eventfd_ops,
#endif
#ifdef CONFIG_SIGNALFD
	[CKPT_FILE_SIGNALFD] = &ckpt_file_signalfd_ops,
#endif
#ifdef CONFIG_TIMERFD
	[CKPT_FILE_TIMERFD] = &ckpt_file_timerfd_ops,
#endif
#ifdef CONFIG_MEMFD_CREATE
	[CKPT_FILE_MEMFD] = &ckpt_file_memfd_ops,
#endif
	[CKPT_FILE_UNLINKED] = &ckpt_file_unlinked_ops,
#ifdef CONFIG_EPOLL
	[CKPT_FILE_EPOLL] = &ckpt_file_epoll_ops,
#endif
#ifdef CONFIG_INOTIFY_USER
	[CKPT_FILE_INOTIFY] = &ckpt_file_inotify_ops,
#endif
#ifdef CONFIG_UNIX98_PTYS
	[CKPT_FILE_PTMX] = &ckpt_file_ptmx_ops,
	[CKPT_FILE_PTS] = &ckpt_file_pts_ops,
#endif
#ifdef CONFIG_TTY
	[CKPT_FILE_SHELL_TTY] = &ckpt_file_shell_tty_ops,
#endif
};

static const struct ckpt_file_ops *
ckpt_file_find_ops(struct ckpt_ctx *ctx, struct file *file)
{
	int i;

#ifdef CONFIG_TTY
	/* The terminal of the shell, with CKPT_SHELL_JOB, before its kind */
	if (ctx->shell_tty && tty_file_tty(file) == ctx->shell_tty)
		return &ckpt_file_shell_tty_ops;
#endif
	for (i = 0; i < CKPT_FILE_MAX; i++)
		if (ckpt_file_ops_table[i] && ckpt_file_ops_table[i]->match &&
		    ckpt_file_ops_table[i]->match(file))
			return ckpt_file_ops_table[i];
	return NULL;
}

/* Say what an open file is, for messages */
static void ckpt_file_describe(struct file *file, char *buf, size_t size)
{
	struct inode *inode = file_inode(file);
	umode_t mode = inode->i_mode;
	char *p;

	if (S_ISFIFO(mode)) {
		scnprintf(buf, size, "%s",
			  inode->i_sb->s_magic == PIPEFS_MAGIC ? "pipe" : "FIFO");
	} else if (S_ISSOCK(mode)) {
		scnprintf(buf, size, "socket");
	} else if (S_ISCHR(mode) && tty_file_tty(file)) {
		scnprintf(buf, size, "terminal %s (character device %u:%u)",
			  tty_name(tty_file_tty(file)), imajor(inode),
			  iminor(inode));
	} else if (S_ISCHR(mode)) {
		scnprintf(buf, size, "character device %u:%u",
			  imajor(inode), iminor(inode));
	} else if (S_ISBLK(mode)) {
		scnprintf(buf, size, "block device %u:%u",
			  imajor(inode), iminor(inode));
	} else {
		p = d_path(&file->f_path, buf, size);
		if (IS_ERR(p))
			scnprintf(buf, size, "file of unknown path");
		else
			memmove(buf, p, strlen(p) + 1);
	}
}

/**
 * ckpt_file_refuse - fail a checkpoint because of an open file
 * @ctx: the checkpoint context
 * @file: the file
 * @who: its user ("pid 12: fd 3")
 * @why: the reason, or NULL for a kind of file not supported at all
 *
 * Return: -EOPNOTSUPP, after a message that says what the file is.
 */
int ckpt_file_refuse(struct ckpt_ctx *ctx, struct file *file,
		     const char *who, const char *why)
{
	char *desc = kmalloc(PATH_MAX, GFP_KERNEL);
	int ret;

	if (!desc)
		return -ENOMEM;
	ckpt_file_describe(file, desc, PATH_MAX);
	ret = ckpt_err(ctx, -EOPNOTSUPP, "%s: %s%s%s: not supported", who,
		       desc, why ? ": " : "", why ?: "");
	kfree(desc);
	return ret;
}

/* Does the file's path lead back to the same file (what a restart does)? */
static bool ckpt_file_has_path(struct file *file)
{
	char *buf, *p;
	struct path path;
	bool ok = false;

	if (file->f_path.mnt->mnt_flags & MNT_INTERNAL)
		return false;
	buf = kmalloc(CKPT_PATH_MAX, GFP_KERNEL);
	if (!buf)
		return false;
	p = d_path(&file->f_path, buf, CKPT_PATH_MAX);
	if (!IS_ERR(p) && p[0] == '/' && !kern_path(p, 0, &path)) {
		ok = d_inode(path.dentry) == file_inode(file);
		path_put(&path);
	}
	kfree(buf);
	return ok;
}

static int ckpt_file_check(struct ckpt_ctx *ctx, struct file *file,
			   const char *who)
{
	const struct ckpt_file_ops *ops = ckpt_file_find_ops(ctx, file);

	if (!ops)
		return ckpt_file_refuse(ctx, file, who, NULL);
	/* A lease sets O_ASYNC too, which restoring the lease sets again */
	if (file->f_flags & FASYNC && !file->f_op->fasync &&
	    !ckpt_file_leased(file))
		return ckpt_file_refuse(ctx, file, who, "O_ASYNC");
	if (ops->by_path && d_unlinked(file->f_path.dentry))
		return ckpt_file_refuse(ctx, file, who, "unlinked file");
	if (ops->by_path && !ckpt_file_has_path(file))
		return ckpt_file_refuse(ctx, file, who,
					"not reachable by its path (memfd, deleted, renamed, hidden by a mount?)");
	return 0;
}

/**
 * ckpt_collect_file - put an open file in the hash, checking it first
 * @ctx: the checkpoint context
 * @file: the file
 * @ref: returns its ref
 * @who: who uses it, for messages ("pid 12: fd 3")
 *
 * A file seen for the first time is queued to be written as a FILE
 * record before the records that use it.
 *
 * Return: 0, -EOPNOTSUPP for a file that cannot be saved, or -errno.
 */
int ckpt_collect_file(struct ckpt_ctx *ctx, struct file *file, u32 *ref,
		      const char *who)
{
	int ret;

	ret = ckpt_file_check(ctx, file, who);
	if (ret)
		return ret;
	ret = ckpt_obj_lookup_add(ctx, file, CKPT_OBJ_FILE, ref);
	if (ret <= 0)
		return ret;
	if (ctx->nr_cfiles == ctx->max_cfiles) {
		unsigned int max = max(16U, ctx->max_cfiles * 2);
		struct ckpt_cfile *p = kvmalloc_array(max, sizeof(*p),
						      GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		if (ctx->cfiles)
			memcpy(p, ctx->cfiles, ctx->nr_cfiles * sizeof(*p));
		kvfree(ctx->cfiles);
		ctx->cfiles = p;
		ctx->max_cfiles = max;
	}
	ctx->cfiles[ctx->nr_cfiles].file = file;
	strscpy(ctx->cfiles[ctx->nr_cfiles].who, who,
		sizeof(ctx->cfiles[0].who));
	ctx->nr_cfiles++;
	return 0;
}

/**
 * ckpt_check_files - check the open files against each other
 * @ctx: the checkpoint context, every task's files collected
 *
 * A kind may refuse a file whose state the tree does not hold alone: a
 * pipe with an end open outside the tree; so are files with a lease or
 * a POSIX lock of a process outside the tree.
 *
 * Return: 0, -EOPNOTSUPP, or -errno.
 */
int ckpt_check_files(struct ckpt_ctx *ctx)
{
	const struct ckpt_file_ops *ops;
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < ctx->nr_cfiles; i++) {
		ops = ckpt_file_find_ops(ctx, ctx->cfiles[i].file);
		if (ops && ops->check_tree)
			ret = ops->check_tree(ctx, ctx->cfiles[i].file,
					      ctx->cfiles[i].who);
		if (!ret)
			ret = ckpt_check_file_locks(ctx, ctx->cfiles[i].file,
						    ctx->cfiles[i].who);
		if (!ret)
			ret = ckpt_check_fowner(ctx, ctx->cfiles[i].file,
						ctx->cfiles[i].who);
	}
	return ret;
}

/* The path a FILE record carries: in @buf, or "" for a kind without */
static const char *ckpt_file_path(struct ckpt_ctx *ctx, struct file *file,
				  const struct ckpt_file_ops *ops, char *buf)
{
	char *path;

	if (!ops->by_path)
		return "";
	path = d_path(&file->f_path, buf, CKPT_PATH_MAX);
	if (IS_ERR(path) || path[0] != '/') {
		ckpt_err(ctx, -EOPNOTSUPP, "an open file has no path from the root");
		return NULL;
	}
	return path;
}

/**
 * ckpt_write_file - write the FILE record of an open file
 * @ctx: the checkpoint context
 * @file: the file, checked by ckpt_collect_file()
 * @ref: its ref
 *
 * The records of the object behind the file, if any and new, follow.
 *
 * Return: 0 or -errno.
 */
int ckpt_write_file(struct ckpt_ctx *ctx, struct file *file, u32 ref)
{
	const struct ckpt_file_ops *ops = ckpt_file_find_ops(ctx, file);
	struct inode *inode = file_inode(file);
	struct ckpt_hdr_file h = {};
	char *buf, why[64] = "";
	struct timespec64 mtime;
	const char *path;
	int ret;

	buf = kmalloc(CKPT_PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	path = ckpt_file_path(ctx, file, ops, buf);
	if (!path) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	h.ref = ref;
	h.type = ops->type;
	h.f_flags = file->f_flags & (O_ACCMODE | ops->flags |
				     (file->f_op->fasync ? FASYNC : 0));
	h.mode = inode->i_mode;
	h.pos = file->f_pos;
	h.size = i_size_read(inode);
	mtime = inode->i_mtime;
	h.mtime_sec = mtime.tv_sec;
	h.mtime_nsec = mtime.tv_nsec;
	h.path_len = ops->by_path ? strlen(path) + 1 : 0;
	ret = ops->checkpoint(ctx, file, &h, why, sizeof(why));
	if (ret) {
		ret = ckpt_err(ctx, ret, "%s%s%s: %s: not supported", ops->name,
			       *path ? " " : "", path, why);
		goto out;
	}
	if (ckpt_file_has_fowner(file))
		h.flags |= CKPT_FILE_OWNER;
	ret = ckpt_write_obj_payload(ctx, &h.h, CKPT_HDR_FILE, sizeof(h),
				     path, h.path_len);
	if (!ret && h.flags & CKPT_FILE_OBJ_NEW)
		ret = ops->write_obj(ctx, file, &h);
	if (!ret && h.flags & CKPT_FILE_OWNER)
		ret = ckpt_write_fowner(ctx, file);
out:
	kfree(buf);
	return ret;
}

/**
 * rstr_check_path - look at a path before opening it for a FILE record
 * @ctx: the restart context
 * @h: the FILE record
 * @path: its path
 * @type: the S_IFMT the file must have
 *
 * Never open a FIFO or a device by mistake: @path must name a file of
 * @type, and for a character device the saved device number.
 *
 * Return: 0, -ESTALE or the lookup's -errno.
 */
int rstr_check_path(struct ckpt_ctx *ctx, const struct ckpt_hdr_file *h,
		    const char *path, umode_t type)
{
	struct path p;
	int ret;

	ret = kern_path(path, h->f_flags & O_NOFOLLOW ? 0 : LOOKUP_FOLLOW, &p);
	if (ret)
		return ckpt_err(ctx, ret, "%s: error %d", path, ret);
	ret = (d_inode(p.dentry)->i_mode & S_IFMT) != type ||
	      (type == S_IFCHR && d_inode(p.dentry)->i_rdev != new_decode_dev(h->rdev));
	path_put(&p);
	if (ret)
		return ckpt_err(ctx, -ESTALE, "%s is not the same kind of file any more",
				path);
	return 0;
}

/**
 * rstr_opened_path - check a file opened for a FILE record and seek it
 * @ctx: the restart context
 * @h: the FILE record
 * @path: the path @file was opened by
 * @type: the S_IFMT the file must have
 * @file: the file just opened, or an ERR_PTR; put on error
 *
 * Return: @file, at the saved offset, or an ERR_PTR.
 */
struct file *rstr_opened_path(struct ckpt_ctx *ctx,
			      const struct ckpt_hdr_file *h, const char *path,
			      umode_t type, struct file *file)
{
	loff_t pos;

	if (IS_ERR(file)) {
		ckpt_err(ctx, PTR_ERR(file), "opening %s failed: error %ld",
			 path, PTR_ERR(file));
		return file;
	}
	if ((file_inode(file)->i_mode & S_IFMT) != type) {
		fput(file);
		ckpt_err(ctx, -ESTALE, "%s is not the same kind of file any more",
			 path);
		return ERR_PTR(-ESTALE);
	}
	if (h->pos && !(file->f_mode & FMODE_PATH)) {
		pos = vfs_llseek(file, h->pos, SEEK_SET);
		if (pos != h->pos) {
			fput(file);
			ckpt_err(ctx, -ESTALE, "%s: cannot seek to offset %lld",
				 path, h->pos);
			return ERR_PTR(-ESTALE);
		}
	}
	return file;
}

/**
 * rstr_open_path - open the file a FILE record describes, by its path
 * @ctx: the restart context
 * @h: the FILE record
 * @path: its path
 * @type: the S_IFMT the file must have
 *
 * Return: the file, at the saved offset, or an ERR_PTR.
 */
struct file *rstr_open_path(struct ckpt_ctx *ctx,
			    const struct ckpt_hdr_file *h, const char *path,
			    umode_t type)
{
	int ret = rstr_check_path(ctx, h, path, type);

	if (ret)
		return ERR_PTR(ret);
	return rstr_opened_path(ctx, h, path, type,
				filp_open(path, h->f_flags, 0));
}

static void rstr_note_changed(struct ckpt_ctx *ctx,
			      const struct ckpt_hdr_file *h, struct file *file)
{
	struct inode *inode = file_inode(file);

	if (h->size != i_size_read(inode) ||
	    h->mtime_sec != inode->i_mtime.tv_sec ||
	    h->mtime_nsec != inode->i_mtime.tv_nsec)
		xa_store(&ctx->stale_files, h->ref, xa_mk_value(1), GFP_KERNEL);
}

/**
 * rstr_file_check_unchanged - refuse to map a file changed since
 * @ctx: the restart context
 * @ref: the file's ref
 *
 * Private pages of a file mapping that were never written come from the
 * file: if it changed, the restored memory would not be the saved one.
 *
 * Return: 0 or -ESTALE.
 */
int rstr_file_check_unchanged(struct ckpt_ctx *ctx, u32 ref)
{
	if (xa_load(&ctx->stale_files, ref))
		return ckpt_err(ctx, -ESTALE,
				"a mapped file (ref %u) changed since the checkpoint",
				ref);
	return 0;
}

static int rstr_check_file(struct ckpt_ctx *ctx, const struct ckpt_hdr_file *h,
			   const char *path, size_t plen)
{
	const struct ckpt_file_ops *ops;
	int ret;

	if (!h->type || h->type >= CKPT_FILE_MAX ||
	    !ckpt_file_ops_table[h->type])
		return ckpt_err(ctx, -EBADMSG, "FILE record (ref %u): unknown type %u",
				h->ref, h->type);
	ops = ckpt_file_ops_table[h->type];
	if (h->f_flags & ~(O_ACCMODE | ops->flags | FASYNC) ||
	    (h->f_flags & O_ACCMODE) == O_ACCMODE ||
	    h->path_len != plen || h->reserved || h->pos < 0 ||
	    h->mtime_nsec >= NSEC_PER_SEC ||
	    h->flags & ~(CKPT_FILE_OBJ_NEW | CKPT_FILE_OWNER) ||
	    (h->flags & CKPT_FILE_OBJ_NEW && !ops->write_obj) ||
	    (!ops->write_obj && h->obj_ref))
		return ckpt_err(ctx, -EBADMSG, "malformed FILE record (ref %u)",
				h->ref);
	if (!ops->by_path) {
		if (plen)
			return ckpt_err(ctx, -EBADMSG, "FILE record (ref %u): a %s has no path",
					h->ref, ops->name);
		return 0;
	}
	ret = ckpt_check_string(ctx, path, plen, "FILE path");
	if (!ret && path[0] != '/')
		ret = ckpt_err(ctx, -EBADMSG, "FILE path is not absolute");
	return ret;
}

/**
 * rstr_read_file - read a FILE record and open the file again
 * @ctx: the restart context
 *
 * Return: 0 or -errno.
 */
int rstr_read_file(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_file h;
	struct file *file;
	size_t plen;
	char *path;
	int ret;

	path = kzalloc(CKPT_PATH_MAX, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	ret = ckpt_read_obj_payload(ctx, CKPT_HDR_FILE, &h.h, sizeof(h), path,
				    CKPT_PATH_MAX, &plen);
	if (!ret)
		ret = rstr_check_file(ctx, &h, path, plen);
	if (ret)
		goto out;
	/* O_ASYNC is set by the first task that installs a descriptor */
	if (h.f_flags & FASYNC) {
		ret = xa_err(xa_store(&ctx->async_refs, h.ref, xa_mk_value(1),
				      GFP_KERNEL));
		h.f_flags &= ~FASYNC;
	}
	file = ret ? ERR_PTR(ret) :
	       ckpt_file_ops_table[h.type]->restore(ctx, &h, path);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out;
	}
	if (ckpt_file_ops_table[h.type]->by_path)
		rstr_note_changed(ctx, &h, file);
	if (h.flags & CKPT_FILE_OWNER)
		ret = rstr_read_fowner(ctx, file);
	if (ret)
		fput(file);
	else
		ret = rstr_obj_add(ctx, h.ref, CKPT_OBJ_FILE, file);
out:
	kfree(path);
	return ret;
}

/**
 * rstr_files_done - all FILE records are read
 * @ctx: the restart context
 *
 * Drop what only helped to rebuild the files: a pipe end that no open
 * file of the image uses is closed now, as it was when saved.
 */
void rstr_files_done(struct ckpt_ctx *ctx)
{
	rstr_obj_put_type(ctx, CKPT_OBJ_PIPE);
	rstr_obj_put_type(ctx, CKPT_OBJ_INODE);
	rstr_pty_files_done(ctx);
}

/**
 * rstr_file_set_flags - set some of the status flags of a restored file
 * @file: the file, not yet visible to any task
 * @mask: the O_* flags to set or clear
 * @flags: their values
 */
void rstr_file_set_flags(struct file *file, u32 mask, u32 flags)
{
	spin_lock(&file->f_lock);
	file->f_flags = (file->f_flags & ~mask) | (flags & mask);
	spin_unlock(&file->f_lock);
}

/**
 * ckpt_file_own_obj - name the object of a file that alone uses it
 * @ctx: the checkpoint context
 * @obj: the object (an eventfd's counter, a signalfd's mask...)
 * @type: its type in the object hash
 * @h: the file's FILE record, which gets its obj_ref
 *
 * For the ->checkpoint() of an anonymous file with state of its own,
 * written by ->write_obj() after the FILE record.
 *
 * Return: 0 or -ENOMEM.
 */
int ckpt_file_own_obj(struct ckpt_ctx *ctx, void *obj,
		      enum ckpt_obj_type type, struct ckpt_hdr_file *h)
{
	int ret;

	ret = ckpt_obj_lookup_add(ctx, obj, type, &h->obj_ref);
	if (ret < 0)
		return ret;
	h->flags |= CKPT_FILE_OBJ_NEW;
	h->pos = 0;
	return 0;
}

/**
 * rstr_file_own_obj - check the FILE record of such a file
 * @ctx: the restart context
 * @h: the FILE record
 * @type: the type of its object
 * @name: the kind of file, for messages
 *
 * The record must be read-write, without offset, and come with its
 * object, whose ref is claimed so that no other object reuses it.
 *
 * Return: 0 or -EBADMSG.
 */
int rstr_file_own_obj(struct ckpt_ctx *ctx, const struct ckpt_hdr_file *h,
		      enum ckpt_obj_type type, const char *name)
{
	if (!(h->flags & CKPT_FILE_OBJ_NEW) || h->pos ||
	    (h->f_flags & O_ACCMODE) != O_RDWR)
		return ckpt_err(ctx, -EBADMSG,
				"malformed FILE record of a %s (ref %u)", name,
				h->ref);
	return rstr_obj_add(ctx, h->obj_ref, type, NULL);
}
