// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: files saved with their contents.
 *
 * A memfd or an unlinked file cannot be reopened by a path: its inode is
 * saved whole.  The first FILE record that names it is followed by an
 * INODE record (mode, size, seals and a name the kind gives) and DATA
 * records with the bytes of its data extents, found with SEEK_DATA and
 * SEEK_HOLE so that holes stay holes.  They are read through a file
 * opened for this, so that no offset of the tree moves.
 *
 * A restart creates the file with the kind's create(), sets its size,
 * writes the data back and adds the seals; then each FILE record gets an
 * open file of its own on it, with the record's flags and offset, as an
 * open of /proc/PID/fd/N would give.
 */
#include <linux/checkpoint.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/memfd.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/fcntl.h>

/* The seals a memfd may have */
#define CKPT_SEALS	(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | \
			 F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)

/**
 * ckpt_contents_checkpoint - name the inode behind a file saved whole
 * @ctx: the checkpoint context
 * @file: the file
 * @h: its FILE record, which gets the inode's ref
 *
 * Return: 0 or -ENOMEM.
 */
int ckpt_contents_checkpoint(struct ckpt_ctx *ctx, struct file *file,
			     struct ckpt_hdr_file *h)
{
	int ret;

	ret = ckpt_obj_lookup_add(ctx, file_inode(file), CKPT_OBJ_INODE,
				  &h->obj_ref);
	if (ret < 0)
		return ret;
	if (ret)
		h->flags |= CKPT_FILE_OBJ_NEW;
	return 0;
}

/*
 * Walk the data of @rd up to @size in page-aligned chunks: count them in
 * *@nr, and write them as DATA records if @buf is not NULL.
 */
static int ckpt_contents_walk(struct ckpt_ctx *ctx, struct file *rd,
			      loff_t size, void *buf, u32 *nr)
{
	struct ckpt_hdr_data hd = {};
	loff_t pos = 0, end, done = 0, off;
	ssize_t n;
	int ret;

	for (*nr = 0; done < size; done = end) {
		pos = vfs_llseek(rd, done, SEEK_DATA);
		if (pos == -ENXIO || pos >= size)
			break;
		if (pos < 0)
			return pos;
		end = vfs_llseek(rd, pos, SEEK_HOLE);
		if (end < 0)
			return end;
		end = min_t(loff_t, round_up(end, PAGE_SIZE), size);
		for (pos = round_down(pos, PAGE_SIZE); pos < end; pos += n) {
			n = min_t(loff_t, end - pos, CKPT_DATA_MAX);
			(*nr)++;
			if (!buf)
				continue;
			off = pos;
			if (kernel_read(rd, buf, n, &off) != n)
				return ckpt_err(ctx, -EAGAIN,
						"a file saved whole changed while being read");
			hd.offset = pos;
			hd.len = n;
			ret = ckpt_write_obj_payload(ctx, &hd.h, CKPT_HDR_DATA,
						     sizeof(hd), buf, n);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/**
 * ckpt_contents_write - write the INODE and DATA records of a file
 * @ctx: the checkpoint context
 * @file: the file
 * @h: its FILE record, just written
 * @name: the name the kind gives the inode
 * @seals: its memfd seals
 *
 * Return: 0 or -errno.
 */
int ckpt_contents_write(struct ckpt_ctx *ctx, struct file *file,
			const struct ckpt_hdr_file *h, const char *name,
			u32 seals)
{
	struct inode *inode = file_inode(file);
	struct ckpt_hdr_inode hi = {};
	struct file *rd;
	void *buf;
	u32 nr;
	int ret;

	rd = dentry_open(&file->f_path, O_RDONLY | O_LARGEFILE, current_cred());
	if (IS_ERR(rd))
		return ckpt_err(ctx, PTR_ERR(rd),
				"a file saved whole cannot be read: error %ld",
				PTR_ERR(rd));
	buf = kvmalloc(CKPT_DATA_MAX, GFP_KERNEL);
	hi.ref = h->obj_ref;
	hi.mode = inode->i_mode;
	hi.size = i_size_read(inode);
	hi.seals = seals;
	hi.name_len = strlen(name) + 1;
	ret = buf ? ckpt_contents_walk(ctx, rd, hi.size, NULL, &hi.nr_data) :
		    -ENOMEM;
	if (!ret)
		ret = ckpt_write_obj_payload(ctx, &hi.h, CKPT_HDR_INODE,
					     sizeof(hi), name, hi.name_len);
	if (!ret)
		ret = ckpt_contents_walk(ctx, rd, hi.size, buf, &nr);
	if (!ret && nr != hi.nr_data)
		ret = ckpt_err(ctx, -EAGAIN,
			       "a file saved whole changed while being read");
	kvfree(buf);
	fput(rd);
	return ret;
}

/**
 * rstr_contents_put - drop a file rebuilt with its contents
 * @ptr: the file the kind created
 */
void rstr_contents_put(void *ptr)
{
	fput(ptr);
}

static int rstr_contents_read_hdr(struct ckpt_ctx *ctx, u32 ref,
				  struct ckpt_hdr_inode *hi, char *name)
{
	size_t len;
	int ret;

	ret = ckpt_read_obj_payload(ctx, CKPT_HDR_INODE, &hi->h, sizeof(*hi),
				    name, CKPT_PATH_MAX, &len);
	if (ret)
		return ret;
	if (hi->ref != ref || !S_ISREG(hi->mode) ||
	    hi->mode & ~(S_IFMT | 07777) || hi->size > MAX_LFS_FILESIZE ||
	    hi->seals & ~CKPT_SEALS || hi->reserved ||
	    hi->name_len != len || len < 2 ||
	    hi->nr_data > DIV_ROUND_UP(hi->size, PAGE_SIZE))
		return ckpt_err(ctx, -EBADMSG, "malformed INODE record (ref %u)",
				ref);
	return ckpt_check_string(ctx, name, len, "INODE name");
}

/* Read one DATA record into @buf and write it to @file */
static int rstr_contents_data(struct ckpt_ctx *ctx, struct file *file,
			      const struct ckpt_hdr_inode *hi, void *buf,
			      loff_t *next)
{
	struct ckpt_hdr_data hd;
	loff_t off;
	size_t len;
	int ret;

	ret = ckpt_read_obj_payload(ctx, CKPT_HDR_DATA, &hd.h, sizeof(hd),
				    buf, CKPT_DATA_MAX, &len);
	if (ret)
		return ret;
	if (!len || hd.len != len || hd.reserved ||
	    !PAGE_ALIGNED(hd.offset) || hd.offset < *next ||
	    hd.offset > hi->size || hd.len > hi->size - hd.offset)
		return ckpt_err(ctx, -EBADMSG, "malformed DATA record (ref %u)",
				hi->ref);
	off = hd.offset;
	if (kernel_write(file, buf, len, &off) != len)
		return ckpt_err(ctx, -EIO, "writing a file's data back failed");
	*next = hd.offset + len;
	return 0;
}

/* Size, data and seals of a file just created */
static int rstr_contents_fill(struct ckpt_ctx *ctx, struct file *file,
			      const struct ckpt_hdr_inode *hi)
{
	loff_t next = 0;
	void *buf;
	u32 i;
	int ret;

	ret = vfs_truncate(&file->f_path, hi->size);
	if (ret)
		return ckpt_err(ctx, ret, "setting a file's size failed: error %d",
				ret);
	buf = kvmalloc(CKPT_DATA_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (i = 0; !ret && i < hi->nr_data; i++)
		ret = rstr_contents_data(ctx, file, hi, buf, &next);
	kvfree(buf);
	if (!ret && hi->seals) {
		ret = memfd_fcntl(file, F_ADD_SEALS, hi->seals);
		if (ret)
			ckpt_err(ctx, ret, "sealing a memfd failed: error %d",
				 ret);
	}
	return ret;
}

static struct file *rstr_contents_new(struct ckpt_ctx *ctx, u32 ref,
				      struct file *(*create)(struct ckpt_ctx *ctx,
							     const struct ckpt_hdr_inode *hi,
							     const char *name))
{
	struct ckpt_hdr_inode hi;
	struct file *file;
	char *name;
	int ret;

	name = kzalloc(CKPT_PATH_MAX, GFP_KERNEL);
	if (!name)
		return ERR_PTR(-ENOMEM);
	ret = rstr_contents_read_hdr(ctx, ref, &hi, name);
	file = ret ? ERR_PTR(ret) : create(ctx, &hi, name);
	kfree(name);
	if (IS_ERR(file))
		return file;
	ret = rstr_contents_fill(ctx, file, &hi);
	if (ret) {
		fput(file);
		return ERR_PTR(ret);
	}
	ret = rstr_obj_add(ctx, ref, CKPT_OBJ_INODE, file);
	return ret ? ERR_PTR(ret) : file;
}

/**
 * rstr_contents_open - open a file saved with its contents
 * @ctx: the restart context
 * @h: the FILE record
 * @create: the kind's way to create the file an INODE record describes
 *
 * The first FILE record of the inode rebuilds it; each gets an open file
 * of its own on it, with its flags and offset.
 *
 * Return: the file or an ERR_PTR.
 */
struct file *rstr_contents_open(struct ckpt_ctx *ctx,
				const struct ckpt_hdr_file *h,
				struct file *(*create)(struct ckpt_ctx *ctx,
						       const struct ckpt_hdr_inode *hi,
						       const char *name))
{
	struct file *base, *file;
	loff_t pos;

	if (h->flags & CKPT_FILE_OBJ_NEW)
		base = rstr_contents_new(ctx, h->obj_ref, create);
	else
		base = rstr_obj_get(ctx, h->obj_ref, CKPT_OBJ_INODE);
	if (IS_ERR(base))
		return base;
	file = dentry_open(&base->f_path, h->f_flags, current_cred());
	if (IS_ERR(file)) {
		ckpt_err(ctx, PTR_ERR(file), "FILE ref %u: opening it failed: error %ld",
			 h->ref, PTR_ERR(file));
		return file;
	}
	if (h->pos && !(file->f_mode & FMODE_PATH)) {
		pos = vfs_llseek(file, h->pos, SEEK_SET);
		if (pos != h->pos) {
			fput(file);
			return ERR_PTR(ckpt_err(ctx, -EBADMSG,
						"FILE ref %u: offset %lld",
						h->ref, h->pos));
		}
	}
	return file;
}
