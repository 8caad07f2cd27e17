// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: pipes and FIFOs.
 *
 * The pipe behind one or more open files is an object.  The first FILE
 * record that names it is followed by a PIPE record (its capacity) and
 * one PIPE_BUF record per buffer, oldest first, with its bytes and
 * whether it is a packet of a pipe written with O_DIRECT.  Saving does
 * not consume them: the buffers' pages are referenced under the pipe's
 * lock and copied out after it is dropped.
 *
 * A restart makes a new pipe, or opens the FIFO by its path with O_RDWR,
 * sets the capacity and writes the bytes back buffer by buffer, packets
 * with O_DIRECT.  Each FILE record then gets the read or the write end
 * made with the pipe, or one more open of it, as /proc/PID/fd/N gives.
 * The ends that no FILE record took are closed once all are read, so a
 * pipe whose reader was closed still has none.
 *
 * Only pipes whose open files are all in the tree are saved: a pipe with
 * an end open in a task outside the tree is refused, as its state is not
 * the tree's alone.  A FIFO must be open in no other task at restart.
 */
#include <linux/checkpoint.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/magic.h>
#include <linux/pipe_fs_i.h>
#include <linux/slab.h>

/* The open flags a pipe's FILE record may carry besides O_ACCMODE */
#define CKPT_PIPE_FLAGS		(O_NONBLOCK | O_DIRECT | O_LARGEFILE)

static bool ckpt_on_pipefs(struct file *file)
{
	return file_inode(file)->i_sb->s_magic == PIPEFS_MAGIC;
}

static bool ckpt_file_pipe_match(struct file *file)
{
	return ckpt_on_pipefs(file) && get_pipe_info(file, false);
}

static bool ckpt_file_fifo_match(struct file *file)
{
	return S_ISFIFO(file_inode(file)->i_mode) && !ckpt_on_pipefs(file);
}

/* Refuse a pipe that a task outside the tree has open too */
static int ckpt_pipe_check_tree(struct ckpt_ctx *ctx, struct file *file,
				const char *who)
{
	struct pipe_inode_info *pipe = get_pipe_info(file, false);
	unsigned int i, readers = 0, writers = 0;
	bool outside, notify;

	if (!pipe)		/* an O_PATH FIFO */
		return 0;
	for (i = 0; i < ctx->nr_cfiles; i++) {
		struct file *f = ctx->cfiles[i].file;

		if (get_pipe_info(f, false) != pipe)
			continue;
		readers += !!(f->f_mode & FMODE_READ);
		writers += !!(f->f_mode & FMODE_WRITE);
	}
	pipe_lock(pipe);
	outside = pipe->readers > readers || pipe->writers > writers;
	notify = pipe_has_watch_queue(pipe);
	pipe_unlock(pipe);
	if (notify)
		return ckpt_file_refuse(ctx, file, who, "notification pipe");
	if (outside)
		return ckpt_file_refuse(ctx, file, who,
					"also open in a task outside the tree");
	return 0;
}

static int ckpt_pipe_checkpoint(struct ckpt_ctx *ctx, struct file *file,
				struct ckpt_hdr_file *h, char *why, size_t len)
{
	struct pipe_inode_info *pipe = get_pipe_info(file, false);
	int ret;

	h->pos = 0;
	if (!pipe)		/* an O_PATH FIFO: no pipe behind it */
		return 0;
	ret = ckpt_obj_lookup_add(ctx, pipe, CKPT_OBJ_PIPE, &h->obj_ref);
	if (ret < 0)
		return ret;
	if (ret)
		h->flags |= CKPT_FILE_OBJ_NEW;
	return 0;
}

/* A buffer of a pipe being saved: its page is referenced */
struct ckpt_pipe_snap {
	struct page *page;
	u32 offset;
	u32 len;
	u32 flags;
};

/* Reference the buffers, oldest first, without consuming them */
static int ckpt_pipe_snapshot(struct pipe_inode_info *pipe,
			      struct ckpt_pipe_snap *snap, u32 *nr)
{
	unsigned int head = pipe->head, tail = pipe->tail;
	struct pipe_buffer *buf;
	int ret;

	for (*nr = 0; tail != head; tail++) {
		buf = &pipe->bufs[tail & (pipe->ring_size - 1)];
		if (!buf->len)
			continue;
		ret = pipe_buf_confirm(pipe, buf);
		if (ret)
			return ret;
		if (WARN_ON_ONCE(buf->offset + buf->len > PAGE_SIZE))
			return -EIO;
		get_page(buf->page);
		snap[*nr].page = buf->page;
		snap[*nr].offset = buf->offset;
		snap[*nr].len = buf->len;
		snap[*nr].flags = buf->flags & PIPE_BUF_FLAG_PACKET ?
				  CKPT_PIPE_BUF_PACKET : 0;
		(*nr)++;
	}
	return 0;
}

static int ckpt_pipe_write_bufs(struct ckpt_ctx *ctx,
				const struct ckpt_pipe_snap *snap, u32 nr)
{
	struct ckpt_hdr_pipe_buf hb = {};
	void *bounce;
	u32 i;
	int ret = 0;

	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	for (i = 0; !ret && i < nr; i++) {
		memcpy_from_page(bounce, snap[i].page, snap[i].offset,
				 snap[i].len);
		hb.flags = snap[i].flags;
		hb.len = snap[i].len;
		ret = ckpt_write_obj_payload(ctx, &hb.h, CKPT_HDR_PIPE_BUF,
					     sizeof(hb), bounce, hb.len);
	}
	kfree(bounce);
	return ret;
}

static int ckpt_pipe_write_obj(struct ckpt_ctx *ctx, struct file *file,
			       const struct ckpt_hdr_file *h)
{
	struct pipe_inode_info *pipe = get_pipe_info(file, false);
	struct ckpt_hdr_pipe hp = {};
	struct ckpt_pipe_snap *snap;
	u32 i, nr = 0;
	int ret;

	BUILD_BUG_ON(PAGE_SIZE != CKPT_PIPE_BUF_MAX);
	pipe_lock(pipe);
	hp.size = pipe->max_usage * PAGE_SIZE;
	snap = kvcalloc(pipe->ring_size, sizeof(*snap), GFP_KERNEL);
	ret = snap ? ckpt_pipe_snapshot(pipe, snap, &nr) : -ENOMEM;
	pipe_unlock(pipe);

	/* The image may be a pipe too: write without the lock */
	hp.ref = h->obj_ref;
	hp.nr_bufs = nr;
	if (!ret)
		ret = ckpt_write_obj(ctx, &hp.h, CKPT_HDR_PIPE, sizeof(hp));
	if (!ret)
		ret = ckpt_pipe_write_bufs(ctx, snap, nr);
	for (i = 0; i < nr; i++)
		put_page(snap[i].page);
	kvfree(snap);
	return ret;
}

/**
 * struct rstr_pipe - a pipe being restored
 * @file: holds the pipe: its write end, or the FIFO opened O_RDWR
 * @ends: a new pipe's read and write end, until FILE records take them
 */
struct rstr_pipe {
	struct file *file;
	struct file *ends[2];
};

/**
 * rstr_pipe_put - drop a pipe being restored, closing the unused ends
 * @ptr: the struct rstr_pipe
 */
void rstr_pipe_put(void *ptr)
{
	struct rstr_pipe *rp = ptr;

	if (rp->ends[0])
		fput(rp->ends[0]);
	if (rp->ends[1])
		fput(rp->ends[1]);
	if (rp->file)
		fput(rp->file);
	kfree(rp);
}

static int rstr_pipe_read_hdr(struct ckpt_ctx *ctx, u32 ref,
			      struct ckpt_hdr_pipe *hp)
{
	int ret;

	ret = ckpt_read_obj(ctx, CKPT_HDR_PIPE, &hp->h, sizeof(*hp));
	if (ret)
		return ret;
	if (hp->ref != ref || hp->reserved || hp->size < CKPT_PIPE_BUF_MAX ||
	    hp->size > CKPT_MAX_PIPE_SIZE || !is_power_of_2(hp->size) ||
	    hp->nr_bufs > hp->size / CKPT_PIPE_BUF_MAX)
		return ckpt_err(ctx, -EBADMSG, "malformed PIPE record (ref %u)",
				ref);
	return 0;
}

static int rstr_pipe_set_size(struct ckpt_ctx *ctx, struct file *file,
			      u32 ref, u32 size)
{
	long ret;

	ret = pipe_fcntl(file, F_GETPIPE_SZ, 0);
	if (ret != size)
		ret = pipe_fcntl(file, F_SETPIPE_SZ, size);
	if (ret == size)
		return 0;
	return ckpt_err(ctx, ret < 0 ? ret : -EINVAL,
			"pipe (ref %u): setting its size to %u failed: error %ld",
			ref, size, ret);
}

/* Write one PIPE_BUF record's bytes into the pipe through @file */
static int rstr_pipe_write_buf(struct ckpt_ctx *ctx, struct file *file,
			       u32 ref, void *buf)
{
	struct ckpt_hdr_pipe_buf hb;
	size_t len;
	ssize_t n;
	int ret;

	ret = ckpt_read_obj_payload(ctx, CKPT_HDR_PIPE_BUF, &hb.h, sizeof(hb),
				    buf, CKPT_PIPE_BUF_MAX, &len);
	if (ret)
		return ret;
	if (!len || hb.len != len || hb.flags & ~CKPT_PIPE_BUF_PACKET)
		return ckpt_err(ctx, -EBADMSG,
				"malformed PIPE_BUF record (pipe ref %u)", ref);
	rstr_file_set_flags(file, O_NONBLOCK | O_DIRECT, O_NONBLOCK |
			    (hb.flags & CKPT_PIPE_BUF_PACKET ? O_DIRECT : 0));
	n = kernel_write(file, buf, len, NULL);
	if (n == len)
		return 0;
	return ckpt_err(ctx, n < 0 ? n : -ENOSPC,
			"pipe (ref %u): writing its data back failed: error %zd",
			ref, n);
}

/* Read the PIPE and PIPE_BUF records into the empty pipe of @file */
static int rstr_pipe_fill(struct ckpt_ctx *ctx, struct file *file, u32 ref)
{
	unsigned int saved = file->f_flags;
	struct ckpt_hdr_pipe hp;
	void *buf;
	u32 i;
	int ret;

	ret = rstr_pipe_read_hdr(ctx, ref, &hp);
	if (!ret)
		ret = rstr_pipe_set_size(ctx, file, ref, hp.size);
	if (ret)
		return ret;
	buf = kmalloc(CKPT_PIPE_BUF_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (i = 0; !ret && i < hp.nr_bufs; i++)
		ret = rstr_pipe_write_buf(ctx, file, ref, buf);
	rstr_file_set_flags(file, O_NONBLOCK | O_DIRECT, saved);
	kfree(buf);
	return ret;
}

/* Fill a new struct rstr_pipe and put it in the object hash */
static struct rstr_pipe *rstr_pipe_add(struct ckpt_ctx *ctx,
				       struct rstr_pipe *rp, u32 ref)
{
	int ret;

	ret = rstr_pipe_fill(ctx, rp->file, ref);
	if (ret) {
		rstr_pipe_put(rp);
		return ERR_PTR(ret);
	}
	ret = rstr_obj_add(ctx, ref, CKPT_OBJ_PIPE, rp);
	return ret ? ERR_PTR(ret) : rp;
}

static struct rstr_pipe *rstr_pipe_new(struct ckpt_ctx *ctx, u32 ref)
{
	struct rstr_pipe *rp;
	int ret;

	rp = kzalloc(sizeof(*rp), GFP_KERNEL);
	if (!rp)
		return ERR_PTR(-ENOMEM);
	ret = create_pipe_files(rp->ends, 0);
	if (ret) {
		kfree(rp);
		return ERR_PTR(ckpt_err(ctx, ret,
					"pipe (ref %u): creating it failed: error %d",
					ref, ret));
	}
	rp->file = get_file(rp->ends[1]);
	return rstr_pipe_add(ctx, rp, ref);
}

static int rstr_pipe_check_pos(struct ckpt_ctx *ctx,
			       const struct ckpt_hdr_file *h)
{
	if (!h->pos)
		return 0;
	return ckpt_err(ctx, -EBADMSG,
			"malformed FILE record (ref %u): a pipe has no offset",
			h->ref);
}

/* The pipe of a FILE record: made by its first FILE record */
static struct rstr_pipe *rstr_pipe_get(struct ckpt_ctx *ctx,
				       const struct ckpt_hdr_file *h)
{
	int ret = rstr_pipe_check_pos(ctx, h);

	if (ret)
		return ERR_PTR(ret);
	if (h->flags & CKPT_FILE_OBJ_NEW)
		return rstr_pipe_new(ctx, h->obj_ref);
	return rstr_obj_get(ctx, h->obj_ref, CKPT_OBJ_PIPE);
}

static struct file *rstr_file_pipe(struct ckpt_ctx *ctx,
				   const struct ckpt_hdr_file *h,
				   const char *path)
{
	int end = (h->f_flags & O_ACCMODE) == O_WRONLY;
	struct rstr_pipe *rp;
	struct file *file;

	rp = rstr_pipe_get(ctx, h);
	if (IS_ERR(rp))
		return ERR_CAST(rp);
	if ((h->f_flags & O_ACCMODE) != O_RDWR && rp->ends[end]) {
		file = rp->ends[end];
		rp->ends[end] = NULL;
	} else {
		/* One more open of the pipe, as /proc/PID/fd/N gives */
		file = dentry_open(&rp->file->f_path, h->f_flags,
				   current_cred());
		if (IS_ERR(file)) {
			ckpt_err(ctx, PTR_ERR(file),
				 "pipe (ref %u): opening it again failed: error %ld",
				 h->obj_ref, PTR_ERR(file));
			return file;
		}
	}
	rstr_file_set_flags(file, CKPT_PIPE_FLAGS, h->f_flags);
	return file;
}

/* Open the FIFO O_RDWR: it must be open nowhere else and empty */
static struct rstr_pipe *rstr_fifo_new(struct ckpt_ctx *ctx,
				       const struct ckpt_hdr_file *h,
				       const char *path)
{
	struct ckpt_hdr_file rdwr = *h;
	struct pipe_inode_info *pipe;
	struct rstr_pipe *rp;
	struct file *file;
	bool busy;

	rdwr.f_flags = O_RDWR | O_NONBLOCK | O_LARGEFILE;
	file = rstr_open_path(ctx, &rdwr, path, S_IFIFO);
	if (IS_ERR(file))
		return ERR_CAST(file);
	pipe = get_pipe_info(file, false);
	if (!pipe) {
		fput(file);
		return ERR_PTR(ckpt_err(ctx, -ESTALE, "%s is not a FIFO any more",
					path));
	}
	pipe_lock(pipe);
	busy = pipe->readers != 1 || pipe->writers != 1 ||
	       !pipe_empty(pipe->head, pipe->tail);
	pipe_unlock(pipe);
	if (busy) {
		fput(file);
		return ERR_PTR(ckpt_err(ctx, -EBUSY,
					"FIFO %s is open in another task or holds data",
					path));
	}
	rp = kzalloc(sizeof(*rp), GFP_KERNEL);
	if (!rp) {
		fput(file);
		return ERR_PTR(-ENOMEM);
	}
	rp->file = file;
	return rstr_pipe_add(ctx, rp, h->obj_ref);
}

static struct file *rstr_file_fifo(struct ckpt_ctx *ctx,
				   const struct ckpt_hdr_file *h,
				   const char *path)
{
	struct ckpt_hdr_file nb = *h;
	struct rstr_pipe *rp;
	struct file *file;

	if (h->f_flags & O_PATH) {
		if (h->obj_ref || h->flags || h->pos)
			return ERR_PTR(ckpt_err(ctx, -EBADMSG,
						"malformed FILE record (ref %u)",
						h->ref));
		return rstr_open_path(ctx, h, path, S_IFIFO);
	}
	if (rstr_pipe_check_pos(ctx, h))
		return ERR_PTR(-EBADMSG);
	if (h->flags & CKPT_FILE_OBJ_NEW)
		rp = rstr_fifo_new(ctx, h, path);
	else
		rp = rstr_obj_get(ctx, h->obj_ref, CKPT_OBJ_PIPE);
	if (IS_ERR(rp))
		return ERR_CAST(rp);
	/* Its other end is open: opening does not wait */
	nb.f_flags |= O_NONBLOCK;
	file = rstr_open_path(ctx, &nb, path, S_IFIFO);
	if (IS_ERR(file))
		return file;
	if (file_inode(file) != file_inode(rp->file)) {
		fput(file);
		return ERR_PTR(ckpt_err(ctx, -ESTALE,
					"%s is another FIFO than the one of pipe ref %u",
					path, h->obj_ref));
	}
	rstr_file_set_flags(file, O_NONBLOCK, h->f_flags);
	return file;
}

const struct ckpt_file_ops ckpt_file_pipe_ops = {
	.type = CKPT_FILE_PIPE,
	.name = "pipe",
	.flags = CKPT_PIPE_FLAGS,
	.match = ckpt_file_pipe_match,
	.check_tree = ckpt_pipe_check_tree,
	.checkpoint = ckpt_pipe_checkpoint,
	.write_obj = ckpt_pipe_write_obj,
	.restore = rstr_file_pipe,
};

const struct ckpt_file_ops ckpt_file_fifo_ops = {
	.type = CKPT_FILE_FIFO,
	.name = "FIFO",
	.by_path = true,
	.flags = CKPT_FILE_PATH_FLAGS,
	.match = ckpt_file_fifo_match,
	.check_tree = ckpt_pipe_check_tree,
	.checkpoint = ckpt_pipe_checkpoint,
	.write_obj = ckpt_pipe_write_obj,
	.restore = rstr_file_fifo,
};
