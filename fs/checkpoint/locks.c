// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: file locks.
 *
 * flock() and OFD locks belong to an open file: the root writes them in
 * one LOCKS record after its FILE records and takes them again through
 * the restored files.  POSIX locks belong to an fd table: each FDTABLE is
 * followed by a LOCKS record with the locks it owns, which the task that
 * restores the table takes again once its descriptors are installed (a
 * close() of any descriptor of the file would drop them).
 *
 * Leases (F_SETLEASE) belong to open files too and are in the root's
 * LOCKS record; the first task that installs a descriptor of the file
 * takes the lease again through it, so that a lease break signals that
 * descriptor, as fcntl() does.
 *
 * Locks are taken again without waiting: one that conflicts with a lock
 * of a process outside the tree fails the restart with EAGAIN.  A lease
 * being broken, and POSIX locks that a process outside the tree took
 * through an open file of the tree, are refused at checkpoint.
 */
#include <linux/checkpoint.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>

/* Locks gathered for a LOCKS record: counted first, then filled */
struct ckpt_locks {
	struct ckpt_lock *v;	/* NULL while counting */
	unsigned int nr;
	unsigned int max;
};

static struct file_lock_context *ckpt_flctx(struct file *file)
{
	/* Pairs with the cmpxchg that installs i_flctx (as locks.c reads it) */
	return smp_load_acquire(&file_inode(file)->i_flctx);
}

/**
 * ckpt_file_leased - does a lease hang on this open file?
 * @file: the file
 *
 * Return: true if it has one.
 */
bool ckpt_file_leased(struct file *file)
{
	struct file_lock_context *flctx = ckpt_flctx(file);
	struct file_lock *fl;
	bool leased = false;

	if (!flctx)
		return false;
	spin_lock(&flctx->flc_lock);
	list_for_each_entry(fl, &flctx->flc_lease, fl_list)
		leased |= fl->fl_file == file;
	spin_unlock(&flctx->flc_lock);
	return leased;
}

/* Is @owner the fd table of a task of the tree? */
static bool ckpt_tree_files(struct ckpt_ctx *ctx, fl_owner_t owner)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_tasks; i++)
		if (ctx->tasks[i].objs[CKPT_TOBJ_FILES] == owner)
			return true;
	return false;
}

/**
 * ckpt_check_file_locks - refuse the locks of a file that cannot be saved
 * @ctx: the checkpoint context, every task's files collected
 * @file: an open file of the tree
 * @who: its user, for messages
 *
 * Return: 0 or -EOPNOTSUPP.
 */
int ckpt_check_file_locks(struct ckpt_ctx *ctx, struct file *file,
			  const char *who)
{
	struct file_lock_context *flctx = ckpt_flctx(file);
	bool lease = false, outside = false;
	struct file_lock *fl;

	if (!flctx)
		return 0;
	spin_lock(&flctx->flc_lock);
	list_for_each_entry(fl, &flctx->flc_lease, fl_list)
		lease |= fl->fl_file == file &&
			 (!(fl->fl_flags & FL_LEASE) || fl->fl_type == F_UNLCK ||
			  fl->fl_flags & (FL_UNLOCK_PENDING | FL_DOWNGRADE_PENDING));
	list_for_each_entry(fl, &flctx->flc_posix, fl_list)
		outside |= fl->fl_file == file && !(fl->fl_flags & FL_OFDLCK) &&
			   !ckpt_tree_files(ctx, fl->fl_owner);
	spin_unlock(&flctx->flc_lock);
	if (lease)
		return ckpt_file_refuse(ctx, file, who, "lease being broken");
	if (outside)
		return ckpt_file_refuse(ctx, file, who,
					"POSIX lock of a process outside the tree");
	return 0;
}

static void ckpt_locks_add(struct ckpt_ctx *ctx, struct ckpt_locks *l,
			   struct file_lock *fl, u16 kind)
{
	struct ckpt_lock *e;

	if (!l->v) {
		l->nr++;
		return;
	}
	if (l->nr == l->max)
		return;
	e = &l->v[l->nr++];
	e->file_ref = ckpt_obj_lookup(ctx, fl->fl_file, CKPT_OBJ_FILE);
	e->kind = kind;
	e->flags = fl->fl_type == F_WRLCK ? CKPT_LOCK_WRITE : 0;
	e->start = kind == CKPT_LOCK_FLOCK || kind == CKPT_LOCK_LEASE ? 0 :
		   fl->fl_start;
	e->end = kind == CKPT_LOCK_FLOCK || kind == CKPT_LOCK_LEASE ||
		 fl->fl_end == OFFSET_MAX ? CKPT_LOCK_EOF : fl->fl_end;
}

/*
 * Gather the locks on the inode of @file: with @owner NULL the flock and
 * OFD locks taken through @file, else the POSIX locks that @owner holds.
 */
static void ckpt_locks_scan(struct ckpt_ctx *ctx, struct file *file,
			    fl_owner_t owner, struct ckpt_locks *l)
{
	struct file_lock_context *flctx = ckpt_flctx(file);
	struct file_lock *fl;
	bool ofd;

	if (!flctx)
		return;
	spin_lock(&flctx->flc_lock);
	if (!owner) {
		list_for_each_entry(fl, &flctx->flc_flock, fl_list)
			if (fl->fl_file == file)
				ckpt_locks_add(ctx, l, fl, CKPT_LOCK_FLOCK);
		list_for_each_entry(fl, &flctx->flc_lease, fl_list)
			if (fl->fl_file == file)
				ckpt_locks_add(ctx, l, fl, CKPT_LOCK_LEASE);
	}
	list_for_each_entry(fl, &flctx->flc_posix, fl_list) {
		ofd = fl->fl_flags & FL_OFDLCK;
		if (!owner && ofd && fl->fl_file == file)
			ckpt_locks_add(ctx, l, fl, CKPT_LOCK_OFD);
		else if (owner && !ofd && fl->fl_owner == owner)
			ckpt_locks_add(ctx, l, fl, CKPT_LOCK_POSIX);
	}
	spin_unlock(&flctx->flc_lock);
}

static int ckpt_write_locks(struct ckpt_ctx *ctx, struct ckpt_locks *l)
{
	struct ckpt_hdr_locks h = {};
	unsigned int i;

	if (l->nr > CKPT_MAX_LOCKS)
		return ckpt_err(ctx, -EOPNOTSUPP, "more than %d file locks",
				CKPT_MAX_LOCKS);
	for (i = 0; i < l->nr; i++)
		if (!l->v[i].file_ref)
			return ckpt_err(ctx, -EOPNOTSUPP,
					"a POSIX lock was taken through a file that is not open any more");
	h.nr = l->nr;
	return ckpt_write_obj_payload(ctx, &h.h, CKPT_HDR_LOCKS, sizeof(h),
				      l->v, l->nr * sizeof(*l->v));
}

/* The files of the locks of a LOCKS record: @get(@ctx, @i) for i < @n */
static int ckpt_locks_gather(struct ckpt_ctx *ctx, unsigned int n,
			     struct file *(*get)(struct ckpt_ctx *, unsigned int),
			     fl_owner_t owner)
{
	struct ckpt_locks l = {};
	unsigned int i, pass;
	int ret;

	for (pass = 0; pass < 2; pass++) {
		if (pass) {
			l.max = l.nr;
			l.nr = 0;
			l.v = kvcalloc(l.max ?: 1, sizeof(*l.v), GFP_KERNEL);
			if (!l.v)
				return -ENOMEM;
		}
		for (i = 0; i < n; i++)
			if (get(ctx, i))
				ckpt_locks_scan(ctx, get(ctx, i), owner, &l);
	}
	ret = ckpt_write_locks(ctx, &l);
	kvfree(l.v);
	return ret;
}

static struct file *ckpt_cfile_at(struct ckpt_ctx *ctx, unsigned int i)
{
	return ctx->cfiles[i].file;
}

/* The fd's file, unless an earlier fd has one on the same inode */
static struct file *ckpt_fd_inode_at(struct ckpt_ctx *ctx, unsigned int i)
{
	struct inode *inode = file_inode(ctx->fds[i].file);
	unsigned int j;

	if (!READ_ONCE(inode->i_flctx))
		return NULL;
	for (j = 0; j < i; j++)
		if (file_inode(ctx->fds[j].file) == inode)
			return NULL;
	return ctx->fds[i].file;
}

/**
 * ckpt_write_file_locks - write the flock and OFD locks of the tree
 * @ctx: the checkpoint context, its open files collected
 *
 * Return: 0 or -errno.
 */
int ckpt_write_file_locks(struct ckpt_ctx *ctx)
{
	return ckpt_locks_gather(ctx, ctx->nr_cfiles, ckpt_cfile_at, NULL);
}

/**
 * ckpt_write_posix_locks - write the POSIX locks an fd table owns
 * @ctx: the checkpoint context, the table's descriptors in ctx->fds
 * @files: the fd table
 *
 * Return: 0 or -errno.
 */
int ckpt_write_posix_locks(struct ckpt_ctx *ctx, struct files_struct *files)
{
	return ckpt_locks_gather(ctx, ctx->nr_fds, ckpt_fd_inode_at, files);
}

static void rstr_lock_failed(struct ckpt_ctx *ctx, struct file *file, int err)
{
	char *buf = kmalloc(CKPT_PATH_MAX, GFP_KERNEL);
	char *path = buf ? d_path(&file->f_path, buf, CKPT_PATH_MAX) : NULL;

	ckpt_err(ctx, err, "pid %d: taking a lock on %s again failed: error %d%s",
		 ctx->task_rec.pid, IS_ERR_OR_NULL(path) ? "a file" : path,
		 err, err == -EAGAIN ? " (another process holds one)" : "");
	kfree(buf);
}

/* Take the lock @e again through @file, without waiting */
static int rstr_take_lock(struct ckpt_ctx *ctx, struct file *file,
			  const struct ckpt_lock *e)
{
	struct file_lock fl;
	int ret;

	locks_init_lock(&fl);
	fl.fl_file = file;
	fl.fl_pid = current->tgid;
	fl.fl_type = e->flags & CKPT_LOCK_WRITE ? F_WRLCK : F_RDLCK;
	fl.fl_start = e->start;
	fl.fl_end = e->end == CKPT_LOCK_EOF ? OFFSET_MAX : e->end;
	if (e->kind == CKPT_LOCK_FLOCK) {
		fl.fl_flags = FL_FLOCK;
		fl.fl_owner = file;
		ret = locks_lock_file_wait(file, &fl);
	} else {
		fl.fl_flags = FL_POSIX;
		fl.fl_owner = current->files;
		if (e->kind == CKPT_LOCK_OFD) {
			fl.fl_flags |= FL_OFDLCK;
			fl.fl_owner = file;
		}
		ret = vfs_lock_file(file, F_SETLK, &fl, NULL);
	}
	if (ret)
		rstr_lock_failed(ctx, file, ret);
	return ret;
}

static int rstr_check_lock(struct ckpt_ctx *ctx, const struct ckpt_lock *e,
			   bool posix, struct file **filep)
{
	fmode_t need = e->flags & CKPT_LOCK_WRITE ? FMODE_WRITE : FMODE_READ;
	struct file *file;

	bool whole = e->kind == CKPT_LOCK_FLOCK || e->kind == CKPT_LOCK_LEASE;

	if ((posix ? e->kind != CKPT_LOCK_POSIX :
	     !whole && e->kind != CKPT_LOCK_OFD) ||
	    e->flags & ~CKPT_LOCK_WRITE || e->start < 0 || e->end < e->start ||
	    (whole && (e->start || e->end != CKPT_LOCK_EOF)))
		return ckpt_err(ctx, -EBADMSG, "malformed LOCKS entry");
	file = rstr_obj_get(ctx, e->file_ref, CKPT_OBJ_FILE);
	if (IS_ERR(file))
		return PTR_ERR(file);
	if (!whole && !(file->f_mode & need))
		return ckpt_err(ctx, -EBADMSG,
				"a LOCKS entry names a file not open for that lock");
	*filep = file;
	return 0;
}

/**
 * rstr_read_locks - read a LOCKS record
 * @ctx: the restart context
 * @posix: the POSIX locks of an fd table (kept in ctx until the task's
 *	descriptors are installed), or the flock and OFD locks of the
 *	files (taken at once)
 *
 * Return: 0 or -errno.
 */
int rstr_read_locks(struct ckpt_ctx *ctx, bool posix)
{
	struct ckpt_hdr_locks h;
	struct ckpt_lock *v;
	struct file *file;
	unsigned int i;
	size_t len;
	int ret;

	ret = ckpt_read_obj_payload_alloc(ctx, CKPT_HDR_LOCKS, &h.h, sizeof(h),
					  CKPT_MAX_LOCKS * sizeof(*v),
					  (void **)&v, &len);
	if (!ret && (h.reserved || len != (size_t)h.nr * sizeof(*v)))
		ret = ckpt_err(ctx, -EBADMSG, "malformed LOCKS record");
	for (i = 0; !ret && i < h.nr; i++) {
		ret = rstr_check_lock(ctx, &v[i], posix, &file);
		if (!ret && v[i].kind == CKPT_LOCK_LEASE)
			ret = xa_insert(&ctx->lease_refs, v[i].file_ref,
					xa_mk_value(v[i].flags), GFP_KERNEL);
		else if (!ret && !posix)
			ret = rstr_take_lock(ctx, file, &v[i]);
		if (ret == -EBUSY)
			ret = ckpt_err(ctx, -EBADMSG, "two leases on one file");
	}
	if (ret || !posix || !h.nr) {
		kvfree(v);
		return ret;
	}
	ctx->locks = v;
	ctx->nr_locks = h.nr;
	return 0;
}

/**
 * rstr_take_posix_locks - take the POSIX locks of the current fd table
 * @ctx: the restart context, the locks read by rstr_read_locks()
 *
 * Return: 0 or -errno.
 */
int rstr_take_posix_locks(struct ckpt_ctx *ctx)
{
	struct file *file;
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < ctx->nr_locks; i++) {
		file = rstr_obj_get(ctx, ctx->locks[i].file_ref, CKPT_OBJ_FILE);
		ret = IS_ERR(file) ? PTR_ERR(file) :
		      rstr_take_lock(ctx, file, &ctx->locks[i]);
	}
	return ret;
}

/**
 * rstr_take_lease - take a lease again through the first descriptor of
 *	its file, if it has one
 * @ctx: the restart context
 * @fd: the descriptor just installed
 * @file: its file
 * @ref: the file's ref
 *
 * Return: 0 or -errno.
 */
int rstr_take_lease(struct ckpt_ctx *ctx, unsigned int fd, struct file *file,
		    u32 ref)
{
	void *v = xa_erase(&ctx->lease_refs, ref);
	int ret;

	if (!v)
		return 0;
	ret = fcntl_setlease(fd, file, xa_to_value(v) & CKPT_LOCK_WRITE ?
				       F_WRLCK : F_RDLCK);
	if (ret)
		rstr_lock_failed(ctx, file, ret);
	return ret;
}

/**
 * rstr_check_leases - every lease was taken again
 * @ctx: the restart context, every task restored
 *
 * Return: 0, or -EBADMSG for a lease on a file no descriptor refers to.
 */
int rstr_check_leases(struct ckpt_ctx *ctx)
{
	if (xa_empty(&ctx->lease_refs))
		return 0;
	return ckpt_err(ctx, -EBADMSG,
			"a lease on a file that no descriptor refers to");
}
